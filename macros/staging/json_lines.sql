{#-
    The `parsed` step of a JSON Lines base model: each raw line with `record`, its JSON object, or
    NULL when the line is not valid JSON or not an object (the base model quarantines those).
-#}
{% macro select_json_records(source_cte) -%}
    select
        case when json_valid(line) and json_type(cast(line as json)) = 'OBJECT' then cast(line as json) end as record,
        line,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from {{ source_cte }}
{%- endmacro %}
