{#-
    The plan of one secure view: which rows, columns and masks the policy gives a dataset, read while
    the view compiles from the resolved policy (models/policy) and the mart's columns. Data only:
    the SQL that applies it is render.sql (docs/security.md, "How it is compiled").

    A plan is a dict:
    dataset        the secured dataset (= policy_datasets.dataset = the view's name)
    base           the mart relation; base_columns its columns (name, data_type) in order
    lookup         none, or {'relation': ..., 'key': ...}; lookup_names its columns the base lacks
                   (lower case)
    rls_mode       `rules` or `public` (policy_datasets.rls_mode)
    rls_columns    the dataset's rule columns (lower case), in policy_datasets order
    masks          {column (lower case): mask} of the restricted columns that are valid for the base

    Invariant: a plan is returned only for a view materialized as a view, a dataset in the resolved
    policy, and a policy sec_validate_policy accepts for it; anything else is a compilation error.
-#}

{#-
    sec_dataset_plan(dataset, base, lookup, policy) -> the plan above. `policy` holds the resolved
    policy's relations by short name (secure_dataset refs them); run only when `execute`.
-#}
{% macro sec_dataset_plan(dataset, base, lookup, policy) %}
    {%- if config.get('materialized') != 'view' -%}
        {{ exceptions.raise_compiler_error("secure model " ~ this ~ " must be materialized as a view (a table would freeze the principal of whoever built it)") }}
    {%- endif -%}
    {%- set rls = sec_plan_rls(dataset, policy.datasets) -%}
    {%- set base_columns = adapter.get_columns_in_relation(base) -%}
    {%- set base_names = base_columns | map(attribute='name') | map('lower') | list -%}
    {%- set lookup_names = sec_plan_lookup_names(base_names, lookup) -%}
    {%- set cls = sec_plan_masks(dataset, base_columns, policy.restricted) -%}
    {%- set column_sources = {} -%}
    {%- for name in rls.columns -%}
        {%- if name in base_names -%}{%- do column_sources.update({name: base}) -%}
        {%- elif name in lookup_names -%}{%- do column_sources.update({name: lookup.relation}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do sec_validate_policy(dataset, base_names + lookup_names, rls.mode, cls.checks, column_sources) -%}
    {{ return({
        'dataset': dataset,
        'base': base,
        'base_columns': base_columns,
        'lookup': lookup,
        'lookup_names': lookup_names,
        'rls_mode': rls.mode,
        'rls_columns': rls.columns,
        'masks': cls.masks,
    }) }}
{% endmacro %}

{#-
    sec_plan_rls(dataset, datasets) -> {'mode': rls_mode, 'columns': [rule column, ...]}: the
    dataset's row in policy_datasets. Fails when the dataset has no row or an unknown rls_mode.
-#}
{% macro sec_plan_rls(dataset, datasets) %}
    {%- set found = run_query("select rls_mode, " ~ join_list('rule_columns', "','") ~ " from " ~ datasets ~ " where dataset = " ~ sec_literal(dataset)) -%}
    {%- if found.rows | length != 1 -%}
        {{ exceptions.raise_compiler_error("secure model " ~ this ~ ": dataset " ~ dataset ~ " is not in the resolved policy (seeds/security/sec_datasets.csv)") }}
    {%- endif -%}
    {%- set rls_mode = found.rows[0][0] -%}
    {%- if rls_mode not in ('rules', 'public') -%}
        {{ exceptions.raise_compiler_error("secure model " ~ this ~ ": unknown rls_mode " ~ rls_mode) }}
    {%- endif -%}
    {{ return({'mode': rls_mode, 'columns': found.rows[0][1].split(',') if found.rows[0][1] else []}) }}
{% endmacro %}

{#- sec_plan_lookup_names(base_names, lookup) -> the lookup relation's columns (lower case) the base
    lacks, in the lookup's order; [] without a lookup. -#}
{% macro sec_plan_lookup_names(base_names, lookup) %}
    {%- set lookup_names = [] -%}
    {%- if lookup is not none -%}
        {%- for column in adapter.get_columns_in_relation(lookup.relation) -%}
            {%- if column.name | lower not in base_names -%}{%- do lookup_names.append(column.name | lower) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(lookup_names) }}
{% endmacro %}

{#-
    sec_plan_masks(dataset, base_columns, restricted) -> {'masks': {column: mask}, 'checks': [...]}:
    the dataset's restricted columns (policy_restricted_columns), each either a valid mask for a
    column of the base, or a problem {'column', 'field', 'problem'} for sec_validate_policy (a
    column the base lacks, an unknown mask, a mask that does not fit the column's type).
-#}
{% macro sec_plan_masks(dataset, base_columns, restricted) %}
    {%- set base_names = base_columns | map(attribute='name') | map('lower') | list -%}
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
    {{ return({'masks': masks, 'checks': cls_checks}) }}
{% endmacro %}
