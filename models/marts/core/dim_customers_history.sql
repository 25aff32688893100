{#- SCD type 2 history of customers, from the snapshot snap_crm__customers. -#}
with

snapshot as (
    select * from {{ ref('snap_crm__customers') }}
),

final as (
    select
        dbt_scd_id as customer_version_id,
        customer_id,
        email,
        phone,
        segment,
        street,
        city,
        postal_code,
        country_code,
        updated_at,
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        dbt_valid_to is null as is_current
    from snapshot
)

select * from final
