{#-
    Sessionisation: a visitor (client IP + user agent) starts a new session on its first request
    and after every gap of more than var('session_inactivity_minutes') (30) minutes.
    Bots are not sessionised. One row per request, with its session.

    Incremental by visitor: a build re-sessionises, over their whole history, the visitors with
    a request loaded since the last build or a request of a load no longer current (a reloaded
    file); delete+insert on visitor_id replaces their rows, the post-hook drops the rows of
    visitors left with no request at all.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='visitor_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook="{{ delete_stale_loads([ref('int_web_requests_parsed')]) }}",
) }}
{%- set incremental = last_build() is not none %}

with

requests as (
    select * from {{ ref('int_web_requests_parsed') }}
),
{%- if incremental %}

-- imported apart from requests: a CTE read twice is materialised, here every request
loaded_requests as (
    select visitor_id from {{ ref('int_web_requests_parsed') }}
    where {{ loaded_since_last_build() }}
),

current_loads as (
    select distinct _source_file, _loaded_at from {{ ref('int_web_requests_parsed') }}
),

touched_visitors as (
    select visitor_id from loaded_requests
    union
    select visitor_id from {{ this }}
    where (_source_file, _loaded_at) not in (select l._source_file, l._loaded_at from current_loads as l)
),
{%- endif %}

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
        _line_number,
        _loaded_at
    from requests
    where
        device_class != 'bot'
    {%- if incremental %}
        and visitor_id in (select v.visitor_id from touched_visitors as v)
    {%- endif %}
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
            when requested_at - previous_requested_at > interval {{ var('session_inactivity_minutes') }} minutes then 1
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
        operating_system,
        _source_file,
        _loaded_at,
        '{{ rules_version() }}' as _rules_version
    from numbered
)

select * from final
