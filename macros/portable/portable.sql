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
    try_to_timestamp({{ expression }}, '{{ java_datetime_format(format) }}')
{%- endmacro %}

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

{#- The strftime format (%Y %m %d %H %M %S %b %z) as a Java DateTimeFormatter pattern, for Spark. -#}
{% macro java_datetime_format(format) -%}
    {{- format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd') | replace('%H', 'HH')
        | replace('%M', 'mm') | replace('%S', 'ss') | replace('%b', 'MMM') | replace('%z', 'Z') -}}
{%- endmacro %}

{#- A timestamp with time zone as the plain timestamp of the same instant in UTC. -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}

{% macro spark__utc_timestamp(expression) -%}
    {{ expression }}
{%- endmacro %}

{#- Now, as a plain timestamp in UTC. -#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now', 'lakesight')()) }}
{%- endmacro %}

{% macro default__utc_now() -%}
    cast(current_timestamp at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro spark__utc_now() -%}
    current_timestamp()
{%- endmacro %}

{#- The keyword that keeps a CTE read more than once from being materialised (empty where there is none). -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'lakesight')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}

{#- A regular expression as a string literal the engine passes to its regex functions unchanged. -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal', 'lakesight')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    '{{ pattern }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    r'{{ pattern }}'
{%- endmacro %}

{#- True when the text matches the regular expression (anywhere, unless anchored). -#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'lakesight')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    regexp_like({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{#-
    One text column per capture group of the pattern (names, in group order), when `condition`
    holds (NULL columns otherwise); '' for every group when the text does not match.
-#}
{% macro regex_groups(expression, pattern, names, condition) -%}
    {{ return(adapter.dispatch('regex_groups', 'lakesight')(expression, pattern, names, condition)) }}
{%- endmacro %}

{% macro default__regex_groups(expression, pattern, names, condition) -%}
        unnest(case
            when {{ condition }} then regexp_extract(
                    {{ expression }},
                    {{ regex_literal(pattern) }},
                    ['{{ names | join("', '") }}']
                )
        end)
{%- endmacro %}

{% macro spark__regex_groups(expression, pattern, names, condition) -%}
    {%- for name in names %}
        case when {{ condition }} then regexp_extract({{ expression }}, {{ regex_literal(pattern) }}, {{ loop.index }}) end as {{ name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- True when the text starts with the prefix. -#}
{% macro text_starts_with(expression, prefix) -%}
    {{ return(adapter.dispatch('text_starts_with', 'lakesight')(expression, prefix)) }}
{%- endmacro %}

{% macro default__text_starts_with(expression, prefix) -%}
    starts_with({{ expression }}, {{ prefix }})
{%- endmacro %}

{% macro spark__text_starts_with(expression, prefix) -%}
    startswith({{ expression }}, {{ prefix }})
{%- endmacro %}

{#- The text split at every occurrence of a one-character delimiter (a SQL expression), as a list. -#}
{% macro split_text(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_text', 'lakesight')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_text(expression, delimiter) -%}
    string_split({{ expression }}, {{ delimiter }})
{%- endmacro %}

{% macro spark__split_text(expression, delimiter) -%}
    {#- Spark splits at a regex: the delimiter is quoted -#}
    split({{ expression }}, concat('\\Q', {{ delimiter }}, '\\E'), -1)
{%- endmacro %}

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

{#- Percent-encoded text decoded. -#}
{% macro decode_url(expression) -%}
    {{ return(adapter.dispatch('decode_url', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__decode_url(expression) -%}
    url_decode({{ expression }})
{%- endmacro %}

{% macro spark__decode_url(expression) -%}
    {#- as DuckDB: '+' stays '+', and text that is not valid percent-encoding is kept as it is -#}
    coalesce(try_url_decode(replace({{ expression }}, '+', '%2B')), {{ expression }})
{%- endmacro %}

{#- The text value at a JSON path ('$.a.b') of a JSON object, NULL when absent or JSON null. -#}
{% macro json_text(json_expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'lakesight')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, path) -%}
    {{ json_expression }} ->> '{{ path }}'
{%- endmacro %}

{% macro spark__json_text(json_expression, path) -%}
    get_json_object({{ json_expression }}, '{{ path }}')
{%- endmacro %}
