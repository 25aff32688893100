{#-
    Aggregates: quantile, mode, distinct text list.
    Engine-specific SQL behind adapter.dispatch (docs/scale-out.md): the default__ form is the
    DuckDB SQL the models had before, word for word; spark__ is the Spark 4 (ANSI mode) form.
-#}

{#- Aggregate: the continuous (interpolated) quantile at `fraction` (0–1) of the values, as double. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'lakesight')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    quantile_cont(cast({{ expression }} as double), {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile(cast({{ expression }} as double), {{ fraction }})
{%- endmacro %}

{#- Aggregate: the most frequent value; the smallest of those tied. -#}
{% macro most_frequent(expression) -%}
    {{ return(adapter.dispatch('most_frequent', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__most_frequent(expression) -%}
    mode({{ expression }} order by {{ expression }})
{%- endmacro %}

{% macro spark__most_frequent(expression) -%}
    mode({{ expression }}, true)
{%- endmacro %}

{#- Aggregate: the distinct values as text, sorted, joined by a separator (a SQL expression). -#}
{% macro distinct_text_agg(expression, separator) -%}
    {{ return(adapter.dispatch('distinct_text_agg', 'lakesight')(expression, separator)) }}
{%- endmacro %}

{% macro default__distinct_text_agg(expression, separator) -%}
    string_agg(distinct {{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}

{% macro spark__distinct_text_agg(expression, separator) -%}
    array_join(array_sort(collect_set({{ expression }})), {{ separator }})
{%- endmacro %}
