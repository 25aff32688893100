{#-
    The SQL of one secure view (docs/security.md, "How it is compiled"): rows through the resolved
    policy's row rules (policy_row_rules), restricted columns masked unless granted
    (policy_restricted_columns, policy_column_grants), for the principal read at query time. What
    applies to the dataset (rls_mode, rule columns, masks) is its plan (plan.sql); here it only
    becomes SQL.

    Invariant: the policy relations are joined when the view is queried, so seed values never become
    SQL text; only validated column names (quoted) and whitelisted masks do. The view has exactly
    its mart's columns and types. While policy_problems holds a row (the last build refused the
    policy seeds), the view shows no row to anyone.
-#}

{#-
    secure_dataset(dataset, base, lookup=none): the whole view, what a models/secure/<dataset>.sql
    calls.
    dataset     name of the secured dataset (= policy_datasets.dataset = the view's name)
    base        the mart relation; the view has exactly its columns and types
    lookup      optional {'relation': ..., 'key': ...}: rule columns the base lacks are read from this
                relation joined on key (order lines take country and channel from their order)
-#}
{% macro secure_dataset(dataset, base, lookup=none) %}
    {%- set policy = {
        'principals': ref('policy_principals'),
        'members': ref('policy_group_members'),
        'restricted': ref('policy_restricted_columns'),
        'grants': ref('policy_column_grants'),
        'datasets': ref('policy_datasets'),
        'row_rules': ref('policy_row_rules'),
        'problems': ref('policy_problems'),
        'mask_salt': ref('policy_mask_salt'),
    } -%}
    {%- if not execute -%}
        select 1 as placeholder
    {%- else -%}
        {{ sec_render_view(sec_dataset_plan(dataset, base, lookup, policy), policy) }}
    {%- endif -%}
{% endmacro %}

{#-
    sec_render_view(plan, policy): the view's SQL, CTE by CTE: the principal and their groups
    (nobody while policy_problems has a row), the columns granted to them, the rules that apply
    (rls_mode rules), the mart's rows (with the lookup's rule columns), the visible rows, and
    `final` with every restricted column masked unless granted.
-#}
{% macro sec_render_view(plan, policy) %}

with

principal as (
    select {{ sec_principal_expr() }} as user_name
),

active_user as (
    select principal.user_name as user_name
    from principal
    inner join {{ policy.principals }} as principals
        on principals.principal_type = 'user' and principals.principal = principal.user_name
    where principals.is_active
        -- a policy the last build refused (policy_problems not empty) shows nobody anything
        and not exists (select 1 from {{ policy.problems }})
),

principal_groups as (
    select distinct members.group_name as group_name
    from {{ policy.members }} as members
    inner join active_user
        on members.user_name = active_user.user_name
),

granted_columns as (
    select distinct grants.column_name as column_name
    from {{ policy.grants }} as grants
    where grants.dataset = {{ sec_literal(plan.dataset) }}
        and (
            (grants.principal_type = 'user' and grants.principal in (select active_user.user_name from active_user))
            or (grants.principal_type = 'group' and grants.principal in (select principal_groups.group_name from principal_groups))
        )
),

access as (
    select
        {%- for name in plan.masks %}
        coalesce(bool_or(granted_columns.column_name = {{ sec_literal(name) }}), false) as {{ sec_ident('clear__' ~ name) }},
        {%- endfor %}
        count(*) as granted_count
    from granted_columns
),

{%- if plan.rls_mode == 'rules' %}

applicable_rules as (
    select rules.cells as cells
    from {{ policy.row_rules }} as rules
    where rules.dataset = {{ sec_literal(plan.dataset) }}
        and (
            rules.user_name in (select active_user.user_name from active_user)
            or rules.group_name in (select principal_groups.group_name from principal_groups)
        )
),
{%- endif %}

base as (
    select
        {{ sec_render_base_columns(plan) }}
    from {{ plan.base }} as base
    {%- if plan.lookup is not none %}
    left join {{ plan.lookup.relation }} as lookup
        on base.{{ sec_ident(plan.lookup.key) }} = lookup.{{ sec_ident(plan.lookup.key) }}
    {%- endif %}
),

visible as (
    select base.*
    from base
    {%- if plan.rls_mode == 'public' %}
    where exists (select 1 from active_user)
    {%- else %}
    where exists (
        select 1
        from applicable_rules as rules
        where true
            {{- sec_render_rule_match(plan) }}
    )
    {%- endif %}
),

final as (
    select
        {{- sec_render_masked_columns(plan, policy.mask_salt) }}
    from visible
    cross join access
)

select * from final
{%- endmacro %}

{#- sec_render_base_columns(plan): the select list of `base`: every mart column, then each rule
    column read from the lookup as rls__<name>. -#}
{% macro sec_render_base_columns(plan) -%}
    {%- set selected = [] %}
    {%- for column in plan.base_columns %}
    {%- do selected.append('base.' ~ sec_ident(column.name) ~ ' as ' ~ sec_ident(column.name)) %}
    {%- endfor %}
    {%- for name in plan.lookup_names %}{% if name in plan.rls_columns %}
    {%- do selected.append('lookup.' ~ sec_ident(name) ~ ' as ' ~ sec_ident('rls__' ~ name)) %}
    {%- endif %}{% endfor %}
    {{- selected | join(',\n        ') }}
{%- endmacro %}

{#- sec_render_rule_match(plan): the conditions under `where true` by which a rule admits a row of
    `base`: for each rule column, the rule has no cell for it (a wildcard) or the row's value is in
    the cell's list. -#}
{% macro sec_render_rule_match(plan) -%}
    {%- for name in plan.rls_columns %}
    {%- set value = 'base.' ~ sec_ident(('rls__' ~ name) if name in plan.lookup_names else name) %}
            and (
                not {{ map_has_key('rules.cells', sec_literal(name)) }}
                or array_contains(rules.cells[{{ sec_literal(name) }}], cast({{ value }} as {{ dbt.type_string() }}))
            )
    {%- endfor %}
{%- endmacro %}

{#- sec_render_masked_columns(plan, mask_salt): the select list of `final`: each mart column as it is,
    or, when restricted, in clear where granted (access.clear__<name>) and masked (sec_mask_expr,
    cast back to the column's type) otherwise. -#}
{% macro sec_render_masked_columns(plan, mask_salt) -%}
    {%- for column in plan.base_columns %}
    {%- set name = column.name | lower %}
    {%- set col = 'visible.' ~ sec_ident(column.name) %}
    {%- if name in plan.masks %}
        cast(
            case
                when access.{{ sec_ident('clear__' ~ name) }} then {{ col }}
                else {{ sec_mask_expr(plan.masks[name], col, column.data_type, mask_salt) }}
            end as {{ column.data_type }}
        ) as {{ sec_ident(column.name) }}{{ ',' if not loop.last }}
    {%- else %}
        {{ col }} as {{ sec_ident(column.name) }}{{ ',' if not loop.last }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
