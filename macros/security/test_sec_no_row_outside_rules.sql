{#-
    sec_no_row_outside_rules(model, principals=none, lookup=none, lookup_key=none)

    For each principal, queries the secure view `model` as that principal (the session variable
    lakesight_principal set and the view queried in one statement; the variable reset after the
    last principal) and counts the rows no rule of the principal allows. It reads the same resolved policy as the view (policy_datasets,
    policy_principals, policy_group_members, policy_row_rules) with a formulation of its own (a rule
    cell matches a value without commas when ',' || the joined list || ',' contains ',' || value || ','),
    not with the view's SQL. The work runs while the test compiles (a statement cannot set the
    variable), so the compiled SQL is the list of failures; `dbt docs generate` runs it too.

    Arguments:
        principals: the principals to check; default: every user of sec_users as written in the seed,
            plus an unknown user, an empty name and NULL (unset).
        lookup, lookup_key: where the view lacks a rule column, read it from `lookup` joined on
            `lookup_key` (order lines take country and channel from their order).

    A `public` dataset (rls_mode in policy_datasets) lets any active user see every row and anyone
    else none; a view the resolved policy does not list fails instead of checking nothing.

    Returns one row per principal that sees a row outside its rules: (principal, problem, row_count).
-#}
{% test sec_no_row_outside_rules(model, principals=none, lookup=none, lookup_key=none) %}
    {%- set principals_table = ref('policy_principals') -%}
    {%- set members = ref('policy_group_members') -%}
    {%- set policy_datasets = ref('policy_datasets') -%}
    {%- set users_as_written = ref('sec_users') -%}
    {%- set row_rules = ref('policy_row_rules') -%}
    {%- set failures = [] -%}
    {%- if execute -%}
        {%- set dataset = sec_test_dataset(model) -%}
        {%- set public = dataset.rls_mode == 'public' -%}
        {%- set rule_columns = dataset.rule_columns -%}
        {%- set model_names = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
        {%- for principal in sec_test_principals(principals) -%}
            {%- set check -%}
                with

                me as (
                    select principal as user_name,
                    from {{ principals_table }}
                    where principal_type = 'user' and is_active
                        and principal = {{ sec_normalise('null' if principal is none else sec_literal(principal)) }}
                ),

                my_groups as (
                    select group_name,
                    from {{ members }}
                    where user_name in (select me.user_name from me)
                ),

                {%- if not public %}

                my_rules as (
                    select cells,
                    from {{ row_rules }}
                    where dataset = {{ sec_literal(dataset.name) }}
                        and (
                            user_name in (select me.user_name from me)
                            or group_name in (select my_groups.group_name from my_groups)
                        )
                ),
                {%- endif %}

                seen as (
                    select
                        {%- for name in rule_columns %}
                        {%- if name in model_names %}
                        cast(v.{{ sec_ident(name) }} as {{ dbt.type_string() }}) as {{ sec_ident('c__' ~ name) }},
                        {%- else %}
                        cast(l.{{ sec_ident(name) }} as {{ dbt.type_string() }}) as {{ sec_ident('c__' ~ name) }},
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
                    {%- if public %}
                    select 1 from me
                    {%- else %}
                    select 1
                    from my_rules as r
                    where true
                        {%- for name in rule_columns %}
                        {%- set cell = 'r.cells[' ~ sec_literal(name) ~ ']' %}
                        and (
                            {{ cell }} is null
                            or (
                                contains(',' || array_to_string({{ cell }}, ',') || ',', ',' || seen.{{ sec_ident('c__' ~ name) }} || ',')
                                and not contains(seen.{{ sec_ident('c__' ~ name) }}, ',')
                            )
                        )
                        {%- endfor %}
                    {%- endif %}
                )
            {%- endset -%}
            {%- set count = sec_counts_as(principal, check)[0] -%}
            {%- if count > 0 -%}
                {%- do failures.append({'principal': principal, 'count': count}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do sec_reset_principal() -%}
    {%- endif -%}
    {{ sec_test_failures(failures, 'rows outside its rules') }}
{% endtest %}
