{#-
    sec_validate_policy(dataset, available_columns, rls_mode, cls_checks, column_sources={})

    Build-time validation of the policy of one dataset against its mart (docs/security.md, "What the build refuses"),
    run while its secure view compiles, on the resolved policy (models/policy) only; what holds
    across seeds (names, datasets, grantees, modes, list syntax) is checked once by
    sec_validate_integrity. Every problem is reported as "seed file, row, column:
    problem"; any error fails the view (and so `dbt build`); duplicate rules and never-matching
    values only warn. Rows are numbered from 1 after the header line (the order dbt seed loaded them in).

    dataset             the secured dataset
    available_columns   the columns a rule may name (lower case): the dataset's, plus lookup columns
    rls_mode            the dataset's rls_mode in policy_datasets (`rules` or `public`)
    cls_checks          problems of the restricted columns found by sec_plan_masks (plan.sql), each
                        {'column': name, 'field': seed column to name, 'problem': text}
    column_sources      {column: relation} where each rule column's values live, for the
                        never-matching-value warning
-#}
{% macro sec_validate_policy(dataset, available_columns, rls_mode, cls_checks, column_sources={}) %}
    {%- set datasets = ref('policy_datasets') -%}
    {%- set restricted = ref('policy_restricted_columns') -%}
    {%- set row_rules = ref('policy_row_rules') -%}
    {%- if execute -%}
    {%- set ds = sec_literal(dataset) -%}
    {%- set seed = 'sec_rls__' ~ dataset -%}
    {%- set checks = [] -%}

    {%- if rls_mode == 'rules' -%}
        {%- do checks.append("select " ~ sec_literal(seed) ~ " as seed, null as seed_row, 'UserName' as column_name, 'dataset has rls_mode rules but no rule for an active user or a known group' as problem where not exists (select 1 from " ~ row_rules ~ " where dataset = " ~ ds ~ ")") -%}
        {%- set columns = run_query("select " ~ unnest_list('rule_columns') ~ " from " ~ datasets ~ " where dataset = " ~ ds) -%}
        {%- for row in columns.rows -%}
            {%- if row[0] not in available_columns -%}
                {%- do checks.append("select " ~ sec_literal(seed) ~ ", 0, " ~ sec_literal(row[0]) ~ ", 'rule column is not a column of dataset " ~ dataset ~ "'") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {%- for check in cls_checks -%}
        {%- do checks.append("select 'sec_cls_columns', seed_row, " ~ sec_literal(check.field) ~ ", " ~ sec_literal(check.problem) ~ " from " ~ restricted ~ " where dataset = " ~ ds ~ " and column_name = " ~ sec_literal(check.column)) -%}
    {%- endfor -%}

    {%- if checks | length > 0 -%}
        {%- set result = run_query("select seed, seed_row, column_name, problem from (" ~ (checks | join('\nunion all\n')) ~ ") order by seed, seed_row") -%}
        {%- if result.rows | length > 0 -%}
            {%- set lines = [] -%}
            {%- for row in result.rows -%}
                {%- do lines.append("  seeds/security/" ~ row[0] ~ ".csv " ~ ("header" if row[1] == 0 else ("row " ~ row[1] if row[1] is not none else "(whole file)")) ~ ", column " ~ row[2] ~ ": " ~ row[3]) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error("invalid security policy for dataset " ~ dataset ~ ":\n" ~ (lines | join('\n'))) }}
        {%- endif -%}
    {%- endif -%}

    {%- if rls_mode == 'rules' -%}
        {#- warnings: duplicate rules -#}
        {%- set dup = run_query("select count(*) - count(distinct coalesce(user_name, '') || '|' || coalesce(group_name, '') || '|' || " ~ map_text('cells') ~ ") from " ~ row_rules ~ " where dataset = " ~ ds) -%}
        {%- if dup.rows[0][0] > 0 -%}
            {% do exceptions.warn("security policy: seeds/security/" ~ seed ~ ".csv has duplicate rules (they change nothing)") %}
        {%- endif -%}
        {#- warnings: list values that occur in no row of the data (a typo); not judged on empty data -#}
        {%- set unmatched = [] -%}
        {%- for key, source in column_sources.items() -%}
            {%- do unmatched.append("select seed_row, " ~ sec_literal(key) ~ " as column_name, element from (select seed_row, " ~ unnest_list('cells[' ~ sec_literal(key) ~ ']') ~ " as element from " ~ row_rules ~ " where dataset = " ~ ds ~ ") where element not in (select distinct cast(" ~ sec_ident(key) ~ " as " ~ dbt.type_string() ~ ") from " ~ source ~ " where " ~ sec_ident(key) ~ " is not null) and exists (select 1 from " ~ source ~ ")") -%}
        {%- endfor -%}
        {%- if unmatched | length > 0 -%}
            {%- set never = run_query("select seed_row, column_name, " ~ distinct_text_agg('element', "','") ~ " from (" ~ (unmatched | join('\nunion all\n')) ~ ") group by all order by 1, 2") -%}
            {%- for row in never.rows -%}
                {% do exceptions.warn("security policy: seeds/security/" ~ seed ~ ".csv row " ~ row[0] ~ ", column " ~ row[1] ~ ": value(s) " ~ row[2] ~ " occur in no row of the data (they match nothing)") %}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- endif -%}
{% endmacro %}
