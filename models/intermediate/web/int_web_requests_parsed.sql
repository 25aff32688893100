{#-
    One row per web request: the fields base_web__access_logs read from both log formats, plus
    the visitor, the page type, and the device class, browser and operating system read from the
    user agent. A log has few distinct user agents: each is classified once, then joined back.

    Incremental by file: a build parses the files loaded since the last one (new, or reloaded with
    new content: delete+insert on _source_file replaces a file's rows), and the post-hook drops
    the rows of a reloaded file none of whose lines are requests any more.
-#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key='_source_file',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns',
    post_hook="{{ delete_stale_loads([ref('stg_web__access_logs'), ref('stg_web__access_logs__rejected')]) }}",
) }}

with

access_logs as (
    select * from {{ ref('stg_web__access_logs') }}
    where {{ loaded_since_last_build() }}
),

-- imported apart from access_logs: a CTE read twice is materialised, here every request
distinct_user_agents as (
    select distinct user_agent from {{ ref('stg_web__access_logs') }}
    where {{ loaded_since_last_build() }}
),

user_agents as (
    select
        user_agent,
        {{ user_agent_device_class('user_agent') }} as device_class,
        {{ user_agent_browser('user_agent') }} as browser,
        {{ user_agent_os('user_agent') }} as operating_system
    from distinct_user_agents
),

final as (
    select
        md5(access_logs._source_file || ':' || access_logs._line_number) as request_id,
        access_logs._source_file,
        access_logs._line_number,
        access_logs.log_format,
        access_logs.requested_at,
        access_logs.client_ip,
        access_logs.http_method,
        split_part(access_logs.url_path, '?', 1) as url_path,
        access_logs.status_code,
        access_logs.response_bytes,
        access_logs.referrer,
        access_logs.user_agent,
        md5(coalesce(access_logs.client_ip, '') || '|' || coalesce(access_logs.user_agent, '')) as visitor_id,
        case
            when {{ regex_matches('access_logs.url_path', '^/?$') }} then 'home'
            when {{ regex_matches('access_logs.url_path', '^/(c|category)/') }} then 'category'
            when {{ regex_matches('access_logs.url_path', '^/(p|product)/') }} then 'product'
            when {{ regex_matches('access_logs.url_path', '^/cart') }} then 'cart'
            when {{ regex_matches('access_logs.url_path', '^/checkout/(complete|confirmation|thank)') }}
                then 'order_confirmation'
            when {{ regex_matches('access_logs.url_path', '^/checkout') }} then 'checkout'
            when {{ regex_matches('access_logs.url_path', '^/search') }} then 'search'
            else 'other'
        end as page_type,
        user_agents.device_class,
        user_agents.browser,
        user_agents.operating_system,
        access_logs._loaded_at,
        '{{ rules_version() }}' as _rules_version
    from access_logs
    left join user_agents on access_logs.user_agent is not distinct from user_agents.user_agent
)

select * from final
