{#-
    The lake as Hive external tables on Spark (target type spark only; a no-op elsewhere):
    lake.<system>__<table> over <lake root>/<system>/<table>, partitioned by dt (the
    dt=YYYY-MM-DD folders), for every lake source whose format Spark reads natively:
      csv      - `using csv`, header row, every column as text (gzip read transparently)
      parquet, orc - `using parquet` / `using orc`, the schema of the files
    (csv, parquet and orc infer the columns and the dt partitioning from the files)
      jsonl, log   - `using text`, one row per line (`value`); parsed in staging as on DuckDB
    Avro is skipped: the spark-avro module is not in the PySpark wheel (the raw step reads it
    with polars, docs/scale-out.md). The tables are created once; each call then registers the
    dt partitions that are new since the last one (`msck repair table … add partitions`), so the
    cost grows with the new days, not the lake. The lake root is the var `lake_location`, else
    $LAKESIGHT_LAKE (on EMR: s3://<bucket>/lake). Run: dbt run-operation spark_register_lake
    --target thrift. On a local session (target spark) it refuses to run: `lakesight spark load`
    registers the same tables there (lakesight/engines/spark/lake.py) after checking every file by the
    loads' name rules, which Jinja cannot apply (it sees no file system).
-#}
{% macro spark_register_lake() -%}
    {%- if target.type != 'spark' -%}
        {{ log("spark_register_lake: target " ~ target.name ~ " is not Spark, nothing to do", info=true) }}
        {{ return(none) }}
    {%- endif -%}
    {%- if target.method == 'session' -%}
        {{ exceptions.raise_compiler_error("spark_register_lake: on a local Spark session `lakesight spark load` registers the lake, after checking every lake file by the loads' name rules (docs/scale-out.md); this macro is for a remote cluster (target thrift) only") }}
    {%- endif -%}
    {%- set root = var('lake_location', env_var('LAKESIGHT_LAKE', 'data/lake')) | replace("'", "") -%}
    {%- set using = {'csv': 'csv', 'parquet': 'parquet', 'orc': 'orc', 'jsonl': 'text', 'log': 'text'} -%}
    {%- do run_query("create database if not exists lake") -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- set format = source.meta.get('format') -%}
        {%- set table = 'lake.' ~ source.source_name ~ '__' ~ source.name -%}
        {%- set location = root.rstrip('/') ~ '/' ~ source.source_name ~ '/' ~ source.name -%}
        {%- if format in using -%}
            {%- if using[format] == 'text' -%}
                {%- set columns = "(value string, dt string) using text partitioned by (dt)" -%}
            {%- elif format == 'csv' -%}
                {%- set columns = "using csv options (header 'true')" -%}
            {%- else -%}
                {%- set columns = "using " ~ format -%}
            {%- endif -%}
            {%- do run_query("create table if not exists " ~ table ~ " " ~ columns ~ " location '" ~ location ~ "'") -%}
            {%- do run_query("msck repair table " ~ table ~ " add partitions") -%}
            {%- set partitions = run_query("show partitions " ~ table) -%}
            {{ log(table ~ ": " ~ format ~ " at " ~ location ~ ", " ~ (partitions.rows | length) ~ " dt partition(s)", info=true) }}
        {%- elif format -%}
            {{ log(table ~ ": " ~ format ~ " has no Spark reader here (spark-avro is absent): loaded by the raw step only", info=true) }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
