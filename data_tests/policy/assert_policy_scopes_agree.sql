{#-
    Every principal's scope agrees across the datasets that share a rule dimension
    (docs/security.md, "Scopes that disagree"): a row per disagreement of
    policy_scope_mismatches, each printed to the build's output. Warns by default; fails the
    build with --vars '{policy_scope_mismatch: error}'.
-#}
{{ config(severity=sec_scope_mismatch_severity()) }}
{{ sec_report_scope_mismatches(ref('policy_scope_mismatches')) }}

with

mismatches as (
    select * from {{ ref('policy_scope_mismatches') }}
),

final as (
    select
        principal,
        dataset_a,
        dataset_b,
        message
    from mismatches
)

select * from final
