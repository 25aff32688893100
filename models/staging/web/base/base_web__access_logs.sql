{#-
    Classifies each access-log line: a W3C extended directive (#Version, #Fields), a W3C request
    line (tab-separated, one value per field of its file's #Fields directive), an Apache combined
    request line, or neither (quarantined). Field extraction happens in int_web_requests__parsed.
-#}
with

source as (
    select * from {{ ref('raw_web__access_logs') }}
),

w3c_fields as (
    select
        _source_file,
        string_split(trim(substr(line, length('#Fields:') + 1)), ' ') as w3c_fields
    from source
    where starts_with(line, '#Fields:')
    qualify row_number() over (partition by _source_file order by _line_number desc) = 1
),

classified as (
    select
        source.line,
        w3c_fields.w3c_fields,
        starts_with(source.line, '#') as is_directive,
        regexp_full_match(
            source.line, '{{ combined_log_pattern() }}'
        ) as is_combined,
        w3c_fields.w3c_fields is not null
        and len(string_split(source.line, chr(9))) = len(w3c_fields.w3c_fields)
        and regexp_matches(source.line, '^\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\t') as is_w3c,
        source.line as _raw_record,
        source._load_error,
        source._source_file,
        source._line_number,
        source._loaded_at
    from source
    left join w3c_fields on source._source_file = w3c_fields._source_file
),

checked as (
    select
        *,
        {{ reject_reason([
            ["not is_directive and not is_combined and not is_w3c", "log line in neither W3C extended nor Apache combined format"],
        ]) }} as _check_failures
    from classified
),

{{ quarantine_ctes('checked', ['_source_file', '_line_number']) }},

final as (
    select
        case
            when is_directive then 'directive'
            when is_combined then 'apache_combined'
            when is_w3c then 'w3c_extended'
        end as log_format,
        line as log_line,
        w3c_fields,
        is_directive as _is_directive,
        _reject_reason,
        _is_superseded,
        _raw_record,
        _source_file,
        _line_number,
        _loaded_at
    from versioned
)

select * from final
