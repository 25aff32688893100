with

source as (
    select * from {{ source('lake', 'manifest') }}
),

final as (
    select
        cast(scale as double) as lake_scale,
        cast(seed as integer) as lake_seed,
        cast(start as date) as lake_start_date,
        cast(days as integer) as lake_days
    from source
)

select * from final
