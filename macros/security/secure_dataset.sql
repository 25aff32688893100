{#-
    A secure view over one dataset (DESIGN §5): rows through the policy's row rules, restricted
    columns masked unless granted. The policy tables are joined when the view is queried, so seed
    values never become SQL text; only validated column names (quoted) and whitelisted masks do.

    dataset     name of the secured dataset (= sec_datasets.dataset = the view's name)
    base        the mart relation; the view has exactly its columns and types
    rls         the sec_rls__<dataset> seed relation, or none for a `public` dataset
    lookup      optional {'relation': ..., 'key': ...}: rule columns the base lacks are read from this
                relation joined on key (order lines take country and channel from their order)
-#}
{% macro secure_dataset(dataset, base, rls=none, lookup=none) %}
    {%- set users = ref('sec_users') -%}
    {%- set members = ref('sec_group_members') -%}
    {%- set cls_columns = ref('sec_cls_columns') -%}
    {%- set grants = ref('sec_cls_grants') -%}
    {%- set datasets = ref('sec_datasets') -%}
    {%- if not execute -%}
        select 1 as placeholder
    {%- else -%}
    {%- if config.get('materialized') != 'view' -%}
        {{ exceptions.raise_compiler_error("secure model " ~ this ~ " must be materialized as a view (a table would freeze the principal of whoever built it)") }}
    {%- endif -%}
    {%- set base_columns = adapter.get_columns_in_relation(base) -%}
    {%- set base_names = base_columns | map(attribute='name') | map('lower') | list -%}
    {%- set lookup_names = [] -%}
    {%- if lookup is not none -%}
        {%- for column in adapter.get_columns_in_relation(lookup.relation) -%}
            {%- if column.name | lower not in base_names -%}{%- do lookup_names.append(column.name | lower) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set rls_columns = [] -%}
    {%- if rls is not none -%}
        {%- for column in adapter.get_columns_in_relation(rls) -%}
            {%- if column.name | trim | lower not in ('username', 'groupname') -%}{%- do rls_columns.append(column.name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}

    {#- restricted columns of this dataset and their masks (read at build time, checked against the base) -#}
    {%- set masks = {} -%}
    {%- set cls_checks = [] -%}
    {%- set cls_rows = run_query("select rowid + 1, 'c:' || lower(trim(column_name)), 'm:' || lower(trim(mask)) from " ~ cls_columns ~ " where lower(trim(dataset)) = " ~ sec_literal(dataset)) -%}
    {%- for row in cls_rows.rows -%}
        {%- set name = row[1][2:] -%}
        {%- set mask = row[2][2:] -%}
        {%- if name not in base_names -%}
            {%- do cls_checks.append({'row': row[0], 'problem': 'restricted column ' ~ name ~ ' is not a column of dataset ' ~ dataset}) -%}
        {%- else -%}
            {%- set column = base_columns[base_names.index(name)] -%}
            {%- if mask not in ('null', 'redact', 'hash', 'email_domain', 'last4', 'year') -%}
                {%- do cls_checks.append({'row': row[0], 'problem': 'unknown mask ' ~ mask}) -%}
            {%- elif (sec_mask_accepts(mask, column.data_type) | trim) != 'true' -%}
                {%- do cls_checks.append({'row': row[0], 'problem': 'mask ' ~ mask ~ ' does not fit column ' ~ name ~ ' of type ' ~ column.data_type}) -%}
            {%- else -%}
                {%- do masks.update({name: mask}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set column_sources = {} -%}
    {%- for name in rls_columns | map('trim') | map('lower') -%}
        {%- if name in base_names -%}{%- do column_sources.update({name: base}) -%}
        {%- elif name in lookup_names -%}{%- do column_sources.update({name: lookup.relation}) -%}
        {%- endif -%}
    {%- endfor -%}

    {{ sec_validate_policy(dataset, base_names + lookup_names, rls, cls_checks, column_sources) }}

with

principal as (
    select {{ sec_principal_expr() }} as user_name,
),

active_user as (
    select principal.user_name as user_name,
    from principal
    inner join {{ users }} as users
        on lower(trim(users.user_name)) = principal.user_name
    where users.is_active
),

principal_groups as (
    select distinct lower(trim(members.group_name)) as group_name,
    from {{ members }} as members
    inner join active_user
        on lower(trim(members.user_name)) = active_user.user_name
),

granted_columns as (
    select distinct lower(trim(grants.column_name)) as column_name,
    from {{ grants }} as grants
    where lower(trim(grants.dataset)) = {{ sec_literal(dataset) }}
        and (
            (lower(trim(grants.principal_type)) = 'user' and lower(trim(grants.principal)) in (select active_user.user_name from active_user))
            or (lower(trim(grants.principal_type)) = 'group' and lower(trim(grants.principal)) in (select principal_groups.group_name from principal_groups))
        )
),

access as (
    select
        {%- for name in masks %}
        coalesce(bool_or(granted_columns.column_name = {{ sec_literal(name) }}), false) as {{ sec_ident('clear__' ~ name) }},
        {%- endfor %}
        count(*) as granted_count,
    from granted_columns
),

{%- if rls is not none %}

applicable_rules as (
    select rules.*,
    from {{ rls }} as rules
    where lower(trim(rules.UserName)) in (select active_user.user_name from active_user)
        or lower(trim(rules.GroupName)) in (select principal_groups.group_name from principal_groups)
),
{%- endif %}

base as (
    select
        {%- for column in base_columns %}
        base.{{ sec_ident(column.name) }} as {{ sec_ident(column.name) }},
        {%- endfor %}
        {%- for name in lookup_names %}{% if name in (rls_columns | map('lower') | list) %}
        lookup.{{ sec_ident(name) }} as {{ sec_ident('rls__' ~ name) }},
        {%- endif %}{% endfor %}
    from {{ base }} as base
    {%- if lookup is not none %}
    left join {{ lookup.relation }} as lookup
        on base.{{ sec_ident(lookup.key) }} = lookup.{{ sec_ident(lookup.key) }}
    {%- endif %}
),

visible as (
    select base.*,
    from base
    {%- if rls is none %}
    where exists (select 1 from active_user)
    {%- else %}
    where exists (
        select 1
        from applicable_rules as rules
        where true
            {%- for name in rls_columns %}
            {%- set cell = 'rules.' ~ sec_ident(name) %}
            {%- set value = 'base.' ~ sec_ident(('rls__' ~ (name | lower)) if (name | lower) in lookup_names else name) %}
            and ({{ sec_is_wildcard(cell) }} or list_contains(string_split({{ cell }}, ','), cast({{ value }} as varchar)))
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
                else {{ sec_mask_expr(masks[name], col, column.data_type) }}
            end as {{ column.data_type }}
        ) as {{ sec_ident(column.name) }},
        {%- else %}
        {{ col }} as {{ sec_ident(column.name) }},
        {%- endif %}
        {%- endfor %}
    from visible
    cross join access
)

select * from final
    {%- endif -%}
{% endmacro %}
