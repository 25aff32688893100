{#- One row per web session (30 minutes of inactivity ends a session; bots excluded). -#}
with

requests as (
    select * from {{ ref('int_web_sessions_sessionised') }}
),

sessions as (
    select
        session_id,
        any_value(visitor_id) as visitor_id,
        min(requested_at) as started_at,
        max(requested_at) as ended_at,
        count(*) as page_views,
        min_by(page_type, page_view_number) as landing_page_type,
        max_by(page_type, page_view_number) as exit_page_type,
        any_value(device_class) as device_class,
        any_value(browser) as browser,
        any_value(operating_system) as operating_system,
        bool_or(page_type = 'product') as reached_product,
        bool_or(page_type = 'cart') as reached_cart,
        bool_or(page_type = 'checkout') as reached_checkout,
        bool_or(page_type = 'order_confirmation') as converted
    from requests
    group by session_id
),

final as (
    select
        session_id,
        visitor_id,
        started_at,
        ended_at,
        cast(started_at as date) as session_date,
        cast({{ dbt.datediff('started_at', 'ended_at', 'second') }} as integer) as duration_seconds,  -- noqa: LT05
        cast(page_views as integer) as page_views,
        landing_page_type,
        exit_page_type,
        device_class,
        browser,
        operating_system,
        reached_product,
        reached_cart,
        reached_checkout,
        converted
    from sessions
)

select * from final
