{#-
    Text: regular expressions, splitting, prefixes, URL decoding, hashing.
    Engine-specific SQL behind adapter.dispatch (docs/scale-out.md): the default__ form is the
    DuckDB SQL the models had before, word for word; spark__ is the Spark 4 (ANSI mode) form.
-#}

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

{#- The text split at every match of a regular expression, as a list. -#}
{% macro split_regex(expression, pattern) -%}
    {{ return(adapter.dispatch('split_regex', 'lakesight')(expression, pattern)) }}
{%- endmacro %}

{% macro default__split_regex(expression, pattern) -%}
    regexp_split_to_array({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__split_regex(expression, pattern) -%}
    split({{ expression }}, {{ regex_literal(pattern) }}, -1)
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

{#- The SHA-256 of a text, as 64 lower-case hex digits. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}
