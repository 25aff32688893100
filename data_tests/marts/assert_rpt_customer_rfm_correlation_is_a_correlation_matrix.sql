{#-
    The RFM correlation matrix is complete and symmetric, and its Pearson coefficients equal
    DuckDB's corr() over rpt_customer_rfm computed here directly. Returns the pairs that disagree.
-#}
with

matrix as (
    select * from {{ ref('rpt_customer_rfm_correlation') }}
),

rfm as (
    select * from {{ ref('rpt_customer_rfm') }}
),

direct as (
    select
        'recency_days' as measure_x,
        'frequency' as measure_y,
        corr(recency_days, frequency) as r
    from rfm
    union all
    select
        'recency_days' as measure_x,
        'monetary_usd' as measure_y,
        corr(recency_days, monetary_usd) as r
    from rfm
    union all
    select
        'frequency' as measure_x,
        'monetary_usd' as measure_y,
        corr(frequency, monetary_usd) as r
    from rfm
),

final as (
    select
        direct.measure_x,
        direct.measure_y,
        direct.r as direct_r,
        xy.pearson_r as matrix_xy,
        yx.pearson_r as matrix_yx
    from direct
    left join matrix as xy
        on direct.measure_x = xy.measure_x and direct.measure_y = xy.measure_y
    left join matrix as yx
        on direct.measure_x = yx.measure_y and direct.measure_y = yx.measure_x
    where
        ((select count(*) from rfm) > 0 and (select count(*) from matrix) <> 9)
        or xy.pearson_r is distinct from yx.pearson_r
        -- an undefined r (a constant measure) is NaN on DuckDB and NULL on Spark
        or ((direct.r is null or isnan(direct.r)) and xy.pearson_r is not null)
        or (
            direct.r is not null and not isnan(direct.r)
            and (xy.pearson_r is null or abs(direct.r - xy.pearson_r) > 1e-9)
        )
)

select * from final
