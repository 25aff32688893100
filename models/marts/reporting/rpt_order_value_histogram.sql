{#-
    Distribution of order value (QuickSight histogram, with bins of unequal width): one row per
    bin, shipping country and channel, so row-level security applies and the bins of any set of
    rows add up. Bins come from ref_order_value_bins ([bin_lower, next bin_lower)); the last bin is
    open, and each of its rows is closed by the largest order value of that row's own country and
    channel (a cent above bin_lower when all of them sit on it), never by the largest order of the
    warehouse: a principal's extract and pages carry no edge derived from rows that principal does
    not see (docs/security.md). Order value = gross_revenue_usd of orders that were not cancelled.
    density = order_count / bin_width: bar heights in a histogram of unequal bins, so that each
    bar's area is proportional to its frequency.
-#}
with

orders as (
    select * from {{ ref('fct_orders') }}
    where not is_cancelled
),

bin_edges as (
    select * from {{ ref('ref_order_value_bins') }}
),

bins as (
    select
        cast(row_number() over (order by bin_lower) as integer) as bin_number,
        bin_lower,
        -- NULL for the last, open bin
        lead(bin_lower) over (order by bin_lower) as next_lower
    from bin_edges
),

binned as (
    select
        bins.bin_number,
        orders.country_code,
        orders.channel,
        count(*) as order_count,
        sum(orders.gross_revenue_usd) as gross_revenue_usd,
        max(orders.gross_revenue_usd) as max_value
    from orders
    inner join bins
        on
            orders.gross_revenue_usd >= bins.bin_lower
            and (bins.next_lower is null or orders.gross_revenue_usd < bins.next_lower)
    group by bins.bin_number, orders.country_code, orders.channel
),

edges as (
    select
        binned.bin_number,
        binned.country_code,
        binned.channel,
        binned.order_count,
        binned.gross_revenue_usd,
        bins.bin_lower,
        -- the open bin ends at this row's largest order value (docs/security.md)
        coalesce(bins.next_lower, greatest(binned.max_value, bins.bin_lower + 0.01)) as bin_upper
    from binned
    inner join bins
        on binned.bin_number = bins.bin_number
),

final as (
    select
        bin_number,
        cast(bin_lower as decimal(18, 2)) as bin_lower,
        cast(bin_upper as decimal(18, 2)) as bin_upper,
        cast(bin_upper - bin_lower as decimal(18, 2)) as bin_width,
        country_code,
        channel,
        cast(order_count as integer) as order_count,
        cast(gross_revenue_usd as decimal(18, 2)) as gross_revenue_usd,
        cast(order_count as double) / (bin_upper - bin_lower) as density
    from edges
)

select * from final
