{#-
    unique_combination_of_columns(model, combination_of_columns)

    Fails when two or more rows share the same values in all of the columns
    of `combination_of_columns` (a list of column names or SQL expressions).
    NULLs are grouped together, so two rows (1, NULL) count as duplicates.

    Returns one row per duplicated combination: the combination's columns and
    `row_count`, the number of rows sharing it; the failure count is the
    number of duplicated combinations.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set columns = [combination_of_columns] if combination_of_columns is string
    else combination_of_columns -%}
{%- if columns is none or columns | length == 0 -%}
    {{ exceptions.raise_compiler_error(
        "unique_combination_of_columns: combination_of_columns must list at least one column"
    ) }}
{%- endif %}

select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    count(*) as row_count
from {{ model }}
group by
    {%- for column in columns %}
    {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
having count(*) > 1

{% endtest %}
