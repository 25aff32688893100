-- depends_on: {{ ref('policy_datasets') }}

with

users as (
    select * from {{ ref('sec_users') }}
),

members as (
    select * from {{ ref('sec_group_members') }}
),

resolved_users as (
    select
        'user' as principal_type,
        {{ sec_normalise('user_name') }} as principal,
        is_active
    from users
),

resolved_groups as (
    select distinct
        'group' as principal_type,
        {{ sec_normalise('group_name') }} as principal,
        true as is_active
    from members
),

final as (
    select * from resolved_users
    union all
    select * from resolved_groups
)

select * from final
