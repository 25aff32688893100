{#-
    Smooth distribution of order value (a kernel density estimate: the visual QuickSight lacks),
    computed in SQL: one row per point of an even grid. Gaussian kernel, Silverman's rule-of-thumb
    bandwidth h = 0.9 · min(sd, IQR / 1.34) · n^(-1/5) over the gross_revenue_usd of orders that were
    not cancelled. The orders are first counted into var kde_fine_bins equal bins (their centres
    carry the counts: a binned KDE, exact to well under h), then the density is evaluated on a grid
    from min − 4h to max + 4h with spacing at most h / 2 (at most var kde_max_points points), so
    the density integrates to 1 (trapezoid rule) within a fraction of a percent.
    Over all orders: it is not additive over countries or channels, so a principal's view of it
    is computed from that principal's rows, not filtered from this table.
-#}
with

orders as (
    select cast(gross_revenue_usd as double) as order_value from {{ ref('fct_orders') }}
    where not is_cancelled
),

summary as (
    select
        count(*) as n,
        min(order_value) as min_value,
        max(order_value) as max_value,
        stddev_samp(order_value) as sd,
        {{ percentile_cont('order_value', 0.75) }} - {{ percentile_cont('order_value', 0.25) }} as iqr
    from orders
),

bandwidth as (
    select
        *,
        -- Silverman's rule of thumb; a sample with no spread gets a bandwidth of 1 (USD)
        coalesce(
            nullif(0.9 * least(sd, coalesce(nullif(iqr, 0), sd) / 1.34) * pow(n, -0.2), 0), 1.0
        ) as h,
        (max_value - min_value) / {{ var('kde_fine_bins') }} as fine_width
    from summary
    where n > 1
),

binned_orders as (
    select
        least(
            floor((orders.order_value - bandwidth.min_value) / nullif(bandwidth.fine_width, 0)),
            {{ var('kde_fine_bins') }} - 1
        ) as fine_bin
    from orders
    cross join bandwidth
),

fine_bins as (
    select
        fine_bin,
        count(*) as order_count
    from binned_orders
    group by fine_bin
),

centres as (
    select
        fine_bins.order_count,
        bandwidth.min_value + (coalesce(fine_bins.fine_bin, 0) + 0.5) * bandwidth.fine_width as centre
    from fine_bins
    cross join bandwidth
),

grid_size as (
    select
        *,
        max_value - min_value + 8 * h as grid_span,
        cast(
            least({{ var('kde_max_points') }}, greatest(64, ceil((max_value - min_value + 8 * h) / (h / 2)) + 1))
            as integer
        ) as points
    from bandwidth
),

grid as (
    select
        cast(grid_points.point_number as integer) as point_number,
        grid_size.min_value - 4 * grid_size.h
        + grid_points.point_number * grid_size.grid_span / (grid_size.points - 1) as x,
        grid_size.h,
        grid_size.n
    from grid_size
    cross join range({{ var('kde_max_points') }}) as grid_points (point_number)
    where grid_points.point_number < grid_size.points
),

final as (
    select
        grid.point_number,
        cast(grid.x as double) as order_value_usd,
        -- rounded to 15 places (densities are per USD, well above 1e-15 where they matter): a
        -- double's last bits must not depend on the order of a parallel sum
        cast(
            round(
                sum(centres.order_count * exp(-0.5 * pow((grid.x - centres.centre) / grid.h, 2)))
                / (grid.n * grid.h * sqrt(2 * pi())),
                15
            ) as double
        ) as density,
        cast(grid.h as double) as bandwidth_usd,
        cast(grid.n as integer) as order_count
    from grid
    cross join centres
    group by grid.point_number, grid.x, grid.h, grid.n
)

select * from final
