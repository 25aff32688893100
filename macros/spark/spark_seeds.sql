{#-
    Seeds on Spark. dbt-spark 1.11's session cursor formats the seed rows' bindings into the SQL
    text as '<value>' unescaped: a quote in a value breaks the statement (ref_countries' "Côte
    d'Ivoire": PARSE_SYNTAX_ERROR) and an empty cell becomes the text 'None'; and dbt's agate
    reader turns the text `null` into NULL, where dbt-duckdb keeps it (sec_cls_columns.mask
    `null`). So:
    - by default (var spark_seed_reader = 'spark': the Spark driver can read the project's files,
      as with method session; dbt-spark does not expose the connection method to macros): Spark reads
      the seed CSV itself, as DuckDB does (header, RFC 4180 quotes, empty cell = NULL, `null`
      stays text), into a temporary view, and inserts it with the seed's column types;
    - spark_seed_reader = 'dbt' (thrift: the cluster cannot read this machine's files): the rows dbt read,
      each value rendered as a Spark literal (spark_literal), no bindings.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- if var('spark_seed_reader', 'spark') == 'spark' -%}
        {%- set path = (model.root_path ~ '/' ~ model.original_file_path) | replace("'", "\\'") -%}
        {%- set view = 'lakesight_seed__' ~ model.name -%}
        {%- do run_query("create or replace temporary view " ~ view ~ " using csv options (path '" ~ path ~ "', header 'true', escape '\"', multiLine 'true', inferSchema 'false')") -%}
        {%- set sql -%}
            insert into {{ this.render() }}
            select
            {%- for col_name in agate_table.column_names %}
                {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) %}
                cast(`{{ col_name }}` as {{ type }}){% if not loop.last %},{% endif %}
            {%- endfor %}
            from {{ view }}
        {%- endset -%}
        {%- do run_query(sql) -%}
        {%- do run_query("drop view if exists " ~ view) -%}
        {{ return(sql) }}
    {%- endif -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- A Python value of a seed row as a Spark SQL literal. -#}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string) | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
