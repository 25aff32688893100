{#-
    Ground Truth output-manifest resolution: the label attribute name differs per labelling job, so
    the label and its metadata are read through the name staging found (the key whose
    '<name>-metadata' object exists).
-#}
with

review_labels as (
    select * from {{ ref('stg_labelling__review_labels') }}
),

extracted as (
    select
        review_id,
        product_id,
        review_text,
        label_attribute_name,
        {{ json_member('manifest_record', 'label_attribute_name', as_text=true) }} as label_value,
        {{ json_member('manifest_record', "label_attribute_name || '-metadata'", as_text=false) }}
            as label_metadata
    from review_labels
),

final as (
    select
        review_id,
        product_id,
        review_text,
        label_attribute_name,
        try_cast(label_value as integer) as label_class_id,
        {{ json_text('label_metadata', '$."class-name"') }} as sentiment,
        try_cast({{ json_text('label_metadata', '$.confidence') }} as double) as confidence,
        lower({{ json_text('label_metadata', '$."human-annotated"') }}) = 'yes' as is_human_annotated,
        {{ json_text('label_metadata', '$."job-name"') }} as labelling_job_name,
        {{ try_parse_iso_timestamp_utc(json_text('label_metadata', '$."creation-date"')) }} as labelled_at
    from extracted
)

select * from final
