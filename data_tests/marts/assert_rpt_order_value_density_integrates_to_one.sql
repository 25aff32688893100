{#-
    The kernel density estimate is a density: its integral over the grid (trapezoid rule) is 1
    within 1 %, the grid is evenly spaced and reaches beyond the smallest and largest order value.
    Returns one row when it is not.
-#}
with

density as (
    select * from {{ ref('rpt_order_value_density') }}
),

orders as (
    select
        min(gross_revenue_usd) as min_value,
        max(gross_revenue_usd) as max_value
    from {{ ref('fct_orders') }}
    where not is_cancelled
),

steps as (
    select
        order_value_usd - lag(order_value_usd) over (order by point_number) as dx,
        (density + lag(density) over (order by point_number)) / 2 as mean_density
    from density
),

integral as (
    select
        sum(dx * mean_density) as area,
        max(dx) - min(dx) as spacing_spread,
        max(dx) as spacing
    from steps
    where dx is not null
),

final as (
    select
        integral.area,
        integral.spacing_spread,
        (select min(grid.order_value_usd) from density as grid) as grid_min,
        (select max(grid.order_value_usd) from density as grid) as grid_max,
        orders.min_value,
        orders.max_value
    from integral
    cross join orders
    where
        abs(integral.area - 1) > 0.01
        or integral.spacing_spread > 1e-6 * integral.spacing
        or (select min(grid.order_value_usd) from density as grid) >= orders.min_value
        or (select max(grid.order_value_usd) from density as grid) <= orders.max_value
)

select * from final
