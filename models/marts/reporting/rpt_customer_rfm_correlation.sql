{#-
    Correlation matrix of the RFM measures (QuickSight heat map), in long form: one row per pair
    of measures (both orders, computed once, so the matrix is complete and exactly symmetric),
    Pearson's r over all customers of rpt_customer_rfm and Spearman's rho (Pearson's r of the
    average ranks). The diagonal is 1 where the measure varies, NULL where it is constant.
-#}
with

rfm as (
    select * from {{ ref('rpt_customer_rfm') }}
),

measures as (
    select
        customer_id,
        'recency_days' as measure_name,
        cast(recency_days as double) as measure_value
    from rfm
    union all
    select
        customer_id,
        'frequency' as measure_name,
        cast(frequency as double) as measure_value
    from rfm
    union all
    select
        customer_id,
        'monetary_usd' as measure_name,
        cast(monetary_usd as double) as measure_value
    from rfm
),

ranked as (
    select
        *,
        rank() over (partition by measure_name order by measure_value)
        + (count(*) over (partition by measure_name, measure_value) - 1) / 2.0 as value_rank
    from measures
),

pairs as (
    -- each pair once (x <= y); the diagonal is 1 by definition where the measure varies
    select
        x.measure_name as measure_x,
        y.measure_name as measure_y,
        case
            when x.measure_name <> y.measure_name then corr(x.measure_value, y.measure_value)
            when var_samp(x.measure_value) > 0 then 1.0
        end as pearson_r,
        case
            when x.measure_name <> y.measure_name then corr(x.value_rank, y.value_rank)
            when var_samp(x.value_rank) > 0 then 1.0
        end as spearman_rho,
        count(*) as customer_count
    from ranked as x
    inner join ranked as y
        on x.customer_id = y.customer_id and x.measure_name <= y.measure_name
    group by x.measure_name, y.measure_name
),

matrix as (
    select * from pairs
    union all
    select
        measure_y,
        measure_x,
        pearson_r,
        spearman_rho,
        customer_count
    from pairs
    where measure_x <> measure_y
),

final as (
    select
        measure_x,
        measure_y,
        -- NULL for a constant measure (DuckDB's corr gives NaN, Spark's NULL; Spark's greatest and
        -- least skip a NULL); a rounding error of the last bit must not put r outside [-1, 1]
        -- rounded to 12 places: a double's last bits must not depend on the order of a parallel sum
        cast(
            case
                when pearson_r is not null and not isnan(pearson_r)
                    then round(greatest(-1, least(1, pearson_r)), 12)
            end as double
        ) as pearson_r,
        cast(
            case
                when spearman_rho is not null and not isnan(spearman_rho)
                    then round(greatest(-1, least(1, spearman_rho)), 12)
            end as double
        ) as spearman_rho,
        cast(customer_count as integer) as customer_count
    from matrix
)

select * from final
