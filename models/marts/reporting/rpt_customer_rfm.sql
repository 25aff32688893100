{#-
    Customer recency, frequency and monetary value (QuickSight scatter plot, and heat map of the
    scores): one row per customer with at least one order that was not cancelled. Recency is
    counted back from the newest order day of the customers of the same country (not from today),
    so a lake built later reads the same. Scores are quintiles within the customer's country, 5 =
    best (most recent, most frequent, most spent). Every figure of a row thus comes from rows of
    its own country, the unit secure.customer_rfm's row rules filter by: a principal's extract
    carries no figure derived from customers that principal does not see (docs/security.md).
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
    where not is_cancelled
),

customers as (
    select * from {{ ref('dim_customers') }}
),

geography as (
    select * from {{ ref('dim_geography') }}
),

per_customer as (
    select
        customer_id,
        max(order_date) as last_order_date,
        count(*) as frequency,
        sum(net_revenue_usd) as monetary_usd
    from orders
    group by customer_id
),

measured as (
    select
        per_customer.customer_id,
        customers.country_code,
        geography.region_name,
        customers.segment,
        per_customer.last_order_date,
        -- the newest order day of the customers of the same country
        max(per_customer.last_order_date) over (partition by customers.country_code)
        - per_customer.last_order_date as recency_days,
        per_customer.frequency,
        per_customer.monetary_usd
    from per_customer
    inner join customers
        on per_customer.customer_id = customers.customer_id
    left join geography
        on customers.country_code = geography.country_code
),

final as (
    select
        customer_id,
        country_code,
        region_name,
        segment,
        last_order_date,
        cast(recency_days as integer) as recency_days,
        cast(frequency as integer) as frequency,
        cast(monetary_usd as decimal(18, 2)) as monetary_usd,
        cast(
            ntile(5) over (partition by country_code order by recency_days desc, customer_id asc) as integer
        ) as recency_score,
        cast(ntile(5) over (partition by country_code order by frequency, customer_id) as integer) as frequency_score,
        cast(ntile(5) over (partition by country_code order by monetary_usd, customer_id) as integer) as monetary_score
    from measured
)

select * from final
