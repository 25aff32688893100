{#-
    expression_is_true(model, expression, where=none)

    Fails every row of `model` for which `expression` is not true. A row whose
    expression evaluates to NULL counts as a failure: the filter is
    `not coalesce((expression), false)`, so only a definite true passes.

    Arguments:
        expression: a SQL boolean expression over the model's columns,
            e.g. 'total_amount = quantity * unit_price'.
        where: optional SQL condition restricting which rows are checked.
            Note: in YAML, a `where` key (under `arguments:` or `config:`) is
            taken by dbt as the test's `where` config, which filters the model
            before the test runs; the effect is the same.

    Returns the failing rows (all columns), one failure per row.
-#}
{% test expression_is_true(model, expression, where=none) %}

select
    *
from {{ model }}
where
    not coalesce(({{ expression }}), false)
    {%- if where is not none %}
    and ({{ where }})
    {%- endif %}

{% endtest %}
