{#-
    CTEs shared by every base model, after its `checked` CTE (typed columns + _check_failures):
      scoped    – the rows an incremental build re-checks (base_scope_ctes); all on a full build
      numbered  – copies of the same record (same unique_key and version) numbered in load order;
                  none when the key is the file position (_source_file, _line_number)
      flagged   – _reject_reason: the check failures, or 'duplicate record' for a second copy;
                  _raw_record kept for quarantined rows only
      versioned – _is_superseded: a valid record replaced by a later version of the same key
    So every raw row ends in exactly one of: staged (current), superseded, rejected. The model's
    `checked` CTE is `not materialized`: the scope reads it more than once, and DuckDB would
    otherwise hold every checked row in memory. `rescope` (SQL over checked's columns) adds rows
    an incremental build must re-check because another table changed.
-#}
{% macro quarantine_ctes(checked_cte, unique_key, version_column=none, rescope=none) -%}
{%- set key = unique_key | join(', ') -%}
{{ base_scope_ctes(checked_cte, unique_key, rescope) }},

numbered as (
    select
        *,
        {%- if unique_key | list == ['_source_file', '_line_number'] and not version_column %}
        -- the key is the record's position in its file, unique in the raw layer (its
        -- unique_combination_of_columns test): no copies to number
        1 as _copy_number
        {%- else %}
        row_number() over (
            partition by _check_failures is null, {{ key }}{% if version_column %}, {{ version_column }}{% endif %}
            order by _source_file, _line_number
        ) as _copy_number
        {%- endif %}
    from scoped
),

flagged as (
    select
        {{ star_except(['_check_failures', '_copy_number', '_raw_record']) }},
        case
            when _check_failures is not null then _check_failures
            when _copy_number > 1
                then 'duplicate record: same {{ unique_key | join(" and ") }}{% if version_column %} and {{ version_column }}{% endif %} as an earlier record'
        end as _reject_reason,
        -- the raw record is kept for quarantined rows only (valid rows are in the raw layer)
        case when _check_failures is not null or _copy_number > 1 then _raw_record end as _raw_record,
        '{{ rules_version() }}' as _rules_version,
        {{ utc_now() }} as _checked_at
    from numbered
),

versioned as (
    select
        *,
        {%- if version_column %}
        _reject_reason is null and row_number() over (
            partition by _reject_reason is null, {{ key }}
            order by {{ version_column }} desc, _source_file desc, _line_number desc
        ) > 1 as _is_superseded
        {%- else %}
        false as _is_superseded
        {%- endif %}
    from flagged
)
{%- endmacro %}

{#-
    The quarantine view of a base model: every record that failed a check, with its reason and
    the raw record as JSON text, so nothing is dropped silently.
-#}
{% macro select_rejected(base_model, source_table) -%}
with

base as (
    select * from {{ base_model }}
),

final as (
    select
        '{{ source_table }}' as source_table,
        _source_file,
        _line_number,
        _reject_reason as reject_reason,
        _raw_record as raw_record,
        _loaded_at
    from base
    where _reject_reason is not null
)

select * from final
{%- endmacro %}

{#- The current, valid records of a base model: what a stg_ model exposes. -#}
{% macro select_current(base_model) -%}
with

base as (
    select * from {{ base_model }}
),

final as (
    select {{ star_except(['_reject_reason', '_is_superseded', '_raw_record', '_rules_version', '_checked_at']) }}
    from base
    where _reject_reason is null and not _is_superseded
)

select * from final
{%- endmacro %}
