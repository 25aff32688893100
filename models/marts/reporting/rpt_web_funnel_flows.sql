{#-
    The web funnel as flows (QuickSight Sankey diagram): landing → product → cart → checkout →
    purchase, with an exit from every stage but the last. A session's stage is the furthest one it
    reached (a session that reached the cart without a product page counts as having passed the
    product stage), so the flows are conserved: at every stage but landing and purchase, sessions
    in = sessions out. One row per flow and device class; sessions of bots are not sessionised.
-#}
with

sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

stages as (
    select
        0 as stage_number,
        'landing' as stage_name
    union all
    select
        1 as stage_number,
        'product' as stage_name
    union all
    select
        2 as stage_number,
        'cart' as stage_name
    union all
    select
        3 as stage_number,
        'checkout' as stage_name
    union all
    select
        4 as stage_number,
        'purchase' as stage_name
),

furthest as (
    select
        device_class,
        case
            when converted then 4
            when reached_checkout then 3
            when reached_cart then 2
            when reached_product then 1
            else 0
        end as furthest_stage
    from sessions
),

flows as (
    -- on to the next stage: every session that got further than this one
    select
        furthest.device_class,
        stages.stage_number,
        stages.stage_number + 1 as target_number,
        count(*) as session_count
    from stages
    inner join furthest
        on stages.stage_number < furthest.furthest_stage
    where stages.stage_number < 4
    group by furthest.device_class, stages.stage_number

    union all

    -- exits: every session whose furthest stage is this one (purchase is the end, not an exit)
    select
        furthest.device_class,
        furthest.furthest_stage as stage_number,
        null as target_number,
        count(*) as session_count
    from furthest
    where furthest.furthest_stage < 4
    group by furthest.device_class, furthest.furthest_stage
),

final as (
    select
        flows.device_class,
        cast(flows.stage_number as integer) as source_stage_number,
        source_stages.stage_name as source_stage,
        coalesce(target_stages.stage_name, 'exit') as target_stage,
        cast(flows.session_count as integer) as session_count
    from flows
    inner join stages as source_stages
        on flows.stage_number = source_stages.stage_number
    left join stages as target_stages
        on flows.target_number = target_stages.stage_number
)

select * from final
