{#-
    sec_no_row_outside_rules(model, rules=none, principals=none, lookup=none, lookup_key=none)

    For each principal, queries the secure view `model` as that principal (the session variable
    lakesight_principal is set, the view queried, the variable reset) and counts the rows no rule of
    the principal allows. The rules are read with a formulation of its own (a rule cell matches a
    value without commas when ',' || cell || ',' contains ',' || value || ','), not with the view's
    SQL. The work runs while the test compiles (a statement cannot set the variable), so the
    compiled SQL is the list of failures; `dbt docs generate` runs it too.

    Arguments:
        rules: the sec_rls__<dataset> seed; none only for a `public` dataset (then any active user
            may see every row and anyone else must see none). A `rules` dataset without `rules`,
            or a view sec_datasets does not list, fails instead of checking nothing.
        principals: the principals to check; default: every user of sec_users as written in the seed,
            plus an unknown user, an empty name and NULL (unset).
        lookup, lookup_key: where the view lacks a rule column, read it from `lookup` joined on
            `lookup_key` (order lines take country and channel from their order).

    Returns one row per principal that sees a row outside its rules: (principal, problem, row_count).
-#}
{% test sec_no_row_outside_rules(model, rules=none, principals=none, lookup=none, lookup_key=none) %}
    {%- set users = ref('sec_users') -%}
    {%- set datasets = ref('sec_datasets') -%}
    {%- set members = ref('sec_group_members') -%}
    {%- set failures = [] -%}
    {%- if execute -%}
        {%- set dataset = sec_test_dataset(model) -%}
        {%- if (rules is none) != (dataset.rls_mode == 'public') -%}
            {{ exceptions.raise_compiler_error("sec_no_row_outside_rules on " ~ model ~ ": dataset " ~ dataset.name ~ " has rls_mode " ~ dataset.rls_mode ~ ", so the test needs " ~ ("no rules argument" if rules is not none else "its rules seed as the rules argument")) }}
        {%- endif -%}
        {%- set rule_columns = [] -%}
        {%- if rules is not none -%}
            {%- for column in adapter.get_columns_in_relation(rules) -%}
                {%- if column.name | trim | lower not in ('username', 'groupname') -%}
                    {%- do rule_columns.append(column.name) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set model_names = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
        {%- for principal in sec_test_principals(principals) -%}
            {%- set check -%}
                with

                me as (
                    select lower(trim(user_name)) as user_name,
                    from {{ users }}
                    where is_active and lower(trim(user_name)) = lower(trim({{ 'null' if principal is none else sec_literal(principal) }}))
                ),

                my_groups as (
                    select lower(trim(group_name)) as group_name,
                    from {{ members }}
                    where lower(trim(user_name)) in (select me.user_name from me)
                ),

                {%- if rules is not none %}

                my_rules as (
                    select *,
                    from {{ rules }}
                    where lower(trim(UserName)) in (select me.user_name from me)
                        or lower(trim(GroupName)) in (select my_groups.group_name from my_groups)
                ),
                {%- endif %}

                seen as (
                    select
                        {%- for name in rule_columns %}
                        {%- if name | lower in model_names %}
                        cast(v.{{ sec_ident(name) }} as varchar) as {{ sec_ident('c__' ~ (name | lower)) }},
                        {%- else %}
                        cast(l.{{ sec_ident(name) }} as varchar) as {{ sec_ident('c__' ~ (name | lower)) }},
                        {%- endif %}
                        {%- endfor %}
                        1 as one,
                    from {{ model }} as v
                    {%- if lookup is not none %}
                    left join {{ lookup }} as l on v.{{ sec_ident(lookup_key) }} = l.{{ sec_ident(lookup_key) }}
                    {%- endif %}
                )

                select count(*),
                from seen
                where not exists (
                    {%- if rules is none %}
                    select 1 from me
                    {%- else %}
                    select 1
                    from my_rules as r
                    where true
                        {%- for name in rule_columns %}
                        {%- set cell = 'r.' ~ sec_ident(name) %}
                        and (
                            coalesce({{ cell }}, '') in ('', '*')
                            or (
                                contains(',' || {{ cell }} || ',', ',' || seen.{{ sec_ident('c__' ~ (name | lower)) }} || ',')
                                and not contains(seen.{{ sec_ident('c__' ~ (name | lower)) }}, ',')
                            )
                        )
                        {%- endfor %}
                    {%- endif %}
                )
            {%- endset -%}
            {%- set count = sec_count_as(principal, check) -%}
            {%- if count > 0 -%}
                {%- do failures.append({'principal': principal, 'count': count}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ sec_test_failures(failures, 'rows outside its rules') }}
{% endtest %}
