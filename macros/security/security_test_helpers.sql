{#- Helpers of the secure layer's generic tests (macros/security/test_sec_*.sql). -#}

{#- The principals a secure-layer test checks: the given list, or every user of sec_users as written
    in the seed, each user whose name has a k spelled with the Kelvin sign U+212A instead (a
    look-alike that must see nothing), plus an unknown user, an empty name and NULL (unset). -#}
{% macro sec_test_principals(principals=none) -%}
    {%- if principals is not none -%}
        {{ return(principals) }}
    {%- endif -%}
    {%- set users = run_query("select user_name from " ~ ref('sec_users') ~ " order by rowid") -%}
    {%- set lookalikes = run_query("select replace(user_name, 'k', chr(8490)) from " ~ ref('sec_users') ~ " where contains(user_name, 'k') order by rowid") -%}
    {{ return((users.columns[0].values() | list) + (lookalikes.columns[0].values() | list) + ['nobody@example.com', '', none]) }}
{%- endmacro %}

{#- Run `sql` (one row of counts) with lakesight_principal set to `principal`, in one statement
    (DuckDB runs the SET, then the query, and returns the query's row). Returns the row's values as
    a list. The variable stays set: a test calls sec_reset_principal after its last principal. -#}
{% macro sec_counts_as(principal, sql) -%}
    {%- set result = run_query("set variable lakesight_principal = " ~ ('null' if principal is none else sec_literal(principal)) ~ ";\n" ~ sql) -%}
    {{ return(result.rows[0] | list) }}
{%- endmacro %}

{#- Unset lakesight_principal, so no later statement on this connection runs as a principal. -#}
{% macro sec_reset_principal() -%}
    {%- do run_query("reset variable lakesight_principal") -%}
{%- endmacro %}

{#- The failing rows of a secure-layer test: (principal, problem, row_count), none when all passed. -#}
{% macro sec_test_failures(failures, problem) -%}
    {%- if failures | length == 0 %}
    select cast(null as {{ dbt.type_string() }}) as principal, cast(null as {{ dbt.type_string() }}) as problem, 0 as row_count
    where false
    {%- else %}
    select *
    from (
        values
        {%- for failure in failures %}
        ({{ 'null' if failure.principal is none else sec_literal(failure.principal) }}, {{ sec_literal(failure.problem if failure.problem is defined else problem) }}, {{ failure.count }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as failures (principal, problem, row_count)
    {%- endif %}
{%- endmacro %}

{#- The secured dataset a secure-layer test runs on: the view's name, which the resolved policy
    (policy_datasets) must list. A test on a view the policy does not know fails instead of passing
    with nothing to check. Returns {'name', 'rls_mode', 'rule_columns'}. -#}
{% macro sec_test_dataset(model) -%}
    {%- set dataset = model.identifier | lower -%}
    {%- set found = run_query("select rls_mode, array_to_string(rule_columns, ',') from " ~ ref('policy_datasets') ~ " where dataset = " ~ sec_literal(dataset)) -%}
    {%- if found.rows | length != 1 -%}
        {{ exceptions.raise_compiler_error("secure-layer test on " ~ model ~ ": dataset " ~ dataset ~ " is not listed once in the resolved policy (policy_datasets)") }}
    {%- endif -%}
    {%- if found.rows[0][0] not in ('rules', 'public') -%}
        {{ exceptions.raise_compiler_error("secure-layer test on " ~ model ~ ": unknown rls_mode " ~ found.rows[0][0]) }}
    {%- endif -%}
    {{ return({'name': dataset, 'rls_mode': found.rows[0][0], 'rule_columns': found.rows[0][1].split(',') if found.rows[0][1] else []}) }}
{%- endmacro %}
