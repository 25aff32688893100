{#-
    JSON: a row as JSON text, values read from JSON text.
    Engine-specific SQL behind adapter.dispatch (docs/scale-out.md): the default__ form is the
    DuckDB SQL the models had before, word for word; spark__ is the Spark 4 (ANSI mode) form.
-#}

{#- A whole row (a relation or CTE alias) as JSON text, NULL fields included. -#}
{% macro row_to_json(alias) -%}
    {{ return(adapter.dispatch('row_to_json', 'lakesight')(alias)) }}
{%- endmacro %}

{% macro default__row_to_json(alias) -%}
    cast(to_json({{ alias }}) as varchar)
{%- endmacro %}

{% macro spark__row_to_json(alias) -%}
    {#- microseconds kept (Spark's default timestampFormat stops at milliseconds) -#}
    to_json(
        struct({{ alias }}.*),
        map('ignoreNullFields', 'false', 'timestampFormat', 'yyyy-MM-dd HH:mm:ss.SSSSSSXXX')
    )
{%- endmacro %}

{#- The text value at a JSON path ('$.a.b') of a JSON object, NULL when absent or JSON null. -#}
{% macro json_text(json_expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'lakesight')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, path) -%}
    {{ json_expression }} ->> '{{ path }}'
{%- endmacro %}

{% macro spark__json_text(json_expression, path) -%}
    {#- Spark's JSON path has no quoted member ($."a-b"): the bracket form $['a-b'] -#}
    get_json_object({{ json_expression }}, '{{ path | replace('."', "[\\'") | replace('"', "\\']") }}')
{%- endmacro %}

{#-
    The member of a JSON object whose name is the SQL expression `key` (not known until the row
    is read): its text when `as_text`, else the JSON of its value; NULL when absent.
-#}
{% macro json_member(json_expression, key, as_text) -%}
    {{ return(adapter.dispatch('json_member', 'lakesight')(json_expression, key, as_text)) }}
{%- endmacro %}

{% macro default__json_member(json_expression, key, as_text) -%}
    {{ 'json_extract_string' if as_text else 'json_extract' }}({{ json_expression }}, '$."' || {{ key }} || '"')
{%- endmacro %}

{% macro spark__json_member(json_expression, key, as_text) -%}
    {#- get_json_object gives a member's text, or the JSON of an object or array -#}
    get_json_object({{ json_expression }}, concat('$[\'', {{ key }}, '\']'))
{%- endmacro %}
