{#-
    Post-hook of every raw model: the files this raw table loaded that are no longer in its lake
    folder. Their rows stay in the warehouse (the raw layer keeps what was loaded); the build
    warns, naming them, or fails with var lake_missing_files = 'error'.
-#}
{% macro lake_report_missing_files(severity=none) -%}
    {%- if execute -%}
        {%- set severity = severity or var('lake_missing_files', 'warn') -%}
        {%- if severity not in ('warn', 'error') -%}
            {{ exceptions.raise_compiler_error("var lake_missing_files must be 'warn' or 'error', not '" ~ severity ~ "'") }}
        {%- endif -%}
        {%- set system, table = this.identifier.removeprefix('raw_').split('__', 1) -%}
        {%- set query -%}
            select distinct loaded._source_file
            from {{ this }} as loaded
            where loaded._source_file not in (
                select array_to_string(string_split(inventory.filename, '/')[-4:], '/')
                from {{ source(system, table) }} as inventory
            )
            order by loaded._source_file
        {%- endset -%}
        {%- set missing = run_query(query).columns[0].values() -%}
        {%- if missing | length > 0 -%}
            {%- set message = this.identifier ~ ": " ~ (missing | length) ~ " loaded file(s) no longer in the lake, their rows kept: "
                ~ (missing[:5] | join(', ')) ~ ((' and ' ~ (missing | length - 5) ~ ' more') if missing | length > 5 else '')
                ~ "; restore them, or rebuild without them: dbt build --full-refresh -s " ~ this.identifier ~ "+" -%}
            {%- if severity == 'error' -%}
                {{ exceptions.raise_compiler_error(message) }}
            {%- else -%}
                {{ exceptions.warn(message) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
