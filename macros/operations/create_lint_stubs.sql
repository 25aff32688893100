{#-
    dbt run-operation create_lint_stubs --target lint

    `make lint` compiles models without a warehouse. The secure models read their mart's columns
    and the policy seeds while compiling, so before sqlfluff runs, the lint database gets every
    model with an enforced contract as an empty table with its contract's columns (the policy
    seeds are loaded by `dbt seed --target lint`). Refuses any target but `lint`.
-#}
{% macro create_lint_stubs() %}
    {%- if target.name != 'lint' -%}
        {{ exceptions.raise_compiler_error("create_lint_stubs only runs on the lint target, not " ~ target.name) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.contract.enforced -%}
        {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set columns = [] -%}
        {%- for column in node.columns.values() -%}
            {%- do columns.append(adapter.quote(column.name) ~ ' ' ~ column.data_type) -%}
        {%- endfor -%}
        {%- do run_query('create schema if not exists ' ~ relation.without_identifier()) -%}
        {%- do run_query('create or replace table ' ~ relation ~ ' (' ~ (columns | join(', ')) ~ ')') -%}
    {%- endfor -%}
{% endmacro %}
