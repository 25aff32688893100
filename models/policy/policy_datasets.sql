{#- the referential-integrity check of the whole policy runs here, before anything reads it -#}
{{ sec_validate_integrity() }}
{%- set rule_seeds = sec_rule_seeds() %}

with

datasets as (
    select * from {{ ref('sec_datasets') }}
),

rule_columns as (
    {%- for name, rls in rule_seeds.items() %}
    select
        {{ sec_literal(name) }} as dataset,
        {%- if execute %}
        [{% for column in sec_rule_columns(rls) %}{{ sec_literal(column | trim | lower) }}{{ ', ' if not loop.last }}{% endfor %}]::varchar [] as rule_columns,
        {%- else %}
        []::varchar [] as rule_columns,
        {%- endif %}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        {{ sec_normalise('datasets.dataset') }} as dataset,
        {{ sec_normalise('datasets.rls_mode') }} as rls_mode,
        case
            when {{ sec_normalise('datasets.rls_mode') }} = 'rules' then rule_columns.rule_columns
            else []::varchar []
        end as rule_columns,
    from datasets
    left join rule_columns
        on {{ sec_normalise('datasets.dataset') }} = rule_columns.dataset
)

select * from final
