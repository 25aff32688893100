with

countries as (
    select * from {{ ref('ref_countries') }}
),

final as (
    select
        country_code,
        country_code_alpha3,
        country_numeric,
        country_name,
        coalesce(region_name, 'Unassigned') as region_name,
        coalesce(sub_region_name, 'Unassigned') as sub_region_name,
        intermediate_region_name
    from countries
)

select * from final
