{#-
    Helpers and the referential-integrity check of the resolved policy (models/policy; docs/security.md, "What the build refuses").
-#}

{#- An identifier as the policy compares it: trimmed of spaces, ASCII letters A-Z lower-cased and
    nothing else (DuckDB's lower() is Unicode-wide: it would turn the Kelvin sign U+212A into k). -#}
{% macro sec_normalise(expression) -%}
    translate({{ sec_trim('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')') }}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
{%- endmacro %}

{#- A text trimmed of spaces (U+0020) only, as Python's str.strip(" "): DuckDB's one-argument
    trim() also strips other Unicode whitespace (a no-break space), Spark's does not. -#}
{% macro sec_trim(expression) -%}
    trim(both ' ' from {{ expression }})
{%- endmacro %}

{#- A seed relation with its rows numbered from 1 in the order dbt seed loaded them (column
    seed_row). -#}
{% macro sec_numbered(relation) -%}
    {{ return(adapter.dispatch('sec_numbered', 'lakesight')(relation)) }}
{%- endmacro %}

{#- DuckDB: in rowid order (rowid itself keeps growing when a seed is reloaded into the same table). -#}
{% macro default__sec_numbered(relation) -%}
    (select *, row_number() over (order by rowid) as seed_row from {{ relation }})
{%- endmacro %}

{#- Spark: in the order of the table's one parquet file (spark__load_csv_rows writes the CSV in
    order, one insert); monotonically_increasing_id() follows the scan order. -#}
{% macro spark__sec_numbered(relation) -%}
    (select *, row_number() over (order by monotonically_increasing_id()) as seed_row from {{ relation }})
{%- endmacro %}

{#- The characters a user or group name may have after sec_normalise (a regular expression). -#}
{% macro sec_safe_name_pattern() -%}
    [a-z0-9._@+-]+
{%- endmacro %}

{#- The rule seeds the resolved policy reads, by dataset: every sec_rls__<dataset> seed of the
    project. dbt needs literal ref()s to order the build, so a new rules seed is added here;
    sec_validate_integrity fails the build on a rules seed missing from this list. -#}
{% macro sec_rule_seeds() -%}
    {{ return({
        'customer_churn_features': ref('sec_rls__customer_churn_features'),
        'customer_rfm': ref('sec_rls__customer_rfm'),
        'customers': ref('sec_rls__customers'),
        'order_items': ref('sec_rls__order_items'),
        'order_value_histogram': ref('sec_rls__order_value_histogram'),
        'orders': ref('sec_rls__orders'),
        'revenue_bridge_monthly': ref('sec_rls__revenue_bridge_monthly'),
        'revenue_by_country': ref('sec_rls__revenue_by_country'),
        'revenue_vs_target_current': ref('sec_rls__revenue_vs_target_current'),
        'sales_daily': ref('sec_rls__sales_daily'),
    }) }}
{%- endmacro %}

{#- The rule columns of a rules seed: its columns other than UserName and GroupName, as written. -#}
{% macro sec_rule_columns(relation) -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name | trim | lower not in ('username', 'groupname') -%}{%- do names.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#-
    sec_policy_problems(): the SQL of models/policy/policy_problems.sql: one row per way the policy
    seeds do not fit together, (seed_file, seed_row, column_name, problem), seed_row counted from 1
    after the header (NULL: the whole file; 0: its header). What it checks:
    - users and groups: not empty, inside sec_safe_name_pattern() after sec_normalise, no two rows
      of sec_users colliding, is_active true or false (not empty);
    - datasets: every row of sec_datasets names a secure model (models/secure/<dataset>.sql) and every
      secure model is in sec_datasets; no two rows collide; rls_mode is `rules` or `public`; a `rules`
      dataset has a sec_rls__<dataset> seed, a `public` one has none; every sec_rls__* seed names a
      dataset of sec_datasets and is read by sec_rule_seeds();
    - sec_cls_columns and sec_cls_grants: the dataset is in sec_datasets; a mask is a known one; a grant is on a restricted
      column; principal_type is user or group; the grantee is a known user (of sec_users) or group
      (of sec_group_members); a member is a known user;
    - rules seeds: a rule fills exactly one of UserName/GroupName, naming a known user or group;
      no two columns collide after trim + lower-case; no list has an empty or space-padded element.
    Per-dataset checks that need the mart (columns, mask types) stay in sec_validate_policy.
    The project's secure models and rules seeds are read from dbt's graph while compiling and
    written into the SQL as literals, so the compiled SQL checks a policy on its own.
-#}
{% macro sec_policy_problems() %}
    {%- set seeds = {
        'users': ref('sec_users'),
        'members': ref('sec_group_members'),
        'datasets': ref('sec_datasets'),
        'cls_columns': ref('sec_cls_columns'),
        'grants': ref('sec_cls_grants'),
    } -%}
    {%- set safe = '^' ~ (sec_safe_name_pattern() | trim) ~ '$' -%}
    {%- set rule_seeds = sec_rule_seeds() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}

    {#- what the project holds: secure models and sec_rls__ seeds (from dbt's graph) -#}
    {%- set secure_models = {} -%}
    {%- set rls_seeds = {} -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.original_file_path.startswith('models/secure/') -%}
            {%- do secure_models.update({node.name: node.original_file_path}) -%}
        {%- elif node.resource_type == 'seed' and node.name.startswith('sec_rls__') -%}
            {%- do rls_seeds.update({node.name[9:]: node.original_file_path}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set model_names = [] -%}{%- for name in secure_models -%}{%- do model_names.append(sec_literal(name)) -%}{%- endfor -%}
    {%- set seed_names = [] -%}{%- for name in rls_seeds -%}{%- do seed_names.append(sec_literal(name)) -%}{%- endfor -%}
    {%- set model_list = text_list(model_names) -%}
    {%- set seed_list = text_list(seed_names) -%}
    {%- set ds_norm = sec_normalise('dataset') -%}
    {#- membership in the known names: a lookup in a one-row list (known_* below), not one NOT IN
        join per check, so the whole check needs little memory however many checks it has -#}
    {%- set known_user = "coalesce(array_contains((select names from known_users), %s), false)" -%}
    {%- set known_group = "coalesce(array_contains((select names from known_groups), %s), false)" -%}
    {%- set known_dataset = "coalesce(array_contains((select names from known_datasets), %s), false)" -%}

    {%- set checks = [] -%}
    {#- users -#}
    {%- do checks.append("select 'sec_users' as seed, seed_row as row_number, 'user_name' as column_name, 'user name is empty' as problem from users where coalesce(" ~ sec_trim('user_name') ~ ", '') = ''") -%}
    {%- do checks.append("select 'sec_users', seed_row, 'user_name', 'user name ' || user_name || ' has a character outside " ~ sec_safe_name_pattern() | trim ~ " (after trim and lower-casing A-Z)' from users where coalesce(" ~ sec_trim('user_name') ~ ", '') <> '' and not " ~ regex_matches(sec_normalise('user_name'), safe)) -%}
    {%- do checks.append("select 'sec_users', max(seed_row), 'user_name', 'user name ' || " ~ distinct_text_agg('user_name', "' / '") ~ " || ' collides with another row after trim + lower-case' from users group by " ~ sec_normalise('user_name') ~ " having count(*) > 1") -%}
    {%- do checks.append("select 'sec_users', seed_row, 'is_active', 'is_active is empty: write true or false' from users where is_active is null") -%}
    {#- groups and memberships -#}
    {%- do checks.append("select 'sec_group_members', seed_row, 'group_name', 'group name is empty' from members where coalesce(" ~ sec_trim('group_name') ~ ", '') = ''") -%}
    {%- do checks.append("select 'sec_group_members', seed_row, 'group_name', 'group name ' || group_name || ' has a character outside " ~ sec_safe_name_pattern() | trim ~ " (after trim and lower-casing A-Z)' from members where coalesce(" ~ sec_trim('group_name') ~ ", '') <> '' and not " ~ regex_matches(sec_normalise('group_name'), safe)) -%}
    {%- do checks.append("select 'sec_group_members', seed_row, 'user_name', 'unknown user ' || coalesce(user_name, 'NULL') || ' (not in sec_users)' from members where not " ~ known_user | format(sec_normalise('user_name'))) -%}
    {#- datasets -#}
    {%- do checks.append("select 'sec_datasets', seed_row, 'dataset', 'dataset is empty' from datasets where coalesce(" ~ sec_trim('dataset') ~ ", '') = ''") -%}
    {%- do checks.append("select 'sec_datasets', max(seed_row), 'dataset', 'dataset ' || " ~ distinct_text_agg('dataset', "' / '") ~ " || ' collides with another row after trim + lower-case' from datasets group by " ~ ds_norm ~ " having count(*) > 1") -%}
    {%- do checks.append("select 'sec_datasets', seed_row, 'dataset', 'dataset ' || dataset || ' has no secure model (models/secure/' || " ~ ds_norm ~ " || '.sql)' from datasets where coalesce(" ~ sec_trim('dataset') ~ ", '') <> '' and not array_contains(" ~ model_list ~ ", " ~ ds_norm ~ ")") -%}
    {%- do checks.append("select 'sec_datasets', seed_row, 'rls_mode', 'unknown rls_mode ' || coalesce(rls_mode, 'NULL') || ' (rules or public)' from datasets where coalesce(" ~ sec_normalise('rls_mode') ~ ", '') not in ('rules', 'public')") -%}
    {%- do checks.append("select 'sec_datasets', seed_row, 'rls_mode', 'dataset ' || dataset || ' has rls_mode rules but no seeds/security/sec_rls__' || " ~ ds_norm ~ " || '.csv: it would show nothing, or everything' from datasets where " ~ sec_normalise('rls_mode') ~ " = 'rules' and not array_contains(" ~ seed_list ~ ", " ~ ds_norm ~ ")") -%}
    {%- do checks.append("select 'sec_datasets', seed_row, 'rls_mode', 'dataset ' || dataset || ' has rls_mode public but rules in seeds/security/sec_rls__' || " ~ ds_norm ~ " || '.csv: delete the file or make it rules' from datasets where " ~ sec_normalise('rls_mode') ~ " = 'public' and array_contains(" ~ seed_list ~ ", " ~ ds_norm ~ ")") -%}
    {%- for name, path in secure_models.items() -%}
        {%- do checks.append("select " ~ sec_literal(path) ~ ", null, 'dataset', 'secure model " ~ name ~ " is not in sec_datasets' where not " ~ known_dataset | format(sec_literal(name))) -%}
    {%- endfor -%}
    {%- for name, path in rls_seeds.items() -%}
        {%- do checks.append("select " ~ sec_literal('sec_rls__' ~ name) ~ ", null, 'dataset', 'rules for dataset " ~ name ~ ", which is not in sec_datasets' where not " ~ known_dataset | format(sec_literal(name))) -%}
        {%- if name not in rule_seeds -%}
            {%- do checks.append("select " ~ sec_literal('sec_rls__' ~ name) ~ ", null, 'dataset', 'rules seed not read by the resolved policy: add it to sec_rule_seeds() in macros/security/policy_integrity.sql'") -%}
        {%- endif -%}
    {%- endfor -%}
    {#- restricted columns and grants -#}
    {%- for seed, cte in [('sec_cls_columns', 'cls_columns'), ('sec_cls_grants', 'grants')] -%}
        {%- do checks.append("select " ~ sec_literal(seed) ~ ", seed_row, 'dataset', 'unknown dataset ' || coalesce(dataset, 'NULL') || ' (not in sec_datasets)' from " ~ cte ~ " where not " ~ known_dataset | format(ds_norm)) -%}
        {%- do checks.append("select " ~ sec_literal(seed) ~ ", seed_row, 'column_name', 'column name is empty' from " ~ cte ~ " where coalesce(" ~ sec_trim('column_name') ~ ", '') = ''") -%}
    {%- endfor -%}
    {%- do checks.append("select 'sec_cls_columns', seed_row, 'mask', 'unknown mask ' || coalesce(mask, 'NULL') || ' (null, redact, hash, email_domain, last4 or year)' from cls_columns where coalesce(" ~ sec_normalise('mask') ~ ", '') not in ('null', 'redact', 'hash', 'email_domain', 'last4', 'year')") -%}
    {%- do checks.append("select 'sec_cls_columns', max(seed_row), 'column_name', 'column ' || " ~ distinct_text_agg('column_name', "' / '") ~ " || ' collides with another row after trim + lower-case' from cls_columns group by " ~ ds_norm ~ ", " ~ sec_normalise('column_name') ~ " having count(*) > 1") -%}
    {%- do checks.append("select 'sec_cls_grants', seed_row, 'column_name', 'column ' || column_name || ' of dataset ' || dataset || ' is not a restricted column of sec_cls_columns' from grants where coalesce(" ~ sec_trim('column_name') ~ ", '') <> '' and not exists (select 1 from cls_columns as c where " ~ sec_normalise('c.dataset') ~ " = " ~ sec_normalise('grants.dataset') ~ " and " ~ sec_normalise('c.column_name') ~ " = " ~ sec_normalise('grants.column_name') ~ ")") -%}
    {%- do checks.append("select 'sec_cls_grants', seed_row, 'principal_type', 'principal_type ' || coalesce(principal_type, 'NULL') || ' is neither user nor group' from grants where coalesce(" ~ sec_normalise('principal_type') ~ ", '') not in ('user', 'group')") -%}
    {%- do checks.append("select 'sec_cls_grants', seed_row, 'principal', 'unknown user ' || coalesce(principal, 'NULL') || ' (not in sec_users)' from grants where " ~ sec_normalise('principal_type') ~ " = 'user' and not " ~ known_user | format(sec_normalise('principal'))) -%}
    {%- do checks.append("select 'sec_cls_grants', seed_row, 'principal', 'unknown group ' || coalesce(principal, 'NULL') || ' (not in sec_group_members)' from grants where " ~ sec_normalise('principal_type') ~ " = 'group' and not " ~ known_group | format(sec_normalise('principal'))) -%}
    {#- rules: who they are for -#}
    {%- for name, rls in rule_seeds.items() -%}
        {%- set lit = sec_literal(rls.identifier) -%}
        {%- set cte = 'rules__' ~ name -%}
        {%- do checks.append("select " ~ lit ~ ", seed_row, 'UserName', 'rule fills both UserName and GroupName' from " ~ cte ~ " where nullif(" ~ sec_trim('cast(UserName as ' ~ dbt.type_string() ~ ')') ~ ", '') is not null and nullif(" ~ sec_trim('cast(GroupName as ' ~ dbt.type_string() ~ ')') ~ ", '') is not null") -%}
        {%- do checks.append("select " ~ lit ~ ", seed_row, 'UserName', 'rule fills neither UserName nor GroupName' from " ~ cte ~ " where nullif(" ~ sec_trim('cast(UserName as ' ~ dbt.type_string() ~ ')') ~ ", '') is null and nullif(" ~ sec_trim('cast(GroupName as ' ~ dbt.type_string() ~ ')') ~ ", '') is null") -%}
        {%- do checks.append("select " ~ lit ~ ", seed_row, 'UserName', 'unknown user ' || UserName || ' (not in sec_users)' from " ~ cte ~ " where nullif(" ~ sec_trim('cast(UserName as ' ~ dbt.type_string() ~ ')') ~ ", '') is not null and not " ~ known_user | format(sec_normalise('UserName'))) -%}
        {%- set seen = {} -%}
        {%- for column in sec_rule_columns(rls) -%}
            {%- set key = column | trim | lower -%}
            {%- if key in seen -%}
                {%- do checks.append("select " ~ lit ~ ", 0, " ~ sec_literal(column) ~ ", 'column collides with another column after trim + lower-case'") -%}
            {%- endif -%}
            {%- do seen.update({key: true}) -%}
            {#- a column dbt seed typed otherwise (all empty: integer) is read as text -#}
            {%- set c = "cast(" ~ sec_ident(column) ~ " as " ~ dbt.type_string() ~ ")" -%}
            {#- an element (between commas) that is empty, or starts or ends with a space -#}
            {%- do checks.append("select " ~ lit ~ ", seed_row, " ~ sec_literal(column) ~ ", 'list has an empty or space-padded element: ' || " ~ c ~ " from " ~ cte ~ " where not " ~ sec_is_wildcard(c) ~ " and " ~ regex_matches(c, '(^|,)(,|$)|(^|,) | (,|$)')) -%}
        {%- endfor -%}
        {%- do checks.append("select " ~ lit ~ ", seed_row, 'GroupName', 'unknown group ' || GroupName || ' (not in sec_group_members)' from " ~ cte ~ " where nullif(" ~ sec_trim('cast(GroupName as ' ~ dbt.type_string() ~ ')') ~ ", '') is not null and not " ~ known_group | format(sec_normalise('GroupName'))) -%}
    {%- endfor -%}

    {#- each seed numbered once (sec_numbered), and the names the checks look up -#}
    with
    {% for cte, relation in seeds.items() -%}
    {{ cte }} as {{ materialized_cte() }} {{ sec_numbered(relation) }},
    {% endfor -%}
    {% for name, rls in rule_seeds.items() -%}
    rules__{{ name }} as {{ materialized_cte() }} {{ sec_numbered(rls) }},
    {% endfor -%}
    known_users as {{ materialized_cte() }} (select array_agg(distinct {{ sec_normalise('user_name') }}) as names from users where user_name is not null),
    known_groups as {{ materialized_cte() }} (select array_agg(distinct {{ sec_normalise('group_name') }}) as names from members where group_name is not null),
    known_datasets as {{ materialized_cte() }} (select array_agg(distinct {{ ds_norm }}) as names from datasets where dataset is not null)

    select distinct
        case when seed like 'models/%' then seed else 'seeds/security/' || seed || '.csv' end as seed_file,
        row_number as seed_row,
        column_name,
        problem
    from (
        {{ checks | join('\n        union all\n        ') }}
    )
{% endmacro %}

{#-
    sec_validate_integrity(): fails the build when the policy has a problem (models/policy/policy_problems),
    listing every one as "seed file row N, column C: problem". Called while compiling
    models/policy/policy_datasets.sql, which every other policy model and every secure view depend on.
-#}
{% macro sec_validate_integrity() %}
    {%- set problems = ref('policy_problems') -%}
    {%- if execute -%}
        {%- set result = run_query("select seed_file, seed_row, column_name, problem from " ~ problems ~ " order by seed_file, seed_row nulls first, column_name, problem") -%}
        {%- if result.rows | length > 0 -%}
            {%- set lines = [] -%}
            {%- for row in result.rows -%}
                {%- do lines.append("  " ~ row[0] ~ " " ~ ("header" if row[1] == 0 else (("row " ~ row[1]) if row[1] is not none else "(whole file)")) ~ ", column " ~ row[2] ~ ": " ~ row[3]) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error("invalid security policy (rows counted from 1 after the header):\n" ~ (lines | join('\n'))) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- The rule columns of every rules seed: one select per seed of (dataset, rule_columns), unioned. -#}
{% macro sec_rule_columns_union() -%}
    {%- set selects = [] -%}
    {%- for name, rls in sec_rule_seeds().items() -%}
        {%- set columns = [] -%}
        {%- if execute -%}
            {%- for column in sec_rule_columns(rls) -%}{%- do columns.append(sec_literal(column | trim | lower)) -%}{%- endfor -%}
        {%- endif -%}
        {%- do selects.append("select " ~ sec_literal(name) ~ " as dataset, " ~ text_list(columns) ~ " as rule_columns") -%}
    {%- endfor -%}
    {{ selects | join('\n    union all\n    ') }}
{%- endmacro %}

{#- Every rule of every rules seed, unioned: (dataset, seed, seed_row, user_name, group_name, cells),
    names through sec_normalise (empty = NULL), cells a MAP of each non-wildcard rule column to its
    list of values. -#}
{% macro sec_row_rules_union() -%}
    {%- set selects = [] -%}
    {%- for name, rls in sec_rule_seeds().items() -%}
        {%- set entries = [] -%}
        {%- if execute -%}
            {%- for column in sec_rule_columns(rls) -%}
                {%- set c = "cast(" ~ sec_ident(column) ~ " as " ~ dbt.type_string() ~ ")" -%}
                {%- do entries.append({'key': sec_literal(column | trim | lower), 'when': "not " ~ sec_is_wildcard(c), 'elements': split_text(c, "','")}) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set cells = sec_rule_cells(entries) -%}
        {%- do selects.append("select " ~ sec_literal(name) ~ " as dataset, " ~ sec_literal(rls.identifier) ~ " as seed, seed_row, nullif(" ~ sec_normalise('UserName') ~ ", '') as user_name, nullif(" ~ sec_normalise('GroupName') ~ ", '') as group_name, " ~ cells ~ " as cells from " ~ sec_numbered(rls)) -%}
    {%- endfor -%}
    {{ selects | join('\n    union all\n    ') }}
{%- endmacro %}

{#-
    The cells of one rule: a map of each rule column whose cell is not a wildcard to its list of
    values. entries: [{'key': literal of the column, 'when': SQL true when the cell is not a
    wildcard, 'elements': SQL of the cell's list of values}].
-#}
{% macro sec_rule_cells(entries) -%}
    {{ return(adapter.dispatch('sec_rule_cells', 'lakesight')(entries)) }}
{%- endmacro %}

{% macro default__sec_rule_cells(entries) -%}
    {%- if entries -%}
        map_from_entries(list_filter([
            {%- for e in entries %}case when {{ e.when }} then struct_pack(k := {{ e.key }}, v := {{ e.elements }}) end{{ ', ' if not loop.last }}{% endfor -%}
        ], lambda entry: entry is not null))
    {%- else -%}
        cast(map() as map(varchar, varchar[]))
    {%- endif -%}
{%- endmacro %}

{% macro spark__sec_rule_cells(entries) -%}
    {%- if entries -%}
        map_from_entries(filter(array(
            {%- for e in entries %}case when {{ e.when }} then named_struct('k', {{ e.key }}, 'v', {{ e.elements }}) end{{ ', ' if not loop.last }}{% endfor -%}
        ), entry -> entry is not null))
    {%- else -%}
        cast(map() as map<string, array<string>>)
    {%- endif -%}
{%- endmacro %}
