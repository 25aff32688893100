{#-
    Incremental base_ models (docs/performance.md, "Incremental base models").

    A base model types and checks raw rows. On an incremental build it re-checks only its scope:
    the raw rows loaded since its last build (new files, and files reloaded because their content
    changed), every raw row of a key those rows hold now or held before (so versions and copies
    are re-ranked over the whole key), the rows it rejected as lying in the future and their keys
    (the clock has moved), and whatever the model adds (base_shop__order_items: the lines of orders loaded
    since). When the rules themselves changed (the model's code, a macro it calls, a seed it
    reads, a var), the scope is every raw row. The strategy replace_file_rows then swaps the
    re-checked rows in.
-#}

{#-
    The CTEs that narrow the checked rows to the scope of an incremental build (see the top of
    this file); on a full build, `scoped` is every checked row.
-#}
{% macro base_scope_ctes(checked_cte, unique_key, rescope=none) -%}
{%- set last = last_build() -%}
{%- set by_position = unique_key | list == ['_source_file', '_line_number'] -%}
{%- if last is not none and not by_position %}
loaded_files as (
    select distinct _source_file from {{ checked_cte }}
    where {{ loaded_since_last_build() }}
),

-- the keys the new and reloaded files hold now, and held in their earlier content, and the keys
-- of records rejected as lying in the future (once valid, such a record may supersede another)
rescoped_keys as (
    select {{ unique_key | join(', ') }} from {{ checked_cte }}
    where {{ loaded_since_last_build() }}
    union
    select {{ unique_key | join(', ') }} from {{ this }}
    where
        _source_file in (select f._source_file from loaded_files as f)
        or _reject_reason like '%is in the future%'
),
{%- endif %}

scoped as (
    select c.* from {{ checked_cte }} as c
    {%- if last is not none %}
    where
        {{ loaded_since_last_build('c._loaded_at') }}
        {%- if not by_position %}
        or exists (
            select 1 from rescoped_keys as k
            where {% for column in unique_key %}k.{{ column }} = c.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
        )
        {%- endif %}
        -- a record rejected as lying in the future may have arrived since (its key, if it has one,
        -- is rescoped above)
        or exists (
            select 1 from {{ this }} as t
            where
                t._reject_reason like '%is in the future%'
                and t._source_file = c._source_file and t._line_number = c._line_number
        )
        {%- if rescope %}
        or {{ rescope }}
        {%- endif %}
    {%- endif %}
)
{%- endmacro %}
