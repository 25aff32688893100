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
        'revenue_vs_target_monthly': ref('sec_rls__revenue_vs_target_monthly'),
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
    What models/policy/policy_problems.sql checks the policy seeds against, read from the project
    while compiling and written into its SQL as literal rows, so the compiled SQL checks a policy on
    its own. Each macro is the body of one CTE: a select per row, unioned; with no row, one typed
    select `where false`.
-#}

{#- (dataset, model_file): every model of models/secure/, by name. -#}
{% macro sec_project_secure_models() -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.original_file_path.startswith('models/secure/') -%}
            {%- do rows.append("select " ~ sec_literal(node.name) ~ " as dataset, " ~ sec_literal(node.original_file_path) ~ " as model_file") -%}
        {%- endfor -%}
    {%- endif -%}
    {{ sec_union_or_empty(rows, "select cast(null as " ~ dbt.type_string() ~ ") as dataset, cast(null as " ~ dbt.type_string() ~ ") as model_file where false") }}
{%- endmacro %}

{#- (dataset, seed, is_read): every sec_rls__<dataset> seed of the project, is_read when
    sec_rule_seeds() refs it (the resolved policy reads only those). -#}
{% macro sec_project_rules_seeds() -%}
    {%- set read = sec_rule_seeds() -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'seed' and node.name.startswith('sec_rls__') -%}
            {%- do rows.append("select " ~ sec_literal(node.name[9:]) ~ " as dataset, " ~ sec_literal(node.name) ~ " as seed, " ~ ('true' if node.name[9:] in read else 'false') ~ " as is_read") -%}
        {%- endfor -%}
    {%- endif -%}
    {{ sec_union_or_empty(rows, "select cast(null as " ~ dbt.type_string() ~ ") as dataset, cast(null as " ~ dbt.type_string() ~ ") as seed, false as is_read where false") }}
{%- endmacro %}

{#- (seed, seed_row, user_name, group_name): every rule of every rules seed the resolved policy
    reads, numbered (sec_numbered), its UserName and GroupName as text, as written. -#}
{% macro sec_rules_who_union() -%}
    {%- set rows = [] -%}
    {%- for name, rls in sec_rule_seeds().items() -%}
        {%- do rows.append("select " ~ sec_literal(rls.identifier) ~ " as seed, seed_row, cast(UserName as " ~ dbt.type_string() ~ ") as user_name, cast(GroupName as " ~ dbt.type_string() ~ ") as group_name from " ~ sec_numbered(rls)) -%}
    {%- endfor -%}
    {{ sec_union_or_empty(rows, "select cast(null as " ~ dbt.type_string() ~ ") as seed, cast(null as " ~ dbt.type_bigint() ~ ") as seed_row, cast(null as " ~ dbt.type_string() ~ ") as user_name, cast(null as " ~ dbt.type_string() ~ ") as group_name where false") }}
{%- endmacro %}

{#- (seed, seed_row, column_name, cell): every cell of a rule column (sec_rule_columns) of every
    rules seed the resolved policy reads, as text (a column dbt seed typed otherwise, all empty:
    integer, is read as text); column_name as written in the header. -#}
{% macro sec_rule_cells_union() -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for name, rls in sec_rule_seeds().items() -%}
            {%- for column in sec_rule_columns(rls) -%}
                {%- do rows.append("select " ~ sec_literal(rls.identifier) ~ " as seed, seed_row, " ~ sec_literal(column) ~ " as column_name, cast(" ~ sec_ident(column) ~ " as " ~ dbt.type_string() ~ ") as cell from " ~ sec_numbered(rls)) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ sec_union_or_empty(rows, "select cast(null as " ~ dbt.type_string() ~ ") as seed, cast(null as " ~ dbt.type_bigint() ~ ") as seed_row, cast(null as " ~ dbt.type_string() ~ ") as column_name, cast(null as " ~ dbt.type_string() ~ ") as cell where false") }}
{%- endmacro %}

{#- (seed, column_position, column_name, column_key): the rule columns of every rules seed the
    resolved policy reads, in header order (from 1), column_key the name trimmed and lower-cased
    as dbt's Jinja does it (two columns with one key collide). -#}
{% macro sec_rule_headers() -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for name, rls in sec_rule_seeds().items() -%}
            {%- for column in sec_rule_columns(rls) -%}
                {%- do rows.append("select " ~ sec_literal(rls.identifier) ~ " as seed, " ~ loop.index ~ " as column_position, " ~ sec_literal(column) ~ " as column_name, " ~ sec_literal(column | trim | lower) ~ " as column_key") -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ sec_union_or_empty(rows, "select cast(null as " ~ dbt.type_string() ~ ") as seed, 0 as column_position, cast(null as " ~ dbt.type_string() ~ ") as column_name, cast(null as " ~ dbt.type_string() ~ ") as column_key where false") }}
{%- endmacro %}

{#- The selects joined by `union all`, or `empty` (a typed select of no row) when there is none. -#}
{% macro sec_union_or_empty(selects, empty) -%}
    {{ (selects | join('\n    union all\n    ')) if selects else empty }}
{%- endmacro %}

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
