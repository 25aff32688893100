{#- Small helpers of the security layer: policy values never reach SQL text except through these. -#}

{#- A SQL string literal no cell content can end. -#}
{% macro sec_literal(value) -%}
    {{ return(adapter.dispatch('sec_literal', 'lakesight')(value)) }}
{%- endmacro %}

{#- DuckDB: single quotes doubled (a backslash is an ordinary character). -#}
{% macro default__sec_literal(value) -%}
    '{{ (value | string).replace("'", "''") }}'
{%- endmacro %}

{#- Spark: a backslash escapes the next character, so backslashes are doubled, then quotes escaped;
    a dollar sign is written \u0024, so that no ${…} is left for Spark's variable substitution
    (also switched off in profiles.yml) to replace with an environment variable or a setting. -#}
{% macro spark__sec_literal(value) -%}
    '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'").replace("$", "\\u0024") }}'
{%- endmacro %}

{#- A quoted SQL identifier. -#}
{% macro sec_ident(name) -%}
    {{ return(adapter.dispatch('sec_ident', 'lakesight')(name)) }}
{%- endmacro %}

{#- DuckDB: in double quotes, double quotes doubled. -#}
{% macro default__sec_ident(name) -%}
    "{{ (name | string).replace('"', '""') }}"
{%- endmacro %}

{#- Spark: in backticks, backticks doubled (a double-quoted name would be a string). A quoted name
    has no escapes, so a name holding ${ is refused: Spark's variable substitution would rewrite it. -#}
{% macro spark__sec_ident(name) -%}
    {%- if '${' in (name | string) -%}
        {{ exceptions.raise_compiler_error("the name " ~ (name | string) ~ " holds ${, which Spark's variable substitution would replace: rename it") }}
    {%- endif -%}
    `{{ (name | string).replace('`', '``') }}`
{%- endmacro %}

{#- The current principal, trimmed and A-Z lower-cased (NULL if unset). -#}
{% macro sec_principal_expr() -%}
    {{ return(adapter.dispatch('sec_principal_expr', 'lakesight')()) }}
{%- endmacro %}

{#- DuckDB: the session variable lakesight_principal (set by whoever opens the session). -#}
{% macro default__sec_principal_expr() -%}
    {{ sec_normalise("getvariable('lakesight_principal')") }}
{%- endmacro %}

{#- Spark: the session's user, which the Thrift Server sets from authentication (a persistent
    view cannot read a session variable: docs/scale-out.md, "Security on Spark"). -#}
{% macro spark__sec_principal_expr() -%}
    {{ sec_normalise("current_user()") }}
{%- endmacro %}

{#- A rule cell is a wildcard when it is NULL, empty or '*'. -#}
{% macro sec_is_wildcard(cell) -%}
    ({{ cell }} is null or {{ cell }} = '' or {{ cell }} = '*')
{%- endmacro %}

{#- The masks of sec_cls_columns (docs/security.md): each keeps the column's type and NULL as NULL. `salt` is the
    relation policy_mask_salt (ref it where the model or test starts, so dbt sees the dependency):
    the hash mask reads the salt from it when the view is queried, so the value is never SQL text
    (not in compiled SQL, the manifest, dbt's logs or docs: docs/security.md). -#}
{% macro sec_mask_expr(mask, column_sql, data_type, salt) -%}
    {%- if mask == 'null' -%}
        cast(null as {{ data_type }})
    {%- elif mask == 'redact' -%}
        case when {{ column_sql }} is null then null else '****' end
    {%- elif mask == 'hash' -%}
        {{ sha256_hex('(select salt from ' ~ salt ~ ') || ' ~ column_sql) }}
    {%- elif mask == 'email_domain' -%}
        case
            when {{ column_sql }} is null then null
            when contains({{ column_sql }}, '@') then '****@' || {{ list_element(split_text(column_sql, "'@'"), -1) }}
            else '****'
        end
    {%- elif mask == 'last4' -%}
        case
            when {{ column_sql }} is null then null
            when length({{ column_sql }}) > 4 then '****' || right({{ column_sql }}, 4)
            else '****'
        end
    {%- elif mask == 'year' -%}
        cast(make_date(year({{ column_sql }}), 1, 1) as {{ data_type }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown mask " ~ mask) }}
    {%- endif -%}
{%- endmacro %}

{#- Which column types each mask accepts. -#}
{% macro sec_mask_accepts(mask, data_type) -%}
    {%- set t = data_type | lower -%}
    {%- set is_text = t in ('varchar', 'text', 'string') or t.startswith('varchar') or t.startswith('character varying') -%}
    {%- if mask == 'null' -%}true
    {%- elif mask in ('redact', 'hash', 'email_domain', 'last4') -%}{{ 'true' if is_text else 'false' }}
    {%- elif mask == 'year' -%}{{ 'true' if t in ('date', 'timestamp', 'timestamp without time zone') else 'false' }}
    {%- else -%}false
    {%- endif -%}
{%- endmacro %}
