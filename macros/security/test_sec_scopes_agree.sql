{#-
    sec_scopes_agree(model)

    Every principal's row scope agrees across the datasets that share a rule dimension
    (docs/security.md, "Scopes that disagree"): returns the rows of `model`
    (policy_scope_mismatches: principal, dataset_a, dataset_b, message), and prints each one in
    the build's output while the test compiles (a failing dbt test shows only a count). Its
    severity is var policy_scope_mismatch: warn (default) or error (sec_scope_mismatch_severity).
-#}
{% test sec_scopes_agree(model) %}
    {{ config(severity=sec_scope_mismatch_severity()) }}
    {{ sec_report_scope_mismatches(model) }}

    select
        principal,
        dataset_a,
        dataset_b,
        message
    from {{ model }}
{% endtest %}
