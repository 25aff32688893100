{#- the referential-integrity check of the whole policy runs here, before anything reads it -#}
{{ sec_validate_integrity() }}

with

datasets as (
    select * from {{ ref('sec_datasets') }}
),

rule_columns as (
    {{ sec_rule_columns_union() }}
),

final as (
    select
        {{ sec_normalise('datasets.dataset') }} as dataset,
        {{ sec_normalise('datasets.rls_mode') }} as rls_mode,
        case
            when {{ sec_normalise('datasets.rls_mode') }} = 'rules' then rule_columns.rule_columns
            else {{ text_list([]) }}
        end as rule_columns
    from datasets
    left join rule_columns
        on {{ sec_normalise('datasets.dataset') }} = rule_columns.dataset
)

select * from final
