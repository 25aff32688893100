{#-
    Classifies and reads each access-log line, once: a W3C extended directive (#Version, #Fields),
    a W3C extended request (tab-separated, one value per field of its file's last #Fields
    directive), an Apache combined request (macro combined_log_pattern), or neither (quarantined).
    A line is split (W3C) or matched (Apache) here only; the fields are typed here and
    int_web_requests_parsed derives from them. Only the lines with a W3C date-and-time prefix are
    joined to their file's #Fields positions, and only the other non-directive lines are matched
    against the Apache pattern (a W3C line has a tab before its first space, so it can never match).
-#}
with

source as (
    select * from {{ ref('raw_web__access_logs') }}
),

-- imported apart from source: a CTE read twice is materialised, here the whole raw table
source_directives as (
    select * from {{ ref('raw_web__access_logs') }}
    where starts_with(line, '#Fields:')
),

directives as (
    select
        _source_file,
        string_split(trim(substr(line, length('#Fields:') + 1)), ' ') as w3c_fields
    from source_directives
    qualify row_number() over (partition by _source_file order by _line_number desc) = 1
),

-- one row per W3C file: its field count and the position of each field read (NULL: not logged)
w3c_files as (
    select
        _source_file,
        len(w3c_fields) as field_count,
        list_position(w3c_fields, 'date') as date_position,
        list_position(w3c_fields, 'time') as time_position,
        list_position(w3c_fields, 'c-ip') as client_ip_position,
        list_position(w3c_fields, 'cs-method') as http_method_position,
        list_position(w3c_fields, 'cs-uri-stem') as url_path_position,
        list_position(w3c_fields, 'sc-status') as status_code_position,
        list_position(w3c_fields, 'sc-bytes') as response_bytes_position,
        list_position(w3c_fields, 'cs(Referer)') as referrer_position,
        list_position(w3c_fields, 'cs(User-Agent)') as user_agent_position
    from directives
),

lines as (
    select
        line,
        starts_with(line, '#') as is_directive,
        regexp_matches(line, '^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t') as has_w3c_prefix,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from source
),

matched as (
    select
        lines.*,
        w3c_files.* exclude (_source_file),
        case when lines.has_w3c_prefix and w3c_files.field_count is not null then string_split(lines.line, chr(9)) end
            as w3c_values,
        case when not lines.is_directive and not lines.has_w3c_prefix then regexp_extract(
            lines.line,
            '{{ combined_log_pattern() }}',
            [
                'client_ip', 'remote_identity', 'remote_user', 'request_time', 'http_method', 'url_path',
                'http_protocol', 'status_code_text', 'response_bytes_text', 'referrer', 'user_agent',
            ]
        ) end as combined
    from lines
    left join w3c_files
        on
            lines._source_file = w3c_files._source_file
            and lines.has_w3c_prefix
),

classified as (
    select
        *,
        -- every field of the pattern is non-empty on a match, the client IP (\S+) among them
        coalesce(combined.client_ip != '', false) as is_combined,
        coalesce(len(w3c_values) = field_count, false) as is_w3c
    from matched
),

checked as (
    select
        *,
        {{ reject_reason([
            ["not is_directive and not is_combined and not is_w3c", "log line in neither W3C extended nor Apache combined format"],
        ]) }} as _check_failures,
        line as _raw_record
    from classified
),

{{ quarantine_ctes('checked', ['_source_file', '_line_number']) }},

typed as (
    select
        case
            when is_directive then 'directive'
            when is_combined then 'apache_combined'
            when is_w3c then 'w3c_extended'
        end as log_format,
        case
            when is_combined then strptime(combined.request_time, '%d/%b/%Y:%H:%M:%S %z') at time zone 'UTC'
            when is_w3c then strptime(w3c_values[date_position] || ' ' || w3c_values[time_position], '%Y-%m-%d %H:%M:%S')
        end as requested_at,
        case
            when is_combined then combined.client_ip
            when is_w3c then nullif(w3c_values[client_ip_position], '-')
        end as client_ip,
        case
            when is_combined then combined.http_method
            when is_w3c then nullif(w3c_values[http_method_position], '-')
        end as http_method,
        case
            when is_combined then combined.url_path
            when is_w3c then nullif(w3c_values[url_path_position], '-')
        end as url_path,
        try_cast(case
            when is_combined then combined.status_code_text
            when is_w3c then nullif(w3c_values[status_code_position], '-')
        end as integer) as status_code,
        try_cast(case
            when is_combined then nullif(combined.response_bytes_text, '-')
            when is_w3c then nullif(w3c_values[response_bytes_position], '-')
        end as bigint) as response_bytes,
        case
            when is_combined then nullif(combined.referrer, '-')
            when is_w3c then nullif(w3c_values[referrer_position], '-')
        end as referrer,
        case
            when is_combined then nullif(combined.user_agent, '-')
            when is_w3c then url_decode(nullif(w3c_values[user_agent_position], '-'))
        end as user_agent,
        line,
        is_directive,
        _reject_reason,
        _is_superseded,
        _raw_record,
        _source_file,
        _line_number,
        _loaded_at
    from versioned
),

final as (
    select
        log_format,
        requested_at,
        client_ip,
        http_method,
        url_path,
        status_code,
        response_bytes,
        referrer,
        user_agent,
        line as log_line,
        is_directive as _is_directive,
        _reject_reason,
        _is_superseded,
        _raw_record,
        _source_file,
        _line_number,
        _loaded_at
    from typed
)

select * from final
