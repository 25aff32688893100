{%- set rule_seeds = sec_rule_seeds() %}

with

datasets as (
    select * from {{ ref('policy_datasets') }}
),

principals as (
    select * from {{ ref('policy_principals') }}
),

rules as (
    {%- for name, rls in rule_seeds.items() %}
    select
        {{ sec_literal(name) }} as dataset,
        {{ sec_literal(rls.identifier) }} as seed,
        seed_row,
        nullif({{ sec_normalise('UserName') }}, '') as user_name,
        nullif({{ sec_normalise('GroupName') }}, '') as group_name,
        {%- if execute %}
        map_from_entries(list_filter([
            {%- for column in sec_rule_columns(rls) %}
            case
                when not {{ sec_is_wildcard(sec_ident(column)) }}
                    then {'k': {{ sec_literal(column | trim | lower) }}, 'v': string_split({{ sec_ident(column) }}, ',')}
            end{{ ',' if not loop.last }}
            {%- endfor %}
        ], lambda entry: entry is not null)) as cells,
        {%- else %}
        map()::map(varchar, varchar []) as cells,
        {%- endif %}
    from {{ sec_numbered(rls) }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        rules.dataset,
        rules.seed || ':' || rules.seed_row as rule_id,
        rules.seed,
        rules.seed_row,
        rules.user_name,
        rules.group_name,
        rules.cells,
    from rules
    inner join datasets
        on rules.dataset = datasets.dataset
    inner join principals
        on
            coalesce(rules.user_name, rules.group_name) = principals.principal
            and principals.principal_type = case when rules.user_name is null then 'group' else 'user' end
    where datasets.rls_mode = 'rules' and principals.is_active
)

select * from final
