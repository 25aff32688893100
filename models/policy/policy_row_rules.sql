with

datasets as (
    select * from {{ ref('policy_datasets') }}
),

principals as (
    select * from {{ ref('policy_principals') }}
),

rules as (
    {{ sec_row_rules_union() }}
),

final as (
    select
        rules.dataset,
        rules.seed || ':' || rules.seed_row as rule_id,
        rules.seed,
        rules.seed_row,
        rules.user_name,
        rules.group_name,
        rules.cells
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
