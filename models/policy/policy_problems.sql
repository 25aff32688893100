{#-
    Every way the policy seeds do not fit together, one row per problem: (seed_file, seed_row,
    column_name, problem), seed_row counted from 1 after the header (NULL: the whole file; 0: its
    header). policy_datasets fails the build on any row (sec_validate_integrity), naming each one
    (docs/security.md, "What the build refuses"). One CTE per check; the per-dataset checks that
    need the mart (its columns, mask types) are sec_validate_policy's.
    The project's secure models and rules seeds, and the rules seeds' columns, are read while
    compiling (macros/security/policy_integrity.sql) and written into the SQL as literal rows, so
    the compiled SQL checks a policy on its own (the property tests run it on random policies).
-#}
{%- set safe_name = '^' ~ (sec_safe_name_pattern() | trim) ~ '$' -%}
{%- set ds_norm = sec_normalise('dataset') -%}

with

-- each seed numbered once (seed_row: the order dbt seed loaded it)
users as {{ materialized_cte() }} {{ sec_numbered(ref('sec_users')) }},

members as {{ materialized_cte() }} {{ sec_numbered(ref('sec_group_members')) }},

datasets as {{ materialized_cte() }} {{ sec_numbered(ref('sec_datasets')) }},

cls_columns as {{ materialized_cte() }} {{ sec_numbered(ref('sec_cls_columns')) }},

grants as {{ materialized_cte() }} {{ sec_numbered(ref('sec_cls_grants')) }},

rules as {{ materialized_cte() }} (
    {{ sec_rules_who_union() }}
),

rule_cells as {{ materialized_cte() }} (
    {{ sec_rule_cells_union() }}
),

-- what the project holds
secure_models as (
    {{ sec_project_secure_models() }}
),

rules_seeds as (
    {{ sec_project_rules_seeds() }}
),

rule_headers as (
    {{ sec_rule_headers() }}
),

-- the names the checks look up: membership in a one-row list, not one NOT IN join per check, so
-- the whole check needs little memory however many checks it has
known_users as {{ materialized_cte() }} (
    select array_agg(distinct {{ sec_normalise('user_name') }}) as name_list
    from users
    where user_name is not null
),

known_groups as {{ materialized_cte() }} (
    select array_agg(distinct {{ sec_normalise('group_name') }}) as name_list
    from members
    where group_name is not null
),

known_datasets as {{ materialized_cte() }} (
    select array_agg(distinct {{ ds_norm }}) as name_list
    from datasets
    where dataset is not null
),

known_models as (
    select coalesce(array_agg(secure_models.dataset), {{ text_list([]) }}) as name_list
    from secure_models
),

known_rules_seeds as (
    select coalesce(array_agg(rules_seeds.dataset), {{ text_list([]) }}) as name_list
    from rules_seeds
),

-- users
user_name_empty as (
    select
        'sec_users' as seed,
        seed_row,
        'user_name' as column_name,
        'user name is empty' as problem
    from users
    where coalesce({{ sec_trim('user_name') }}, '') = ''
),

user_name_unsafe as (
    select
        'sec_users' as seed,
        seed_row,
        'user_name' as column_name,
        'user name ' || user_name
        || ' has a character outside {{ sec_safe_name_pattern() | trim }} (after trim and lower-casing A-Z)' as problem
    from users
    where
        coalesce({{ sec_trim('user_name') }}, '') <> ''
        and not {{ regex_matches(sec_normalise('user_name'), safe_name) }}
),

user_name_collides as (
    select
        'sec_users' as seed,
        max(seed_row) as seed_row,
        'user_name' as column_name,
        'user name ' || {{ distinct_text_agg('user_name', "' / '") }}
        || ' collides with another row after trim + lower-case' as problem
    from users
    group by {{ sec_normalise('user_name') }}
    having count(*) > 1
),

user_is_active_empty as (
    select
        'sec_users' as seed,
        seed_row,
        'is_active' as column_name,
        'is_active is empty: write true or false' as problem
    from users
    where is_active is null
),

-- groups and memberships
group_name_empty as (
    select
        'sec_group_members' as seed,
        seed_row,
        'group_name' as column_name,
        'group name is empty' as problem
    from members
    where coalesce({{ sec_trim('group_name') }}, '') = ''
),

group_name_unsafe as (
    select
        'sec_group_members' as seed,
        seed_row,
        'group_name' as column_name,
        'group name ' || group_name
        || ' has a character outside {{ sec_safe_name_pattern() | trim }} (after trim and lower-casing A-Z)' as problem
    from members
    where
        coalesce({{ sec_trim('group_name') }}, '') <> ''
        and not {{ regex_matches(sec_normalise('group_name'), safe_name) }}
),

member_unknown_user as (
    select
        'sec_group_members' as seed,
        seed_row,
        'user_name' as column_name,
        'unknown user ' || coalesce(user_name, 'NULL') || ' (not in sec_users)' as problem
    from members
    where
        not coalesce(
            array_contains((select known_users.name_list from known_users), {{ sec_normalise('user_name') }}),
            false
        )
),

-- datasets
dataset_empty as (
    select
        'sec_datasets' as seed,
        seed_row,
        'dataset' as column_name,
        'dataset is empty' as problem
    from datasets
    where coalesce({{ sec_trim('dataset') }}, '') = ''
),

dataset_collides as (
    select
        'sec_datasets' as seed,
        max(seed_row) as seed_row,
        'dataset' as column_name,
        'dataset ' || {{ distinct_text_agg('dataset', "' / '") }}
        || ' collides with another row after trim + lower-case' as problem
    from datasets
    group by {{ ds_norm }}
    having count(*) > 1
),

dataset_without_model as (
    select
        'sec_datasets' as seed,
        seed_row,
        'dataset' as column_name,
        'dataset ' || dataset || ' has no secure model (models/secure/' || {{ ds_norm }} || '.sql)' as problem
    from datasets
    where
        coalesce({{ sec_trim('dataset') }}, '') <> ''
        and not array_contains((select known_models.name_list from known_models), {{ ds_norm }})
),

rls_mode_unknown as (
    select
        'sec_datasets' as seed,
        seed_row,
        'rls_mode' as column_name,
        'unknown rls_mode ' || coalesce(rls_mode, 'NULL') || ' (rules or public)' as problem
    from datasets
    where coalesce({{ sec_normalise('rls_mode') }}, '') not in ('rules', 'public')
),

rules_mode_without_seed as (
    select
        'sec_datasets' as seed,
        seed_row,
        'rls_mode' as column_name,
        'dataset ' || dataset || ' has rls_mode rules but no seeds/security/sec_rls__' || {{ ds_norm }}
        || '.csv: it would show nothing, or everything' as problem
    from datasets
    where
        {{ sec_normalise('rls_mode') }} = 'rules'
        and not array_contains((select known_rules_seeds.name_list from known_rules_seeds), {{ ds_norm }})
),

public_mode_with_seed as (
    select
        'sec_datasets' as seed,
        seed_row,
        'rls_mode' as column_name,
        'dataset ' || dataset || ' has rls_mode public but rules in seeds/security/sec_rls__' || {{ ds_norm }}
        || '.csv: delete the file or make it rules' as problem
    from datasets
    where
        {{ sec_normalise('rls_mode') }} = 'public'
        and array_contains((select known_rules_seeds.name_list from known_rules_seeds), {{ ds_norm }})
),

-- the project's secure models and rules seeds
model_not_in_datasets as (
    select
        model_file as seed,
        null as seed_row,
        'dataset' as column_name,
        'secure model ' || dataset || ' is not in sec_datasets' as problem
    from secure_models
    where
        not coalesce(
            array_contains((select known_datasets.name_list from known_datasets), dataset),
            false
        )
),

rules_seed_unknown_dataset as (
    select
        seed,
        null as seed_row,
        'dataset' as column_name,
        'rules for dataset ' || dataset || ', which is not in sec_datasets' as problem
    from rules_seeds
    where
        not coalesce(
            array_contains((select known_datasets.name_list from known_datasets), dataset),
            false
        )
),

rules_seed_not_read as (
    select
        seed,
        null as seed_row,
        'dataset' as column_name,
        'rules seed not read by the resolved policy: '
        || 'add it to sec_rule_seeds() in macros/security/policy_integrity.sql' as problem
    from rules_seeds
    where not is_read
),

-- restricted columns and grants
restricted_unknown_dataset as (
    select
        'sec_cls_columns' as seed,
        seed_row,
        'dataset' as column_name,
        'unknown dataset ' || coalesce(dataset, 'NULL') || ' (not in sec_datasets)' as problem
    from cls_columns
    where
        not coalesce(
            array_contains((select known_datasets.name_list from known_datasets), {{ ds_norm }}),
            false
        )
),

restricted_column_empty as (
    select
        'sec_cls_columns' as seed,
        cls_columns.seed_row,
        'column_name' as column_name,
        'column name is empty' as problem
    from cls_columns
    where coalesce({{ sec_trim('cls_columns.column_name') }}, '') = ''
),

grant_unknown_dataset as (
    select
        'sec_cls_grants' as seed,
        seed_row,
        'dataset' as column_name,
        'unknown dataset ' || coalesce(dataset, 'NULL') || ' (not in sec_datasets)' as problem
    from grants
    where
        not coalesce(
            array_contains((select known_datasets.name_list from known_datasets), {{ ds_norm }}),
            false
        )
),

grant_column_empty as (
    select
        'sec_cls_grants' as seed,
        grants.seed_row,
        'column_name' as column_name,
        'column name is empty' as problem
    from grants
    where coalesce({{ sec_trim('grants.column_name') }}, '') = ''
),

mask_unknown as (
    select
        'sec_cls_columns' as seed,
        seed_row,
        'mask' as column_name,
        'unknown mask ' || coalesce(mask, 'NULL') || ' (null, redact, hash, email_domain, last4 or year)' as problem
    from cls_columns
    where coalesce({{ sec_normalise('mask') }}, '') not in ('null', 'redact', 'hash', 'email_domain', 'last4', 'year')
),

restricted_column_collides as (
    select
        'sec_cls_columns' as seed,
        max(seed_row) as seed_row,
        'column_name' as column_name,
        'column ' || {{ distinct_text_agg('cls_columns.column_name', "' / '") }}
        || ' collides with another row after trim + lower-case' as problem
    from cls_columns
    group by {{ ds_norm }}, {{ sec_normalise('cls_columns.column_name') }}
    having count(*) > 1
),

grant_column_unrestricted as (
    select
        'sec_cls_grants' as seed,
        grants.seed_row,
        'column_name' as column_name,
        'column ' || grants.column_name || ' of dataset ' || grants.dataset
        || ' is not a restricted column of sec_cls_columns' as problem
    from grants
    where
        coalesce({{ sec_trim('grants.column_name') }}, '') <> ''
        and not exists (
            select 1 from cls_columns as c
            where
                {{ sec_normalise('c.dataset') }} = {{ sec_normalise('grants.dataset') }}
                and {{ sec_normalise('c.column_name') }} = {{ sec_normalise('grants.column_name') }}
        )
),

grant_principal_type_unknown as (
    select
        'sec_cls_grants' as seed,
        seed_row,
        'principal_type' as column_name,
        'principal_type ' || coalesce(principal_type, 'NULL') || ' is neither user nor group' as problem
    from grants
    where coalesce({{ sec_normalise('principal_type') }}, '') not in ('user', 'group')
),

grant_unknown_user as (
    select
        'sec_cls_grants' as seed,
        seed_row,
        'principal' as column_name,
        'unknown user ' || coalesce(principal, 'NULL') || ' (not in sec_users)' as problem
    from grants
    where
        {{ sec_normalise('principal_type') }} = 'user'
        and not coalesce(
            array_contains((select known_users.name_list from known_users), {{ sec_normalise('principal') }}),
            false
        )
),

grant_unknown_group as (
    select
        'sec_cls_grants' as seed,
        seed_row,
        'principal' as column_name,
        'unknown group ' || coalesce(principal, 'NULL') || ' (not in sec_group_members)' as problem
    from grants
    where
        {{ sec_normalise('principal_type') }} = 'group'
        and not coalesce(
            array_contains((select known_groups.name_list from known_groups), {{ sec_normalise('principal') }}),
            false
        )
),

-- rules: who they are for, and their lists
rule_for_both as (
    select
        seed,
        seed_row,
        'UserName' as column_name,
        'rule fills both UserName and GroupName' as problem
    from rules
    where
        nullif({{ sec_trim('user_name') }}, '') is not null
        and nullif({{ sec_trim('group_name') }}, '') is not null
),

rule_for_neither as (
    select
        seed,
        seed_row,
        'UserName' as column_name,
        'rule fills neither UserName nor GroupName' as problem
    from rules
    where
        nullif({{ sec_trim('user_name') }}, '') is null
        and nullif({{ sec_trim('group_name') }}, '') is null
),

rule_unknown_user as (
    select
        seed,
        seed_row,
        'UserName' as column_name,
        'unknown user ' || user_name || ' (not in sec_users)' as problem
    from rules
    where
        nullif({{ sec_trim('user_name') }}, '') is not null
        and not coalesce(
            array_contains((select known_users.name_list from known_users), {{ sec_normalise('user_name') }}),
            false
        )
),

rule_unknown_group as (
    select
        seed,
        seed_row,
        'GroupName' as column_name,
        'unknown group ' || group_name || ' (not in sec_group_members)' as problem
    from rules
    where
        nullif({{ sec_trim('group_name') }}, '') is not null
        and not coalesce(
            array_contains((select known_groups.name_list from known_groups), {{ sec_normalise('group_name') }}),
            false
        )
),

rule_column_collides as (
    select
        rule_headers.seed,
        0 as seed_row,
        rule_headers.column_name,
        'column collides with another column after trim + lower-case' as problem
    from rule_headers
    where
        exists (
            select 1 from rule_headers as earlier
            where
                earlier.seed = rule_headers.seed
                and earlier.column_key = rule_headers.column_key
                and earlier.column_position < rule_headers.column_position
        )
),

-- an element (between commas) that is empty, or starts or ends with a space
rule_list_padded as (
    select
        seed,
        seed_row,
        column_name,
        'list has an empty or space-padded element: ' || cell as problem
    from rule_cells
    where
        not {{ sec_is_wildcard('cell') }}
        and {{ regex_matches('cell', '(^|,)(,|$)|(^|,) | (,|$)') }}
),

problems as (
    select * from user_name_empty
    union all
    select * from user_name_unsafe
    union all
    select * from user_name_collides
    union all
    select * from user_is_active_empty
    union all
    select * from group_name_empty
    union all
    select * from group_name_unsafe
    union all
    select * from member_unknown_user
    union all
    select * from dataset_empty
    union all
    select * from dataset_collides
    union all
    select * from dataset_without_model
    union all
    select * from rls_mode_unknown
    union all
    select * from rules_mode_without_seed
    union all
    select * from public_mode_with_seed
    union all
    select * from model_not_in_datasets
    union all
    select * from rules_seed_unknown_dataset
    union all
    select * from rules_seed_not_read
    union all
    select * from restricted_unknown_dataset
    union all
    select * from restricted_column_empty
    union all
    select * from grant_unknown_dataset
    union all
    select * from grant_column_empty
    union all
    select * from mask_unknown
    union all
    select * from restricted_column_collides
    union all
    select * from grant_column_unrestricted
    union all
    select * from grant_principal_type_unknown
    union all
    select * from grant_unknown_user
    union all
    select * from grant_unknown_group
    union all
    select * from rule_for_both
    union all
    select * from rule_for_neither
    union all
    select * from rule_unknown_user
    union all
    select * from rule_unknown_group
    union all
    select * from rule_column_collides
    union all
    select * from rule_list_padded
),

final as (
    select distinct
        case when seed like 'models/%' then seed else 'seeds/security/' || seed || '.csv' end as seed_file,
        seed_row,
        column_name,
        problem
    from problems
)

select * from final
