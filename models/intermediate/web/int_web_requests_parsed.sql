{#-
    One row per web request, both log formats parsed into the same fields, plus the device class,
    browser and operating system read from the user agent.
    W3C extended: tab-separated values placed by the file's #Fields directive, '-' for empty,
    User-Agent URL-encoded. Apache combined: the pattern of macro combined_log_pattern.
-#}
with

access_logs as (
    select * from {{ ref('stg_web__access_logs') }}
),

w3c as (
    select
        _source_file,
        _line_number,
        log_format,
        string_split(log_line, chr(9)) as log_values,
        w3c_fields
    from access_logs
    where log_format = 'w3c_extended'
),

w3c_fields as (
    select
        _source_file,
        _line_number,
        log_format,
        nullif(log_values[list_position(w3c_fields, 'c-ip')], '-') as client_ip,
        nullif(log_values[list_position(w3c_fields, 'cs-method')], '-') as http_method,
        nullif(log_values[list_position(w3c_fields, 'cs-uri-stem')], '-') as url_path,
        nullif(log_values[list_position(w3c_fields, 'sc-status')], '-') as status_code_text,
        nullif(log_values[list_position(w3c_fields, 'sc-bytes')], '-') as response_bytes_text,
        nullif(log_values[list_position(w3c_fields, 'cs(Referer)')], '-') as referrer,
        nullif(log_values[list_position(w3c_fields, 'cs(User-Agent)')], '-') as user_agent_encoded,
        strptime(
            log_values[list_position(w3c_fields, 'date')] || ' ' || log_values[list_position(w3c_fields, 'time')],
            '%Y-%m-%d %H:%M:%S'
        ) as requested_at
    from w3c
),

w3c_parsed as (
    select
        _source_file,
        _line_number,
        log_format,
        requested_at,
        client_ip,
        http_method,
        url_path,
        try_cast(status_code_text as integer) as status_code,
        try_cast(response_bytes_text as bigint) as response_bytes,
        referrer,
        url_decode(user_agent_encoded) as user_agent
    from w3c_fields
),

combined as (
    select
        _source_file,
        _line_number,
        log_format,
        unnest(regexp_extract(
            log_line,
            '{{ combined_log_pattern() }}',
            [
                'client_ip', 'remote_identity', 'remote_user', 'request_time', 'http_method', 'url_path',
                'http_protocol', 'status_code_text', 'response_bytes_text', 'referrer', 'user_agent',
            ]
        )) as parsed_fields
    from access_logs
    where log_format = 'apache_combined'
),

combined_parsed as (
    select
        _source_file,
        _line_number,
        log_format,
        strptime(request_time, '%d/%b/%Y:%H:%M:%S %z') at time zone 'UTC' as requested_at,
        client_ip,
        http_method,
        url_path,
        try_cast(status_code_text as integer) as status_code,
        try_cast(nullif(response_bytes_text, '-') as bigint) as response_bytes,
        nullif(referrer, '-') as referrer,
        nullif(user_agent, '-') as user_agent
    from combined
),

unioned as (
    select * from w3c_parsed
    union all
    select * from combined_parsed
),

final as (
    select
        md5(_source_file || ':' || _line_number) as request_id,
        _source_file,
        _line_number,
        log_format,
        requested_at,
        client_ip,
        http_method,
        split_part(url_path, '?', 1) as url_path,
        status_code,
        response_bytes,
        referrer,
        user_agent,
        md5(coalesce(client_ip, '') || '|' || coalesce(user_agent, '')) as visitor_id,
        case
            when regexp_matches(url_path, '^/?$') then 'home'
            when regexp_matches(url_path, '^/(c|category)/') then 'category'
            when regexp_matches(url_path, '^/(p|product)/') then 'product'
            when regexp_matches(url_path, '^/cart') then 'cart'
            when regexp_matches(url_path, '^/checkout/(complete|confirmation|thank)') then 'order_confirmation'
            when regexp_matches(url_path, '^/checkout') then 'checkout'
            when regexp_matches(url_path, '^/search') then 'search'
            else 'other'
        end as page_type,
        {{ user_agent_device_class('user_agent') }} as device_class,
        {{ user_agent_browser('user_agent') }} as browser,
        {{ user_agent_os('user_agent') }} as operating_system
    from unioned
)

select * from final
