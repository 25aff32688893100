{#-
    Churn features: one row per customer and cutoff date. Cutoffs are the month starts after the
    first order month up to the newest order day in the warehouse. Every feature reads only
    events strictly before the cutoff (orders by ordered_at, refunds by the refund's event_at,
    never the order's latest status); the profile columns used (country, region) never change in
    the CRM. The label (is_churned: no order in the 90 days from the cutoff) exists only where the
    warehouse holds those 90 days (has_label_window); later cutoffs are rows to score.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
),

order_items as (
    select * from {{ ref('fct_order_items') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

geography as (
    select * from {{ ref('dim_geography') }}
),

data_range as (
    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders
),

cutoffs as (
    select cast(series.month_start as date) as cutoff_date
    from data_range,
        {{ month_series(
            "cast(date_trunc('month', data_range.first_order_date) + interval 1 month as timestamp)",
            'cast(data_range.last_order_date as timestamp)',
        ) }} as series (month_start)
),

order_facts as (
    select
        orders.order_id,
        orders.customer_id,
        orders.ordered_at,
        orders.order_date,
        orders.channel,
        orders.gross_revenue_usd
    from orders
),

refunds as (
    select
        orders.customer_id,
        payments.event_at,
        payments.amount_usd
    from payments
    inner join orders
        on payments.order_id = orders.order_id
    where payments.event_type = 'refunded'
),

lines as (
    select
        orders.customer_id,
        orders.ordered_at,
        products.category_level_1,
        order_items.line_amount_usd
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    inner join products
        on order_items.product_id = products.product_id
),

order_features as (
    select
        cutoffs.cutoff_date,
        order_facts.customer_id,
        count(*) as order_count,
        count(*) filter (
            where order_facts.order_date >= cutoffs.cutoff_date - interval 90 day
        ) as order_count_90d,
        max(order_facts.order_date) as last_order_date,
        min(order_facts.order_date) as first_order_date,
        sum(order_facts.gross_revenue_usd) as gross_revenue_usd,
        avg(case when order_facts.channel in ('web', 'mobile_app') then 1 else 0 end) as online_order_share
    from cutoffs
    inner join order_facts
        on order_facts.ordered_at < cast(cutoffs.cutoff_date as timestamp)
    group by cutoffs.cutoff_date, order_facts.customer_id
),

refund_features as (
    select
        cutoffs.cutoff_date,
        refunds.customer_id,
        count(*) as refund_count,
        sum(refunds.amount_usd) as refunded_usd
    from cutoffs
    inner join refunds
        on refunds.event_at < cast(cutoffs.cutoff_date as timestamp)
    group by cutoffs.cutoff_date, refunds.customer_id
),

category_features as (
    select
        cutoffs.cutoff_date,
        lines.customer_id,
        sum(lines.line_amount_usd) as line_total_usd,
        sum(lines.line_amount_usd) filter (where lines.category_level_1 = 'Beauty') as beauty_usd,
        sum(lines.line_amount_usd) filter (where lines.category_level_1 = 'Books') as books_usd,
        sum(lines.line_amount_usd) filter (
            where lines.category_level_1 = 'Electronics'
        ) as electronics_usd,
        sum(lines.line_amount_usd) filter (where lines.category_level_1 = 'Fashion') as fashion_usd,
        sum(lines.line_amount_usd) filter (
            where lines.category_level_1 = 'Home & Kitchen'
        ) as home_usd,
        sum(lines.line_amount_usd) filter (where lines.category_level_1 = 'Sports') as sports_usd
    from cutoffs
    inner join lines
        on lines.ordered_at < cast(cutoffs.cutoff_date as timestamp)
    group by cutoffs.cutoff_date, lines.customer_id
),

future_orders as (
    select
        cutoffs.cutoff_date,
        order_facts.customer_id,
        count(*) as orders_next_90d
    from cutoffs
    inner join order_facts
        on
            order_facts.ordered_at >= cast(cutoffs.cutoff_date as timestamp)
            and order_facts.ordered_at < cast(cutoffs.cutoff_date + interval 90 day as timestamp)
    group by cutoffs.cutoff_date, order_facts.customer_id
),

final as (
    select
        order_features.customer_id,
        order_features.cutoff_date,
        customers.country_code,
        coalesce(geography.region_name, 'Unknown') as region_name,
        cast({{ dbt.datediff("cast(customers.signed_up_at as date)", 'order_features.cutoff_date', 'day') }} as bigint) as tenure_days,  -- noqa: LT05
        cast({{ dbt.datediff("order_features.last_order_date", 'order_features.cutoff_date', 'day') }} as bigint) as days_since_last_order,  -- noqa: LT05
        cast({{ dbt.datediff("order_features.first_order_date", 'order_features.cutoff_date', 'day') }} as bigint) as days_since_first_order,  -- noqa: LT05
        order_features.order_count,
        order_features.order_count_90d,
        cast(order_features.gross_revenue_usd as double) as gross_revenue_usd,
        cast(order_features.gross_revenue_usd as double) / order_features.order_count
            as avg_order_value_usd,
        coalesce(refund_features.refund_count, 0) as refund_count,
        cast(coalesce(refund_features.refunded_usd, 0) as double) as refunded_usd,
        cast(order_features.online_order_share as double) as online_order_share,
        cast(coalesce(category_features.beauty_usd, 0) as double) / nullif(category_features.line_total_usd, 0)
            as beauty_share,
        cast(coalesce(category_features.books_usd, 0) as double) / nullif(category_features.line_total_usd, 0)
            as books_share,
        cast(coalesce(category_features.electronics_usd, 0) as double) / nullif(category_features.line_total_usd, 0)
            as electronics_share,
        cast(coalesce(category_features.fashion_usd, 0) as double) / nullif(category_features.line_total_usd, 0)
            as fashion_share,
        cast(coalesce(category_features.home_usd, 0) as double) / nullif(category_features.line_total_usd, 0)
            as home_share,
        cast(coalesce(category_features.sports_usd, 0) as double) / nullif(category_features.line_total_usd, 0)
            as sports_share,
        order_features.cutoff_date + interval 90 day <= data_range.last_order_date as has_label_window,
        case
            when order_features.cutoff_date + interval 90 day <= data_range.last_order_date
                then coalesce(future_orders.orders_next_90d, 0) = 0
        end as is_churned
    from order_features
    cross join data_range
    inner join customers
        on order_features.customer_id = customers.customer_id
    left join geography
        on customers.country_code = geography.country_code
    left join refund_features
        on
            order_features.customer_id = refund_features.customer_id
            and order_features.cutoff_date = refund_features.cutoff_date
    left join category_features
        on
            order_features.customer_id = category_features.customer_id
            and order_features.cutoff_date = category_features.cutoff_date
    left join future_orders
        on
            order_features.customer_id = future_orders.customer_id
            and order_features.cutoff_date = future_orders.cutoff_date
)

select * from final
