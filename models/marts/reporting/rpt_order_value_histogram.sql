{#-
    Distribution of order value (QuickSight histogram, with bins of unequal width): one row per
    bin, shipping country and channel, so row-level security applies and the bins of any set of
    rows add up. Bins come from ref_order_value_bins ([bin_lower, next bin_lower)); the last bin is
    closed by the largest order value. Order value = gross_revenue_usd of orders that were not
    cancelled. density = order_count / bin_width: bar heights in a histogram of unequal bins, so
    that each bar's area is proportional to its frequency.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
    where not is_cancelled
),

bin_edges as (
    select * from {{ ref('ref_order_value_bins') }}
),

largest as (
    select max(gross_revenue_usd) as max_value from orders
),

bins as (
    select
        cast(row_number() over (order by bin_edges.bin_lower) as integer) as bin_number,
        bin_edges.bin_lower,
        coalesce(
            lead(bin_edges.bin_lower) over (order by bin_edges.bin_lower),
            -- the last bin ends at the largest order value, rounded up to the next 100 above it
            (floor(greatest(largest.max_value, bin_edges.bin_lower) / 100) + 1) * 100
        ) as bin_upper
    from bin_edges
    cross join largest
),

binned as (
    select
        bins.bin_number,
        orders.country_code,
        orders.channel,
        count(*) as order_count,
        sum(orders.gross_revenue_usd) as gross_revenue_usd
    from orders
    inner join bins
        on
            orders.gross_revenue_usd >= bins.bin_lower
            and orders.gross_revenue_usd < bins.bin_upper
    group by bins.bin_number, orders.country_code, orders.channel
),

final as (
    select
        bins.bin_number,
        cast(bins.bin_lower as decimal(18, 2)) as bin_lower,
        cast(bins.bin_upper as decimal(18, 2)) as bin_upper,
        cast(bins.bin_upper - bins.bin_lower as decimal(18, 2)) as bin_width,
        binned.country_code,
        binned.channel,
        cast(binned.order_count as integer) as order_count,
        cast(binned.gross_revenue_usd as decimal(18, 2)) as gross_revenue_usd,
        cast(binned.order_count as double) / (bins.bin_upper - bins.bin_lower) as density
    from binned
    inner join bins
        on binned.bin_number = bins.bin_number
)

select * from final
