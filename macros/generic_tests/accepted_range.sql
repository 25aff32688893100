{#-
    accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true)

    Fails every row whose `column_name` lies outside the range. NULL values
    pass (pair this test with not_null when NULLs are not allowed).

    Arguments:
        min_value: lower bound, or none for no lower bound.
        max_value: upper bound, or none for no upper bound (at least one of
            the two bounds is required).
        inclusive: true (default) accepts values equal to a bound; false
            requires min_value < value < max_value.
    Bounds are inlined as SQL: numbers as they are; for dates or strings give a
    SQL literal or expression, e.g. "date '2024-01-01'" or "current_date".

    Returns the failing rows (all columns), one failure per row.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error(
        "accepted_range on " ~ column_name ~ ": give min_value, max_value or both"
    ) }}
{%- endif -%}
{%- set bounds = [] -%}
{%- if min_value is not none -%}
    {%- do bounds.append(column_name ~ (" >= " if inclusive else " > ") ~ min_value) -%}
{%- endif -%}
{%- if max_value is not none -%}
    {%- do bounds.append(column_name ~ (" <= " if inclusive else " < ") ~ max_value) -%}
{%- endif %}

select
    *
from {{ model }}
where
    {{ column_name }} is not null
    and not ({{ bounds | join(" and ") }})

{% endtest %}
