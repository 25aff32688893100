{#- Current state of every customer (latest CRM version), with its order history in brief. -#}
with

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

order_summary as (
    select
        customer_id,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        count(*) as order_count
    from orders
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.phone,
        customers.date_of_birth,
        customers.segment,
        customers.street,
        customers.city,
        customers.postal_code,
        customers.country_code,
        customers.signed_up_at,
        customers.updated_at,
        order_summary.first_ordered_at,
        order_summary.last_ordered_at,
        coalesce(order_summary.order_count, 0) as order_count
    from customers
    left join order_summary
        on customers.customer_id = order_summary.customer_id
)

select * from final
