{#-
    row_conservation(model, parts)

    The row-conservation check: the row count of `model` (typically a raw
    table) must equal, exactly, the sum of the row counts of `parts`, e.g. a
    staging model plus its quarantine of rejected rows, so that no row is lost
    or duplicated on the way.

    Arguments:
        parts: a list of relations, e.g. [ref('stg_x'), ref('stg_x__rejected')].
            An entry may also be a dict {'relation': ref(...), 'where': '...'}
            to count only the rows of that relation matching the SQL condition.
            A test-level `where` config filters `model` only, not the parts.

    Returns, when the counts differ, a single row with `model_rows`, one
    `part_<n>__<relation name>` column per part holding that part's count,
    `parts_rows` (their sum) and `difference` (model_rows - parts_rows: positive
    when rows were lost, negative when rows were duplicated); nothing when they
    are equal.
-#}
{% test row_conservation(model, parts) %}
{%- set part_list = [parts] if (parts is string or parts is mapping) else parts -%}
{%- if part_list is none or part_list | length == 0 -%}
    {{ exceptions.raise_compiler_error("row_conservation: parts must list at least one relation") }}
{%- endif -%}
{%- set counts = [] -%}
{%- for part in part_list -%}
    {%- if part is mapping and "relation" in part -%}
        {%- set relation = part["relation"] -%}
        {%- set condition = part.get("where") -%}
    {%- elif part is mapping and part.identifier is not defined -%}
        {{ exceptions.raise_compiler_error(
            "row_conservation: a dict part needs a 'relation' key, got " ~ part
        ) }}
    {%- else -%}
        {%- set relation = part -%}
        {%- set condition = none -%}
    {%- endif -%}
    {%- set name = relation.identifier if relation.identifier is defined else relation | string -%}
    {%- set label = modules.re.sub("[^a-z0-9_]+", "_", name | lower)[:40] -%}
    {%- do counts.append({
        "relation": relation,
        "where": condition,
        "column": "part_" ~ loop.index ~ "__" ~ label,
    }) -%}
{%- endfor -%}
{%- set parts_sum = counts | map(attribute="column") | join(" + ") %}

with

counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        {%- for part in counts %}
        (
            select count(*) from {{ part.relation }}
            {%- if part.where is not none %}
            where {{ part.where }}
            {%- endif %}
        ) as {{ part.column }}{{ "," if not loop.last }}
        {%- endfor %}
)

select
    model_rows,
    {%- for part in counts %}
    {{ part.column }},
    {%- endfor %}
    {{ parts_sum }} as parts_rows,
    model_rows - ({{ parts_sum }}) as difference
from counts
where model_rows != {{ parts_sum }}

{% endtest %}
