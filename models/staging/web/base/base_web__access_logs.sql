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

-- a line is checked on its own and with its file's directives: an incremental build reads only
-- the files loaded since (new, or reloaded with new content)
source as (
    select * from {{ ref('raw_web__access_logs') }}
    where {{ loaded_since_last_build() }}
),

-- imported apart from source: a CTE read twice is materialised, here the whole raw table
source_directives as (
    select * from {{ ref('raw_web__access_logs') }}
    where {{ text_starts_with('line', "'#Fields:'") }} and {{ loaded_since_last_build() }}
),

directives as (
    select
        _source_file,
        {{ split_text("trim(substr(line, length('#Fields:') + 1))", "' '") }} as w3c_fields
    from source_directives
    qualify row_number() over (partition by _source_file order by _line_number desc) = 1
),

-- one row per W3C file: its field count and the position of each field read (NULL: not logged)
w3c_files as (
    select
        _source_file,
        {{ list_length('w3c_fields') }} as field_count,
        {{ list_position_of('w3c_fields', "'date'") }} as date_position,
        {{ list_position_of('w3c_fields', "'time'") }} as time_position,
        {{ list_position_of('w3c_fields', "'c-ip'") }} as client_ip_position,
        {{ list_position_of('w3c_fields', "'cs-method'") }} as http_method_position,
        {{ list_position_of('w3c_fields', "'cs-uri-stem'") }} as url_path_position,
        {{ list_position_of('w3c_fields', "'sc-status'") }} as status_code_position,
        {{ list_position_of('w3c_fields', "'sc-bytes'") }} as response_bytes_position,
        {{ list_position_of('w3c_fields', "'cs(Referer)'") }} as referrer_position,
        {{ list_position_of('w3c_fields', "'cs(User-Agent)'") }} as user_agent_position
    from directives
),

lines as (
    select
        line,
        {{ text_starts_with('line', "'#'") }} as is_directive,
        {{ regex_matches('line', '^\\d{4}-\\d{2}-\\d{2}\\t\\d{2}:\\d{2}:\\d{2}\\t') }} as has_w3c_prefix,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from source
),

positioned as (
    select
        lines.*,
        w3c_files.field_count,
        w3c_files.date_position,
        w3c_files.time_position,
        w3c_files.client_ip_position,
        w3c_files.http_method_position,
        w3c_files.url_path_position,
        w3c_files.status_code_position,
        w3c_files.response_bytes_position,
        w3c_files.referrer_position,
        w3c_files.user_agent_position
    from lines
    left join w3c_files
        on
            lines._source_file = w3c_files._source_file
            and lines.has_w3c_prefix
),

matched as (
    select
        *,
        case
            when has_w3c_prefix and field_count is not null then {{ split_text('line', 'chr(9)') }}
        end as w3c_values,
        {{ regex_groups('line', combined_log_pattern(), [
            'apache_client_ip', 'apache_identity', 'apache_user', 'apache_time', 'apache_method',
            'apache_path', 'apache_protocol', 'apache_status', 'apache_bytes', 'apache_referrer',
            'apache_user_agent',
        ], 'not is_directive and not has_w3c_prefix') }}
    from positioned
),

classified as (
    select
        *,
        -- every field of the pattern is non-empty on a match, the client IP (\S+) among them
        coalesce(apache_client_ip != '', false) as is_combined,
        coalesce({{ list_length('w3c_values') }} = field_count, false) as is_w3c
    from matched
),

-- the request time as logged, and parsed: a time that does not parse quarantines its line
timed as (
    select
        *,
        case
            when is_combined then {{ utc_timestamp(try_parse_timestamp('request_time_text', '%d/%b/%Y:%H:%M:%S %z')) }}
            when is_w3c then {{ try_parse_timestamp('request_time_text', '%Y-%m-%d %H:%M:%S') }}
        end as requested_at
    from (
        select
            *,
            case
                when is_combined then apache_time
                when is_w3c
                    then {{ list_element('w3c_values', 'date_position') }}
                        || ' '
                        || {{ list_element('w3c_values', 'time_position') }}
            end as request_time_text
        from classified
    )
),

checked as {{ not_materialized() }} (
    select
        *,
        {{ reject_reason([
            ["not is_directive and not is_combined and not is_w3c", "log line in neither W3C extended nor Apache combined format"],
            ["(is_combined or is_w3c) and requested_at is null", "request time is missing or not a timestamp", "request_time_text"],
        ]) }} as _check_failures,
        line as _raw_record
    from timed
),

{{ quarantine_ctes('checked', ['_source_file', '_line_number']) }},

final as (
    select
        case
            when is_directive then 'directive'
            when is_combined then 'apache_combined'
            when is_w3c then 'w3c_extended'
        end as log_format,
        requested_at,
        case
            when is_combined then apache_client_ip
            when is_w3c then nullif({{ list_element('w3c_values', 'client_ip_position') }}, '-')
        end as client_ip,
        case
            when is_combined then apache_method
            when is_w3c then nullif({{ list_element('w3c_values', 'http_method_position') }}, '-')
        end as http_method,
        case
            when is_combined then apache_path
            when is_w3c then nullif({{ list_element('w3c_values', 'url_path_position') }}, '-')
        end as url_path,
        try_cast(case
            when is_combined then apache_status
            when is_w3c then nullif({{ list_element('w3c_values', 'status_code_position') }}, '-')
        end as integer) as status_code,
        try_cast(case
            when is_combined then nullif(apache_bytes, '-')
            when is_w3c then nullif({{ list_element('w3c_values', 'response_bytes_position') }}, '-')
        end as bigint) as response_bytes,
        case
            when is_combined then nullif(apache_referrer, '-')
            when is_w3c then nullif({{ list_element('w3c_values', 'referrer_position') }}, '-')
        end as referrer,
        case
            when is_combined then nullif(apache_user_agent, '-')
            when is_w3c then {{ decode_url("nullif(" ~ list_element('w3c_values', 'user_agent_position') ~ ", '-')") }}
        end as user_agent,
        line as log_line,
        is_directive as _is_directive,
        _reject_reason,
        _is_superseded,
        _raw_record,
        _rules_version,
        _checked_at,
        _source_file,
        _line_number,
        _loaded_at
    from versioned
)

select * from final
