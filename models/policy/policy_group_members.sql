-- depends_on: {{ ref('policy_datasets') }}

with

members as (
    select * from {{ ref('sec_group_members') }}
),

principals as (
    select * from {{ ref('policy_principals') }}
),

final as (
    select distinct
        {{ sec_normalise('members.group_name') }} as group_name,
        principals.principal as user_name
    from members
    inner join principals
        on {{ sec_normalise('members.user_name') }} = principals.principal
    where principals.principal_type = 'user' and principals.is_active
)

select * from final
