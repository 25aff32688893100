{#-
    Sessionisation: a visitor (client IP + user agent) starts a new session on its first request
    and after every gap of more than var('session_inactivity_minutes') (30) minutes.
    Bots are not sessionised. One row per request, with its session.
-#}
with

requests as (
    select * from {{ ref('int_web_requests_parsed') }}
),

-- only the columns the sessions carry: each window below holds every column it is given
human_requests as (
    select
        request_id,
        visitor_id,
        requested_at,
        url_path,
        page_type,
        status_code,
        device_class,
        browser,
        operating_system,
        _source_file,
        _line_number
    from requests
    where device_class != 'bot'
),

gaps as (
    select
        *,
        lag(requested_at) over (
            partition by visitor_id order by requested_at, _source_file, _line_number
        ) as previous_requested_at
    from human_requests
),

flagged as (
    select
        *,
        case
            when previous_requested_at is null then 1
            when requested_at - previous_requested_at > to_minutes({{ var('session_inactivity_minutes') }}) then 1
            else 0
        end as is_session_start
    from gaps
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by visitor_id
            order by requested_at, _source_file, _line_number
            rows between unbounded preceding and current row
        ) as session_number
    from flagged
),

final as (
    select
        md5(visitor_id || ':' || session_number) as session_id,
        visitor_id,
        session_number,
        request_id,
        requested_at,
        row_number() over (
            partition by visitor_id, session_number order by requested_at, _source_file, _line_number
        ) as page_view_number,
        url_path,
        page_type,
        status_code,
        device_class,
        browser,
        operating_system
    from numbered
)

select * from final
