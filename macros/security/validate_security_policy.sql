{#-
    Build-time validation of the policy seeds for one dataset (DESIGN §5 rules 1, 3, 7, 8).
    Every problem is found by SQL over the seed tables and reported as "seed file, row, column: problem";
    any error fails the model (and so `dbt build`); duplicate rules and never-matching values only warn.
    Rows are numbered from 1 after the header line (the order dbt seed loaded them in).

    available_columns   the columns a rule may name (lower case): the dataset's, plus lookup columns
    column_sources      {column: relation} where each rule column's values live, for the
                        never-matching-value warning
-#}
{% macro sec_validate_policy(dataset, available_columns, rls, cls_checks, column_sources={}) %}
    {%- set users = ref('sec_users') -%}
    {%- set members = ref('sec_group_members') -%}
    {%- set datasets = ref('sec_datasets') -%}
    {%- set cls_columns = ref('sec_cls_columns') -%}
    {%- set grants = ref('sec_cls_grants') -%}
    {%- set ds = sec_literal(dataset) -%}
    {%- set checks = [] -%}

    {#- identifiers that collide after trim + lower-case -#}
    {%- do checks.append("select 'sec_users' as seed, max(rowid) + 1 as row_number, 'user_name' as column_name, 'user name ' || string_agg(distinct user_name, ' / ' order by user_name) || ' collides with another row after trim + lower-case' as problem from " ~ users ~ " group by lower(trim(user_name)) having count(*) > 1") -%}
    {%- do checks.append("select 'sec_users', rowid + 1, 'user_name', 'user name is empty' from " ~ users ~ " where trim(user_name) = ''") -%}
    {%- do checks.append("select 'sec_datasets', max(rowid) + 1, 'dataset', 'dataset ' || string_agg(distinct dataset, ' / ' order by dataset) || ' collides with another row after trim + lower-case' from " ~ datasets ~ " group by lower(trim(dataset)) having count(*) > 1") -%}
    {%- do checks.append("select 'sec_cls_columns', max(rowid) + 1, 'column_name', 'column ' || string_agg(distinct column_name, ' / ' order by column_name) || ' collides with another row after trim + lower-case' from " ~ cls_columns ~ " group by lower(trim(dataset)), lower(trim(column_name)) having count(*) > 1") -%}
    {#- memberships and grants name known users and groups -#}
    {%- do checks.append("select 'sec_group_members', m.rowid + 1, 'user_name', 'unknown user ' || m.user_name from " ~ members ~ " as m where lower(trim(m.user_name)) not in (select lower(trim(user_name)) from " ~ users ~ ")") -%}
    {%- do checks.append("select 'sec_cls_grants', g.rowid + 1, 'principal', 'unknown ' || g.principal_type || ' ' || g.principal from " ~ grants ~ " as g where (lower(trim(g.principal_type)) = 'user' and lower(trim(g.principal)) not in (select lower(trim(user_name)) from " ~ users ~ ")) or (lower(trim(g.principal_type)) = 'group' and lower(trim(g.principal)) not in (select lower(trim(group_name)) from " ~ members ~ "))") -%}
    {%- do checks.append("select 'sec_cls_grants', g.rowid + 1, 'column_name', 'column ' || g.column_name || ' is not a restricted column of sec_cls_columns' from " ~ grants ~ " as g where lower(trim(g.dataset)) = " ~ ds ~ " and (lower(trim(g.dataset)), lower(trim(g.column_name))) not in (select (lower(trim(dataset)), lower(trim(column_name))) from " ~ cls_columns ~ ")") -%}
    {%- do checks.append("select 'sec_datasets', null, 'dataset', 'dataset ' || " ~ ds ~ " || ' is not listed' where " ~ ds ~ " not in (select lower(trim(dataset)) from " ~ datasets ~ ")") -%}

    {%- if rls is not none -%}
        {%- set rls_name = rls.identifier -%}
        {%- set lit = sec_literal(rls_name) -%}
        {%- do checks.append("select " ~ lit ~ ", rowid + 1, 'UserName', 'rule fills both UserName and GroupName' from " ~ rls ~ " where nullif(trim(UserName), '') is not null and nullif(trim(GroupName), '') is not null") -%}
        {%- do checks.append("select " ~ lit ~ ", rowid + 1, 'UserName', 'rule fills neither UserName nor GroupName' from " ~ rls ~ " where nullif(trim(UserName), '') is null and nullif(trim(GroupName), '') is null") -%}
        {%- do checks.append("select " ~ lit ~ ", rowid + 1, 'UserName', 'unknown user ' || UserName from " ~ rls ~ " where nullif(trim(UserName), '') is not null and lower(trim(UserName)) not in (select lower(trim(user_name)) from " ~ users ~ ")") -%}
        {%- do checks.append("select " ~ lit ~ ", rowid + 1, 'GroupName', 'unknown group ' || GroupName from " ~ rls ~ " where nullif(trim(GroupName), '') is not null and lower(trim(GroupName)) not in (select lower(trim(group_name)) from " ~ members ~ ")") -%}
        {%- do checks.append("select " ~ lit ~ ", null, 'UserName', 'dataset has rls_mode rules but no rules' where " ~ ds ~ " in (select lower(trim(dataset)) from " ~ datasets ~ " where lower(trim(rls_mode)) = 'rules') and not exists (select 1 from " ~ rls ~ ")") -%}
        {%- set seen = {} -%}
        {%- for column in adapter.get_columns_in_relation(rls) -%}
            {%- set key = column.name | trim | lower -%}
            {%- if key in seen -%}
                {%- do checks.append("select " ~ lit ~ ", 0, " ~ sec_literal(column.name) ~ ", 'column collides with another column after trim + lower-case'") -%}
            {%- endif -%}
            {%- do seen.update({key: true}) -%}
            {%- if key not in ('username', 'groupname') -%}
                {%- set c = sec_ident(column.name) -%}
                {%- if key not in available_columns -%}
                    {%- do checks.append("select " ~ lit ~ ", 0, " ~ sec_literal(column.name) ~ ", 'rule column is not a column of dataset " ~ dataset ~ "'") -%}
                {%- else -%}
                    {%- do checks.append("select " ~ lit ~ ", rowid + 1, " ~ sec_literal(column.name) ~ ", 'list has an empty or space-padded element: ' || " ~ c ~ " from " ~ rls ~ " where not " ~ sec_is_wildcard(c) ~ " and len(list_filter(string_split(" ~ c ~ ", ','), lambda e: e = '' or e <> trim(e))) > 0") -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {%- for check in cls_checks -%}
        {%- do checks.append("select 'sec_cls_columns', " ~ check.row ~ ", 'mask', " ~ sec_literal(check.problem)) -%}
    {%- endfor -%}

    {%- set result = run_query("select seed, row_number, column_name, problem from (" ~ (checks | join('\nunion all\n')) ~ ") order by seed, row_number") -%}
    {%- if result.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in result.rows -%}
            {%- do lines.append("  seeds/security/" ~ row[0] ~ ".csv " ~ ("header" if row[1] == 0 else ("row " ~ row[1] if row[1] is not none else "(whole file)")) ~ ", column " ~ row[2] ~ ": " ~ row[3]) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error("invalid security policy for dataset " ~ dataset ~ ":\n" ~ (lines | join('\n'))) }}
    {%- endif -%}

    {#- warnings: duplicate rules -#}
    {%- if rls is not none -%}
        {%- set dup = run_query("select count(*) - (select count(*) from (select distinct * from " ~ rls ~ ")) from " ~ rls) -%}
        {%- if dup.rows[0][0] > 0 -%}
            {% do exceptions.warn("security policy: seeds/security/" ~ rls.identifier ~ ".csv has duplicate rules (they change nothing)") %}
        {%- endif -%}
        {#- warnings: list values that occur in no row of the data (a typo); not judged on empty data -#}
        {%- set unmatched = [] -%}
        {%- for column in adapter.get_columns_in_relation(rls) -%}
            {%- set key = column.name | trim | lower -%}
            {%- if key in column_sources -%}
                {%- set c = sec_ident(column.name) -%}
                {%- do unmatched.append("select rowid + 1 as row_number, " ~ sec_literal(column.name) ~ " as column_name, element from (select rowid, unnest(string_split(" ~ c ~ ", ',')) as element from " ~ rls ~ " where not " ~ sec_is_wildcard(c) ~ ") where element not in (select distinct cast(" ~ sec_ident(key) ~ " as varchar) from " ~ column_sources[key] ~ " where " ~ sec_ident(key) ~ " is not null) and exists (select 1 from " ~ column_sources[key] ~ ")") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if unmatched | length > 0 -%}
            {%- set never = run_query("select row_number, column_name, string_agg(element, ',' order by element) from (" ~ (unmatched | join('\nunion all\n')) ~ ") group by all order by 1, 2") -%}
            {%- for row in never.rows -%}
                {% do exceptions.warn("security policy: seeds/security/" ~ rls.identifier ~ ".csv row " ~ row[0] ~ ", column " ~ row[1] ~ ": value(s) " ~ row[2] ~ " occur in no row of the data (they match nothing)") %}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
