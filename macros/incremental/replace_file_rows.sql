{#-
    The incremental strategy of the base models: delete the rows the new batch replaces, then
    insert it. A batch row replaces the row of the same file and line, and every row of its file
    loaded at another time (the earlier content of a reloaded file, lines it no longer has
    included). Configured as +incremental_strategy in dbt_project.yml; the rows a batch holds are
    base_scope_ctes (base_scope.sql) over state.sql's last build (docs/performance.md).
-#}
{% macro get_incremental_replace_file_rows_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as t
    where exists (
        select 1 from {{ batch }} as b
        where
            b._source_file = t._source_file
            and (b._line_number is not distinct from t._line_number or b._loaded_at != t._loaded_at)
    );
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ batch }}
{%- endmacro %}
