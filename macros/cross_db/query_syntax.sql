{#-
    Query syntax: star-except in a select list, CTE materialisation hints.
    Engine-specific SQL behind adapter.dispatch (docs/scale-out.md): the default__ form is the
    DuckDB SQL the models had before, word for word; spark__ is the Spark 4 (ANSI mode) form.
-#}

{#- Every column of the row but the named ones (DuckDB `* exclude (…)`, Spark 4 `* except (…)`). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'lakesight')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}

{#- The keyword that keeps a CTE read more than once from being materialised (empty where there is none). -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'lakesight')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}

{#-
    The keyword after `name as` that makes a CTE read twice be computed once: DuckDB's
    `materialized`; nothing on Spark (no such hint).
-#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'lakesight')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}
