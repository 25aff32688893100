{#-
    sec_masked_unless_granted(model, base, key, principals=none)

    For each principal, queries the secure view `model` as that principal and compares every
    restricted column (policy_restricted_columns of the dataset named like the view) cell by cell
    with the base dataset, joined on `key`: a column granted to the principal (policy_column_grants,
    to the user or to one of its groups; an inactive or unknown user has no grant) must equal the
    clear value, any other must equal the mask of the clear value (NULL stays NULL). It reads the
    same resolved policy as the view, with queries of its own.

    Arguments:
        base: the mart the view secures.
        key: the column(s) identifying a row in both (a name or a list of names).
        principals: as in sec_no_row_outside_rules.

    A view row that finds no base row on `key` is a failure too (so a masked or altered key cannot
    hide cells), and `key` may not be a restricted column. A dataset without restricted columns
    passes with nothing to compare.

    Returns one row per principal and column with a wrong cell: (principal, problem, row_count).
-#}
{% test sec_masked_unless_granted(model, base, key, principals=none) %}
    {%- set principals_table = ref('policy_principals') -%}
    {%- set members = ref('policy_group_members') -%}
    {%- set policy_datasets = ref('policy_datasets') -%}
    {%- set users_as_written = ref('sec_users') -%}
    {%- set cls_columns = ref('policy_restricted_columns') -%}
    {%- set grants = ref('policy_column_grants') -%}
    {%- set mask_salt = ref('policy_mask_salt') -%}
    {%- set failures = [] -%}
    {%- if execute -%}
        {%- set keys = [key] if key is string else key -%}
        {%- set dataset = sec_literal(sec_test_dataset(model).name) -%}
        {%- set types = {} -%}
        {%- for column in adapter.get_columns_in_relation(base) -%}
            {%- do types.update({column.name | lower: column.data_type}) -%}
        {%- endfor -%}
        {%- set restricted = run_query("select column_name, mask from " ~ cls_columns ~ " where dataset = " ~ dataset ~ " order by 1") -%}
        {%- for row in restricted.rows if row[0] in (keys | map('lower') | list) -%}
            {{ exceptions.raise_compiler_error("sec_masked_unless_granted on " ~ model ~ ": key column " ~ row[0] ~ " is restricted, so rows cannot be matched to the base") }}
        {%- endfor -%}
        {%- set join_on -%}
            {% for k in keys %}v.{{ sec_ident(k) }} = b.{{ sec_ident(k) }}{{ ' and ' if not loop.last }}{% endfor %}
        {%- endset -%}
        {%- for principal in sec_test_principals(principals) -%}
            {%- set p = sec_normalise('null' if principal is none else sec_literal(principal)) -%}
            {%- set granted = run_query(
                "select distinct g.column_name from " ~ grants ~ " as g"
                ~ " where g.dataset = " ~ dataset
                ~ " and " ~ p ~ " in (select principal from " ~ principals_table ~ " where principal_type = 'user' and is_active)"
                ~ " and ((g.principal_type = 'user' and g.principal = " ~ p ~ ")"
                ~ " or (g.principal_type = 'group' and g.principal in"
                ~ " (select group_name from " ~ members ~ " where user_name = " ~ p ~ ")))"
            ).columns[0].values() | list -%}
            {#- one statement as the principal: the rows without a base row, then the wrong cells of
                each restricted column (in the order of `restricted`) -#}
            {%- set checks -%}
                select
                    (
                        select count(*)
                        from {{ model }} as v
                        where not exists (select 1 from {{ base }} as b where {{ join_on }})
                    )
                    {%- for row in restricted.rows %}
                    {%- set clear = 'b.' ~ sec_ident(row[0]) %}
                    {%- set expected = clear if row[0] in granted else sec_mask_expr(row[1], clear, types[row[0]], mask_salt) %},
                    (
                        select count(*)
                        from {{ model }} as v
                        inner join {{ base }} as b
                            on {{ join_on }}
                        where v.{{ sec_ident(row[0]) }} is distinct from ({{ expected }})
                    )
                    {%- endfor %}
            {%- endset -%}
            {%- set counts = sec_counts_as(principal, checks) -%}
            {%- if counts[0] > 0 -%}
                {%- do failures.append({'principal': principal, 'count': counts[0], 'problem': 'rows without a base row on ' ~ (keys | join(', '))}) -%}
            {%- endif -%}
            {%- for row in restricted.rows -%}
                {%- set count = counts[loop.index] -%}
                {%- if count > 0 -%}
                    {%- set state = 'clear' if row[0] in granted else ('mask ' ~ row[1]) -%}
                    {%- do failures.append({'principal': principal, 'count': count, 'problem': row[0] ~ ' is not ' ~ state}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- do sec_reset_principal() -%}
    {%- endif -%}
    {{ sec_test_failures(failures, '') }}
{% endtest %}
