{#-
    The `parsed` step of a JSON Lines base model: each raw line with `record`, its JSON object, or
    NULL when the line is not valid JSON or not an object (the base model quarantines those), and
    one text column per entry of `fields` (column name: JSON path), all read by one
    json_extract_string call: each `record ->> path` would parse the line again, and the parses of
    a chunk of rows are held in memory together (16 paths needed 100 MB for 3,600 customers).
-#}
{% macro select_json_records(source_cte, fields={}) -%}
    {{ return(adapter.dispatch('select_json_records', 'lakesight')(source_cte, fields)) }}
{%- endmacro %}

{% macro default__select_json_records(source_cte, fields) -%}
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


{#-
    Spark: `record` is the line's text when it is a JSON object (json_object_keys is NULL for
    anything else: invalid JSON, an array, a scalar); a get_json_object call per field.
-#}
{% macro spark__select_json_records(source_cte, fields) -%}
    select
        record,
        {%- for name, path in fields.items() %}
        get_json_object(record, '{{ path }}') as {{ name }},
        {%- endfor %}
        line,
        _load_error,
        _source_file,
        _line_number,
        _loaded_at
    from (
        select
            case when json_object_keys(line) is not null then line end as record,
            line,
            _load_error,
            _source_file,
            _line_number,
            _loaded_at
        from {{ source_cte }}
    )
{%- endmacro %}

{#-
    The label attributes of a SageMaker Ground Truth manifest line (a JSON object): the keys whose
    '<key>-metadata' key holds an object (the labelling job's own name), in the line's key order.
-#}
{% macro manifest_label_attributes(record) -%}
    {{ return(adapter.dispatch('manifest_label_attributes', 'lakesight')(record)) }}
{%- endmacro %}

{% macro default__manifest_label_attributes(record) -%}
    list_filter(
            json_keys({{ record }}),
            lambda k: list_contains(json_keys({{ record }}), k || '-metadata')
            and json_type({{ record }}, '$."' || k || '-metadata"') = 'OBJECT'
        )
{%- endmacro %}

{% macro spark__manifest_label_attributes(record) -%}
    filter(
            json_object_keys({{ record }}),
            k -> array_contains(json_object_keys({{ record }}), k || '-metadata')
            and json_object_keys(get_json_object({{ record }}, '$[''' || k || '-metadata'']')) is not null
        )
{%- endmacro %}
