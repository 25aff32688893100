{#-
    Engine-specific SQL behind adapter.dispatch (docs/scale-out.md): the default__ form is the
    DuckDB SQL the models had before, word for word; spark__ is the Spark 4 (ANSI mode) form.
-#}

{#- A timestamp parsed from text with a strftime format (%Y %m %d %H %M %S), NULL when it does not parse. -#}
{% macro try_parse_timestamp(expression, format) -%}
    {{ return(adapter.dispatch('try_parse_timestamp', 'lakesight')(expression, format)) }}
{%- endmacro %}

{% macro default__try_parse_timestamp(expression, format) -%}
    try_strptime({{ expression }}, '{{ format }}')
{%- endmacro %}

{% macro spark__try_parse_timestamp(expression, format) -%}
    {%- set java = format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd')
        | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') -%}
    try_to_timestamp({{ expression }}, '{{ java }}')
{%- endmacro %}

{#- A whole row (a relation or CTE alias) as JSON text, NULL fields included. -#}
{% macro row_to_json(alias) -%}
    {{ return(adapter.dispatch('row_to_json', 'lakesight')(alias)) }}
{%- endmacro %}

{% macro default__row_to_json(alias) -%}
    cast(to_json({{ alias }}) as varchar)
{%- endmacro %}

{% macro spark__row_to_json(alias) -%}
    to_json(struct({{ alias }}.*), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- Every column of the row but the named ones (DuckDB `* exclude (…)`, Spark 4 `* except (…)`). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'lakesight')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}
