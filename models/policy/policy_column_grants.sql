with

grants as (
    select * from {{ ref('sec_cls_grants') }}
),

restricted as (
    select * from {{ ref('policy_restricted_columns') }}
),

principals as (
    select * from {{ ref('policy_principals') }}
),

final as (
    select distinct
        restricted.dataset,
        restricted.column_name,
        principals.principal_type,
        principals.principal
    from grants
    inner join restricted
        on
            {{ sec_normalise('grants.dataset') }} = restricted.dataset
            and {{ sec_normalise('grants.column_name') }} = restricted.column_name
    inner join principals
        on
            {{ sec_normalise('grants.principal_type') }} = principals.principal_type
            and {{ sec_normalise('grants.principal') }} = principals.principal
    where principals.is_active
)

select * from final
