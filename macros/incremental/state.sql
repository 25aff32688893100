{#-
    What an incremental model knows of its last build: the rules it ran under and how far it
    read. Used by the base models (base_scope.sql, replace_file_rows.sql) and the web
    intermediates (docs/performance.md).
-#}

{#-
    The fingerprint of everything an incremental model's rows depend on besides its input rows:
    its code, the macros it calls, the checksums of the seeds it reads and the vars that shape
    staging and intermediate results. Stored on every row as _rules_version; a build under
    another fingerprint recomputes every row (no stale verdicts or sessions after a rule change).
-#}
{% macro rules_version() -%}
    {%- set parts = [model.raw_code, var('future_tolerance_hours') | string, var('session_inactivity_minutes') | string] -%}
    {%- for node_id in model.depends_on.nodes if node_id.startswith('seed.') -%}
        {%- do parts.append(node_id ~ '=' ~ graph.nodes[node_id].checksum.checksum) -%}
    {%- endfor -%}
    {%- for macro_id in model.depends_on.macros if macro_id in graph.macros -%}
        {%- do parts.append(macro_id ~ '=' ~ local_md5(graph.macros[macro_id].macro_sql)) -%}
    {%- endfor -%}
    {{- local_md5(parts | join('\n')) -}}
{%- endmacro %}

{#-
    The last build of this incremental model, when it can be built incrementally under the
    same rules: {'loaded_at': literal of its newest _loaded_at, 'checked_at': of its newest
    _checked_at}; none on a full build (first build, --full-refresh, rules changed, empty table).
-#}
{% macro last_build() -%}
    {%- if not (execute and this is not none and is_incremental()) -%}
        {{- return(none) -}}
    {%- endif -%}
    {#- a table built before the rules were versioned is rebuilt in full -#}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if '_rules_version' not in columns -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set checked = '_checked_at' if '_checked_at' in columns else 'null' -%}
    {%- set state = run_query(
        "select max(_loaded_at)::varchar, max(" ~ checked ~ ")::varchar, count(distinct _rules_version), "
        ~ "max(_rules_version) from " ~ this
    ) -%}
    {%- set loaded_at, checked_at, versions, version = state.rows[0] -%}
    {%- if loaded_at is none or versions != 1 or version != rules_version() -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return({'loaded_at': "timestamp '" ~ loaded_at ~ "'", 'checked_at': "timestamp '" ~ checked_at ~ "'"}) -}}
{%- endmacro %}

{#-
    SQL true for rows loaded since this model's last build (every row on a full build). A
    literal bound, so DuckDB prunes the input's older row groups. For the model's own input the
    bound is the newest _loaded_at it holds; for another raw table (other_table, base models) it
    is when the last build ran (its newest _checked_at), after every load of that build.
-#}
{% macro loaded_since_last_build(column='_loaded_at', other_table=false) -%}
    {%- set last = last_build() -%}
    {%- if last is none -%}
        true
    {%- else -%}
        {{ column }} > {{ last.checked_at if other_table else last.loaded_at }}
    {%- endif -%}
{%- endmacro %}

{#-
    Post-hook of an incremental model whose rows carry their input's _source_file and _loaded_at:
    delete the rows of a load that is no longer current upstream — a file reloaded with new content
    whose rows now all end elsewhere (quarantined, say), which the batch therefore did not replace.
    `current` lists relations holding, between them, every current (_source_file, _loaded_at).
-#}
{% macro delete_stale_loads(current) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where (_source_file, _loaded_at) in (
        select distinct _source_file, _loaded_at from {{ this }}
        {%- for relation in current %}
        except
        select distinct _source_file, _loaded_at from {{ relation }}
        {%- endfor %}
    )
    {%- endif -%}
{%- endmacro %}
