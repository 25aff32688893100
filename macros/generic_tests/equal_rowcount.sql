{#-
    equal_rowcount(model, compare_model)

    Fails when `model` and `compare_model` (a relation, e.g. ref('other'))
    have different row counts.

    Returns, when the counts differ, a single row with `model_rows`,
    `compare_model_rows` and `difference` (model_rows - compare_model_rows);
    nothing when they are equal.
-#}
{% test equal_rowcount(model, compare_model) %}

with

counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_model }}) as compare_model_rows
)

select
    model_rows,
    compare_model_rows,
    model_rows - compare_model_rows as difference
from counts
where model_rows != compare_model_rows

{% endtest %}
