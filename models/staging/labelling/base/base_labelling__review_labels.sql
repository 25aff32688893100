with

source as (
    select * from {{ ref('raw_labelling__review_labels') }}
),

parsed as (
    {{ select_json_records('source') }}
),

typed as (
    select
        trim({{ json_text('record', '$.review_id') }}) as review_id,
        try_cast({{ json_text('record', '$.product_id') }} as bigint) as product_id,
        {{ json_text('record', '$.source') }} as review_text,
        -- the label attribute is the job's own name: the key whose '<key>-metadata' object exists
        {{ manifest_label_attributes('record') }} as _label_attributes,
        record,
        record is null as _is_invalid_json,
        line as _raw_record,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from parsed
),

labelled as (
    select
        *,
        -- the labelling time of the line's job: read in int_review_labels_resolved (labelled_at)
        {{ json_text(
            json_member('record', list_element('_label_attributes', 1) ~ " || '-metadata'", as_text=false),
            '$."creation-date"'
        ) }} as _creation_date_text
    from typed
),

checked as {{ not_materialized() }} (
    select
        *,
        {{ reject_reason([
            ["_is_invalid_json", "invalid JSON: not a JSON object"],
            ["not _is_invalid_json and (review_id is null or review_id = '')", "review_id is missing"],
            ["not _is_invalid_json and product_id is null", "product_id is missing or not an integer"],
            ["not _is_invalid_json and " ~ list_length('_label_attributes') ~ " = 0", "manifest line without a label and its -metadata object"],
            [list_length('_label_attributes') ~ " > 1", "manifest line with more than one label attribute"],
            [cast_failed("_creation_date_text", try_parse_iso_timestamp_utc("_creation_date_text")), "creation-date is not a timestamp", "_creation_date_text"],
        ]) }} as _check_failures
    from labelled
),

{{ quarantine_ctes('checked', ['review_id']) }},

final as (
    select
        review_id,
        product_id,
        review_text,
        {{ list_element('_label_attributes', 1) }} as label_attribute_name,
        record as manifest_record,
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
