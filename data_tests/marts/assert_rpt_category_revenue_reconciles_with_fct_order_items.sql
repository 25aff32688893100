{#-
    The category leaves add up to every parent and to the total: per top and middle category, the
    sum of rpt_category_revenue equals the line revenue of non-cancelled orders read from
    fct_order_items and dim_products directly (the total is the union of the top categories).
    Returns the categories that disagree.
-#}
with

report_leaves as (
    select * from {{ ref('rpt_category_revenue') }}
),

lines as (
    select
        products.category_level_1,
        products.category_level_2,
        items.line_amount_usd
    from {{ ref('fct_order_items') }} as items
    inner join {{ ref('fct_orders') }} as orders
        on items.order_id = orders.order_id
    inner join {{ ref('dim_products') }} as products
        on items.product_id = products.product_id
    where not orders.is_cancelled
),

-- every level of the tree: (level 1, level 2), (level 1, all), (all, all)
report as (
    select
        category_level_1,
        category_level_2,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(line_count) as line_count
    from report_leaves
    group by category_level_1, category_level_2
    union all
    select
        category_level_1,
        null as category_level_2,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(line_count) as line_count
    from report_leaves
    group by category_level_1
    union all
    select
        null as category_level_1,
        null as category_level_2,
        sum(gross_revenue_usd) as gross_revenue_usd,
        sum(line_count) as line_count
    from report_leaves
),

direct as (
    select
        category_level_1,
        category_level_2,
        sum(line_amount_usd) as gross_revenue_usd,
        count(*) as line_count
    from lines
    group by category_level_1, category_level_2
    union all
    select
        category_level_1,
        null as category_level_2,
        sum(line_amount_usd) as gross_revenue_usd,
        count(*) as line_count
    from lines
    group by category_level_1
    union all
    select
        null as category_level_1,
        null as category_level_2,
        sum(line_amount_usd) as gross_revenue_usd,
        count(*) as line_count
    from lines
),

final as (
    select
        coalesce(report.category_level_1, direct.category_level_1) as category_level_1,
        coalesce(report.category_level_2, direct.category_level_2) as category_level_2,
        report.gross_revenue_usd as report_gross_revenue_usd,
        direct.gross_revenue_usd as lines_gross_revenue_usd,
        report.line_count as report_line_count,
        direct.line_count as lines_line_count
    from report
    full outer join direct
        on
            report.category_level_1 is not distinct from direct.category_level_1
            and report.category_level_2 is not distinct from direct.category_level_2
    where
        report.gross_revenue_usd is distinct from direct.gross_revenue_usd
        or report.line_count is distinct from direct.line_count
)

select * from final
