{#- One row per calendar day over the range the reference seeds cover (FX rates, targets). -#}
with

days as (
    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('" ~ var('calendar_start') ~ "' as date)",
        end_date="cast('" ~ var('calendar_end') ~ "' as date)",
    ) }}
),

final as (
    select
        cast(date_day as date) as date_day,
        cast(extract(year from date_day) as integer) as calendar_year,
        cast(extract(quarter from date_day) as integer) as calendar_quarter,
        cast(extract(month from date_day) as integer) as calendar_month,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ iso_day_of_week('date_day') }} as integer) as iso_day_of_week,
        {{ date_name('day', 'date_day') }} as day_name,
        {{ date_name('month', 'date_day') }} as month_name,
        cast(extract(week from date_day) as integer) as iso_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend
    from days
)

select * from final
