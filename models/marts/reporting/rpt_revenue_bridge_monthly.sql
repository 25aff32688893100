{#-
    Month-over-month net revenue bridge (QuickSight waterfall): per month, shipping country and
    channel, the steps from the previous month's net revenue to this month's:
      1 start      net revenue of the previous month (0 for the first month)
      2 new        + gross revenue of customers whose first order falls in this month
      3 returning  + change in gross revenue of the other customers who bought this month
      4 lost       − the previous month's gross revenue of customers who bought then but not now
      5 refunds    − the change in refunds (refunds grow: negative)
      6 end        net revenue of the month
    Steps 2-5 sum exactly to end − start, at every grain and so for any set of rows a principal
    may see (a customer counts at the country and channel of its orders). Cancelled orders are
    left out; refunds are booked in the month of their order.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
    where not is_cancelled
),

first_orders as (
    select
        customer_id,
        min(cast({{ dbt.date_trunc('month', 'order_date') }} as date)) as first_month
    from orders
    group by customer_id
),

months as (
    select distinct cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date
    from orders
),

orders_by_month as (
    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        country_code,
        channel,
        customer_id,
        gross_revenue_usd,
        refunded_usd
    from orders
),

cells as (
    select
        month_start_date,
        country_code,
        channel,
        customer_id,
        sum(gross_revenue_usd) as gross_usd,
        sum(refunded_usd) as refunded_usd
    from orders_by_month
    group by month_start_date, country_code, channel, customer_id
),

-- every cell of a month also exists in the next month (with zeros), so "lost" can be seen
paired as (
    select
        months.month_start_date,
        cells.country_code,
        cells.channel,
        cells.customer_id,
        coalesce(sum(cells.gross_usd) filter (where cells.month_start_date = months.month_start_date), 0) as gross_usd,
        coalesce(sum(cells.refunded_usd) filter (where cells.month_start_date = months.month_start_date), 0)
            as refunded_usd,
        coalesce(sum(cells.gross_usd) filter (where cells.month_start_date < months.month_start_date), 0)
            as previous_gross_usd,
        coalesce(sum(cells.refunded_usd) filter (where cells.month_start_date < months.month_start_date), 0)
            as previous_refunded_usd
    from months
    inner join cells
        on
            months.month_start_date = cells.month_start_date
            or cells.month_start_date = cast(months.month_start_date - interval 1 month as date)
    group by months.month_start_date, cells.country_code, cells.channel, cells.customer_id
),

classified as (
    select
        paired.*,
        first_orders.first_month = paired.month_start_date as is_new
    from paired
    inner join first_orders
        on paired.customer_id = first_orders.customer_id
),

steps as (
    select
        month_start_date,
        country_code,
        channel,
        sum(previous_gross_usd - previous_refunded_usd) as start_usd,
        sum(case when is_new then gross_usd else 0 end) as new_usd,
        sum(case when not is_new and gross_usd > 0 then gross_usd - previous_gross_usd else 0 end)
            as returning_usd,
        -sum(case when not is_new and gross_usd = 0 then previous_gross_usd else 0 end) as lost_usd,
        -sum(refunded_usd - previous_refunded_usd) as refunds_usd,
        sum(gross_usd - refunded_usd) as end_usd
    from classified
    group by month_start_date, country_code, channel
),

{%- set bridge_steps = ['start', 'new', 'returning', 'lost', 'refunds', 'end'] %}

unpivoted as (
    {%- for step in bridge_steps %}
        select
            month_start_date,
            country_code,
            channel,
            {{ loop.index }} as step_number,
            '{{ step }}' as step,
            {{ step }}_usd as amount_usd
        from steps
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        month_start_date,
        country_code,
        channel,
        cast(step_number as integer) as step_number,
        step,
        cast(amount_usd as decimal(18, 2)) as amount_usd,
        -- the bar's top: the start, then start plus the steps so far; the end bar stands alone
        cast(
            case
                when step = 'end' then amount_usd
                else sum(amount_usd) over (
                        partition by month_start_date, country_code, channel
                        order by step_number
                        rows between unbounded preceding and current row
                    )
            end as decimal(18, 2)
        ) as running_total_usd
    from unpivoted
)

select * from final
