{#-
    The `parsed` step of a JSON Lines base model: each raw line with `record`, its JSON object, or
    NULL when the line is not valid JSON or not an object (the base model quarantines those), and
    one text column per entry of `fields` (column name: JSON path), all read by one
    json_extract_string call: each `record ->> path` would parse the line again, and the parses of
    a chunk of rows are held in memory together (16 paths needed 100 MB for 3,600 customers).
-#}
{% macro select_json_records(source_cte, fields={}) -%}
    select
        record,
        {%- for name in fields %}
        _values[{{ loop.index }}] as {{ name }},
        {%- endfor %}
        line,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from (
        select
            *,
            {%- if fields %}
            json_extract_string(record, ['{{ fields.values() | join("', '") }}']) as _values,
            {%- endif %}
        from (
            select
                case when json_valid(line) and json_type(line) = 'OBJECT' then cast(line as json) end as record,
                line,
                _load_error,
                _source_file,
                _line_number,
                _loaded_at
            from {{ source_cte }}
        )
    )
{%- endmacro %}
