{#-
    The funnel's flows are conserved: per device class, landing sends out every session of
    fct_web_sessions, every later stage but purchase sends out exactly what flowed in, and what
    reaches purchase is the converted sessions. Returns the stages that disagree.
-#}
with

flows as (
    select * from {{ ref('rpt_web_funnel_flows') }}
),

sessions as (
    select
        device_class,
        count(*) as session_count,
        count(*) filter (where converted) as converted_count
    from {{ ref('fct_web_sessions') }}
    group by device_class
),

outflow as (
    select
        device_class,
        source_stage as stage_name,
        sum(session_count) as sessions_out
    from flows
    group by device_class, source_stage
),

inflow as (
    select
        device_class,
        target_stage as stage_name,
        sum(session_count) as sessions_in
    from flows
    where target_stage <> 'exit'
    group by device_class, target_stage
),

stages as (
    select
        sessions.device_class,
        stage_list.stage_name,
        sessions.session_count,
        sessions.converted_count
    from sessions
    cross join (values ('landing'), ('product'), ('cart'), ('checkout'), ('purchase')) as stage_list (stage_name)
),

final as (
    select
        stages.device_class,
        stages.stage_name,
        coalesce(inflow.sessions_in, 0) as sessions_in,
        coalesce(outflow.sessions_out, 0) as sessions_out,
        stages.session_count,
        stages.converted_count
    from stages
    left join inflow
        on stages.device_class = inflow.device_class and stages.stage_name = inflow.stage_name
    left join outflow
        on stages.device_class = outflow.device_class and stages.stage_name = outflow.stage_name
    where
        (stages.stage_name = 'landing' and coalesce(outflow.sessions_out, 0) <> stages.session_count)
        or (
            stages.stage_name in ('product', 'cart', 'checkout')
            and coalesce(inflow.sessions_in, 0) <> coalesce(outflow.sessions_out, 0)
        )
        or (stages.stage_name = 'purchase' and coalesce(inflow.sessions_in, 0) <> stages.converted_count)
)

select * from final
