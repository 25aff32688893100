{#-
    A secure view over one dataset (docs/security.md, "How it is compiled"): rows through the resolved policy's row rules
    (policy_row_rules), restricted columns masked unless granted (policy_restricted_columns,
    policy_column_grants). The policy relations are joined when the view is queried, so seed values
    never become SQL text; only validated column names (quoted) and whitelisted masks do. Whether the
    dataset is filtered by rules or public is read from policy_datasets (its rls_mode), never from
    the model. While policy_problems holds a row (the last build refused the policy seeds), the
    view shows no row to anyone.

    dataset     name of the secured dataset (= policy_datasets.dataset = the view's name)
    base        the mart relation; the view has exactly its columns and types
    lookup      optional {'relation': ..., 'key': ...}: rule columns the base lacks are read from this
                relation joined on key (order lines take country and channel from their order)
-#}
{% macro secure_dataset(dataset, base, lookup=none) %}
    {%- set principals = ref('policy_principals') -%}
    {%- set members = ref('policy_group_members') -%}
    {%- set restricted = ref('policy_restricted_columns') -%}
    {%- set grants = ref('policy_column_grants') -%}
    {%- set datasets = ref('policy_datasets') -%}
    {%- set row_rules = ref('policy_row_rules') -%}
    {%- set problems = ref('policy_problems') -%}
    {%- set mask_salt = ref('policy_mask_salt') -%}
    {%- if not execute -%}
        select 1 as placeholder
    {%- else -%}
    {%- if config.get('materialized') != 'view' -%}
        {{ exceptions.raise_compiler_error("secure model " ~ this ~ " must be materialized as a view (a table would freeze the principal of whoever built it)") }}
    {%- endif -%}
    {%- set found = run_query("select rls_mode, " ~ join_list('rule_columns', "','") ~ " from " ~ datasets ~ " where dataset = " ~ sec_literal(dataset)) -%}
    {%- if found.rows | length != 1 -%}
        {{ exceptions.raise_compiler_error("secure model " ~ this ~ ": dataset " ~ dataset ~ " is not in the resolved policy (seeds/security/sec_datasets.csv)") }}
    {%- endif -%}
    {%- set rls_mode = found.rows[0][0] -%}
    {%- if rls_mode not in ('rules', 'public') -%}
        {{ exceptions.raise_compiler_error("secure model " ~ this ~ ": unknown rls_mode " ~ rls_mode) }}
    {%- endif -%}
    {%- set rls_columns = found.rows[0][1].split(',') if found.rows[0][1] else [] -%}
    {%- set base_columns = adapter.get_columns_in_relation(base) -%}
    {%- set base_names = base_columns | map(attribute='name') | map('lower') | list -%}
    {%- set lookup_names = [] -%}
    {%- if lookup is not none -%}
        {%- for column in adapter.get_columns_in_relation(lookup.relation) -%}
            {%- if column.name | lower not in base_names -%}{%- do lookup_names.append(column.name | lower) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {#- restricted columns of this dataset and their masks (read at build time, checked against the base) -#}
    {%- set masks = {} -%}
    {%- set cls_checks = [] -%}
    {%- set cls_rows = run_query("select 'c:' || column_name, 'm:' || mask from " ~ restricted ~ " where dataset = " ~ sec_literal(dataset) ~ " order by column_name") -%}
    {%- for row in cls_rows.rows -%}
        {%- set name = row[0][2:] -%}
        {%- set mask = row[1][2:] -%}
        {%- if name not in base_names -%}
            {%- do cls_checks.append({'column': name, 'field': 'column_name', 'problem': 'restricted column ' ~ name ~ ' is not a column of dataset ' ~ dataset}) -%}
        {%- else -%}
            {%- set column = base_columns[base_names.index(name)] -%}
            {%- if mask not in ('null', 'redact', 'hash', 'email_domain', 'last4', 'year') -%}
                {%- do cls_checks.append({'column': name, 'field': 'mask', 'problem': 'unknown mask ' ~ mask}) -%}
            {%- elif (sec_mask_accepts(mask, column.data_type) | trim) != 'true' -%}
                {%- do cls_checks.append({'column': name, 'field': 'mask', 'problem': 'mask ' ~ mask ~ ' does not fit column ' ~ name ~ ' of type ' ~ column.data_type}) -%}
            {%- else -%}
                {%- do masks.update({name: mask}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set column_sources = {} -%}
    {%- for name in rls_columns -%}
        {%- if name in base_names -%}{%- do column_sources.update({name: base}) -%}
        {%- elif name in lookup_names -%}{%- do column_sources.update({name: lookup.relation}) -%}
        {%- endif -%}
    {%- endfor -%}

    {{ sec_validate_policy(dataset, base_names + lookup_names, rls_mode, cls_checks, column_sources) }}

with

principal as (
    select {{ sec_principal_expr() }} as user_name
),

active_user as (
    select principal.user_name as user_name
    from principal
    inner join {{ principals }} as principals
        on principals.principal_type = 'user' and principals.principal = principal.user_name
    where principals.is_active
        -- a policy the last build refused (policy_problems not empty) shows nobody anything
        and not exists (select 1 from {{ problems }})
),

principal_groups as (
    select distinct members.group_name as group_name
    from {{ members }} as members
    inner join active_user
        on members.user_name = active_user.user_name
),

granted_columns as (
    select distinct grants.column_name as column_name
    from {{ grants }} as grants
    where grants.dataset = {{ sec_literal(dataset) }}
        and (
            (grants.principal_type = 'user' and grants.principal in (select active_user.user_name from active_user))
            or (grants.principal_type = 'group' and grants.principal in (select principal_groups.group_name from principal_groups))
        )
),

access as (
    select
        {%- for name in masks %}
        coalesce(bool_or(granted_columns.column_name = {{ sec_literal(name) }}), false) as {{ sec_ident('clear__' ~ name) }},
        {%- endfor %}
        count(*) as granted_count
    from granted_columns
),

{%- if rls_mode == 'rules' %}

applicable_rules as (
    select rules.cells as cells
    from {{ row_rules }} as rules
    where rules.dataset = {{ sec_literal(dataset) }}
        and (
            rules.user_name in (select active_user.user_name from active_user)
            or rules.group_name in (select principal_groups.group_name from principal_groups)
        )
),
{%- endif %}

base as (
    select
        {%- set selected = [] %}
        {%- for column in base_columns %}
        {%- do selected.append('base.' ~ sec_ident(column.name) ~ ' as ' ~ sec_ident(column.name)) %}
        {%- endfor %}
        {%- for name in lookup_names %}{% if name in rls_columns %}
        {%- do selected.append('lookup.' ~ sec_ident(name) ~ ' as ' ~ sec_ident('rls__' ~ name)) %}
        {%- endif %}{% endfor %}
        {{ selected | join(',\n        ') }}
    from {{ base }} as base
    {%- if lookup is not none %}
    left join {{ lookup.relation }} as lookup
        on base.{{ sec_ident(lookup.key) }} = lookup.{{ sec_ident(lookup.key) }}
    {%- endif %}
),

visible as (
    select base.*
    from base
    {%- if rls_mode == 'public' %}
    where exists (select 1 from active_user)
    {%- else %}
    where exists (
        select 1
        from applicable_rules as rules
        where true
            {%- for name in rls_columns %}
            {%- set value = 'base.' ~ sec_ident(('rls__' ~ name) if name in lookup_names else name) %}
            and (
                not {{ map_has_key('rules.cells', sec_literal(name)) }}
                or array_contains(rules.cells[{{ sec_literal(name) }}], cast({{ value }} as {{ dbt.type_string() }}))
            )
            {%- endfor %}
    )
    {%- endif %}
),

final as (
    select
        {%- for column in base_columns %}
        {%- set name = column.name | lower %}
        {%- set col = 'visible.' ~ sec_ident(column.name) %}
        {%- if name in masks %}
        cast(
            case
                when access.{{ sec_ident('clear__' ~ name) }} then {{ col }}
                else {{ sec_mask_expr(masks[name], col, column.data_type, mask_salt) }}
            end as {{ column.data_type }}
        ) as {{ sec_ident(column.name) }}{{ ',' if not loop.last }}
        {%- else %}
        {{ col }} as {{ sec_ident(column.name) }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from visible
    cross join access
)

select * from final
    {%- endif -%}
{% endmacro %}
