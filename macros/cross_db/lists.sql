{#-
    Lists and maps: length, position, element, literal, join, unnest, map keys.
    Engine-specific SQL behind adapter.dispatch (docs/scale-out.md): the default__ form is the
    DuckDB SQL the models had before, word for word; spark__ is the Spark 4 (ANSI mode) form.
-#}

{#- The number of elements of a list (NULL for NULL). -#}
{% macro list_length(expression) -%}
    {{ return(adapter.dispatch('list_length', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__list_length(expression) -%}
    len({{ expression }})
{%- endmacro %}

{% macro spark__list_length(expression) -%}
    array_size({{ expression }})
{%- endmacro %}

{#- The 1-based position of a value in a list, NULL when it is not there. -#}
{% macro list_position_of(list_expression, value) -%}
    {{ return(adapter.dispatch('list_position_of', 'lakesight')(list_expression, value)) }}
{%- endmacro %}

{% macro default__list_position_of(list_expression, value) -%}
    list_position({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro spark__list_position_of(list_expression, value) -%}
    nullif(array_position({{ list_expression }}, {{ value }}), 0)
{%- endmacro %}

{#- The element at a 1-based position of a list, NULL when the position is NULL or past the end. -#}
{% macro list_element(list_expression, position) -%}
    {{ return(adapter.dispatch('list_element', 'lakesight')(list_expression, position)) }}
{%- endmacro %}

{% macro default__list_element(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__list_element(list_expression, position) -%}
    {#- element_at wants an int position; array_position gives a bigint -#}
    try_element_at({{ list_expression }}, cast({{ position }} as int))
{%- endmacro %}

{#- In a select list: one output row per element of the list (none for an empty or NULL list). -#}
{% macro unnest_list(expression) -%}
    {{ return(adapter.dispatch('unnest_list', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__unnest_list(expression) -%}
    unnest({{ expression }})
{%- endmacro %}

{% macro spark__unnest_list(expression) -%}
    explode({{ expression }})
{%- endmacro %}

{#- A list literal of text elements (SQL expressions); typed, so an empty list has a type too. -#}
{% macro text_list(items) -%}
    {{ return(adapter.dispatch('text_list', 'lakesight')(items)) }}
{%- endmacro %}

{% macro default__text_list(items) -%}
    cast([{{ items | join(', ') }}] as varchar[])
{%- endmacro %}

{% macro spark__text_list(items) -%}
    cast(array({{ items | join(', ') }}) as array<string>)
{%- endmacro %}

{#- A list as text, its elements joined by a separator (a SQL expression). -#}
{% macro join_list(list_expression, separator) -%}
    {{ return(adapter.dispatch('join_list', 'lakesight')(list_expression, separator)) }}
{%- endmacro %}

{% macro default__join_list(list_expression, separator) -%}
    array_to_string({{ list_expression }}, {{ separator }})
{%- endmacro %}

{% macro spark__join_list(list_expression, separator) -%}
    array_join({{ list_expression }}, {{ separator }})
{%- endmacro %}

{#- True when a map has the key. -#}
{% macro map_has_key(map_expression, key) -%}
    {{ return(adapter.dispatch('map_has_key', 'lakesight')(map_expression, key)) }}
{%- endmacro %}

{% macro default__map_has_key(map_expression, key) -%}
    map_contains({{ map_expression }}, {{ key }})
{%- endmacro %}

{% macro spark__map_has_key(map_expression, key) -%}
    map_contains_key({{ map_expression }}, {{ key }})
{%- endmacro %}

{#- A map as text, to compare maps (Spark cannot group or DISTINCT on a map). -#}
{% macro map_text(map_expression) -%}
    {{ return(adapter.dispatch('map_text', 'lakesight')(map_expression)) }}
{%- endmacro %}

{% macro default__map_text(map_expression) -%}
    cast({{ map_expression }} as varchar)
{%- endmacro %}

{% macro spark__map_text(map_expression) -%}
    to_json({{ map_expression }})
{%- endmacro %}
