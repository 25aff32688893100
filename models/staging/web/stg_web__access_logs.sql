with

base as (
    select * from {{ ref('base_web__access_logs') }}
),

final as (
    select
        _source_file,
        _line_number,
        log_format,
        log_line,
        w3c_fields,
        _loaded_at
    from base
    where _reject_reason is null and not _is_directive
)

select * from final
