{#-
    The check that every principal's scope agrees across datasets (models/policy/policy_scope_mismatches,
    the test sec_scopes_agree; docs/security.md, "Scopes that disagree").
-#}

{#- The test's severity: var policy_scope_mismatch, 'warn' (default) or 'error'; anything else
    fails the parse, so a typo never turns the check off. -#}
{% macro sec_scope_mismatch_severity() -%}
    {%- set severity = var('policy_scope_mismatch', 'warn') | string | trim | lower -%}
    {%- if severity not in ('warn', 'error') -%}
        {{ exceptions.raise_compiler_error("var policy_scope_mismatch must be 'warn' or 'error', not '" ~ var('policy_scope_mismatch') ~ "'") }}
    {%- endif -%}
    {{ return(severity) }}
{%- endmacro %}

{#- Prints every disagreement of the mismatch table in the build's output, one line each
    (naming principal, datasets and difference), when the test runs. -#}
{% macro sec_report_scope_mismatches(relation) -%}
    {%- if execute -%}
        {%- set found = run_query("select message from " ~ relation ~ " order by principal, dataset_a, dataset_b") -%}
        {%- set severity = sec_scope_mismatch_severity() -%}
        {%- for row in found.rows -%}
            {%- do log("policy scope mismatch (" ~ severity ~ "): " ~ row[0], info=True) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
