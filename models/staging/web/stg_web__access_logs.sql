with

base as (
    select * from {{ ref('base_web__access_logs') }}
),

final as (
    select
        _source_file,
        _line_number,
        log_format,
        requested_at,
        client_ip,
        http_method,
        url_path,
        status_code,
        response_bytes,
        referrer,
        user_agent,
        log_line,
        _loaded_at
    from base
    where _reject_reason is null and not _is_directive
)

select * from final
