{#-
    Category profile (QuickSight radar chart): one row per top-level category and measure, the raw
    value and the value normalised to [0, 1] across categories (min-max; 1 when all categories are
    equal), so measures of different units share one chart.
      revenue_usd      gross line revenue of orders that were not cancelled
      margin           (revenue − quantity × current unit cost) / revenue
      refund_rate      share of the category's order lines whose order had a refund
      positive_reviews share of the category's labelled reviews whose sentiment is positive
      conversion_rate  share of web sessions that viewed a product of the category and converted
    A measure without data for a category (no reviews, no sessions) is NULL, not 0.
    The last two come from rpt_category_engagement. Over all rows: normalisation is not additive
    and revenue mixes every principal's sales, so it is not a secure dataset (dashboards compute
    the sales axes per principal from the order lines of its extract).
-#}
with

order_items as (
    select * from {{ ref('int_order_items_joined_to_products') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

products as (
    select * from {{ ref('dim_products') }}
),

engagement as (
    select * from {{ ref('rpt_category_engagement') }}
),

sales as (
    select
        order_items.category_level_1,
        sum(order_items.line_amount_usd) as revenue_usd,
        sum(order_items.line_amount_usd - order_items.quantity * order_items.unit_cost_usd) as margin_usd,
        avg(case when orders.refunded_usd > 0 then 1 else 0 end) as refund_rate
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    where not orders.is_cancelled
    group by order_items.category_level_1
),

categories as (
    select distinct category_level_1 from products
),

profiles as (
    select
        categories.category_level_1,
        cast(sales.revenue_usd as double) as revenue_usd,
        cast(sales.margin_usd as double) / nullif(sales.revenue_usd, 0) as margin,
        cast(sales.refund_rate as double) as refund_rate,
        engagement.positive_reviews,
        engagement.conversion_rate
    from categories
    left join sales on categories.category_level_1 = sales.category_level_1
    left join engagement on categories.category_level_1 = engagement.category_level_1
),

{%- set profile_measures = ['revenue_usd', 'margin', 'refund_rate', 'positive_reviews', 'conversion_rate'] %}

measures as (
    {%- for measure in profile_measures %}
        select
            category_level_1,
            '{{ measure }}' as measure_name,
            {{ measure }} as measure_value
        from profiles
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

ranged as (
    select
        *,
        min(measure_value) over (partition by measure_name) as min_value,
        max(measure_value) over (partition by measure_name) as max_value
    from measures
),

final as (
    select
        category_level_1,
        measure_name,
        -- rounded to 12 places: a double's last bits must not depend on the order of a parallel sum
        cast(round(measure_value, 12) as double) as measure_value,
        cast(
            case
                when measure_value is null then null
                when max_value = min_value then 1.0
                else round((measure_value - min_value) / (max_value - min_value), 12)
            end as double
        ) as normalised_value
    from ranged
)

select * from final
