{#-
    The reason a raw record is quarantined, or NULL when it passes every check.
    A record the loader could not read (_load_error: wrong column count, empty file, ...) gets the
    loader's message. Otherwise each check whose condition is true (NULL counts as false) adds its
    reason; reasons are joined with '; '. A check is [condition, reason] or
    [condition, reason, value]: with a value (a SQL expression, e.g. the raw text of the column),
    the reason names it — '{}' in the reason is replaced by the value, else ': <value>' is
    appended (nothing when the value is NULL; at most 80 characters of it).
-#}
{% macro reject_reason(checks) -%}
    coalesce(_load_error, nullif(concat_ws('; '
        {%- for check in checks %}
        {%- set condition, reason = check[0], check[1] %},
        case when coalesce(({{ condition }}), false) then
            {%- if check | length > 2 %}
            {%- set value = "left(cast((" ~ check[2] ~ ") as " ~ dbt.type_string() ~ "), 80)" %}
            {%- if '{}' in reason %}
            {%- set before, after = reason.split('{}', 1) %}
            '{{ before | replace("'", "''") }}' || coalesce({{ value }}, 'NULL') || '{{ after | replace("'", "''") }}'
            {%- else %}
            '{{ reason | replace("'", "''") }}' || coalesce(': ' || {{ value }}, '')
            {%- endif %}
            {%- else %}
            '{{ reason | replace("'", "''") }}'
            {%- endif %}
        end
        {%- endfor %}
    ), ''))
{%- endmacro %}

{#- True when the timestamp lies after now (UTC) plus the tolerance of var future_tolerance_hours. -#}
{% macro is_in_future(timestamp_expression) -%}
    {{ return(adapter.dispatch('is_in_future', 'lakesight')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__is_in_future(timestamp_expression) -%}
    ({{ timestamp_expression }} > (current_timestamp at time zone 'UTC') + to_hours({{ var('future_tolerance_hours') }}))
{%- endmacro %}

{% macro spark__is_in_future(timestamp_expression) -%}
    ({{ timestamp_expression }} > current_timestamp() + make_interval(0, 0, 0, 0, {{ var('future_tolerance_hours') }}, 0, 0))
{%- endmacro %}

{#-
    True when a value arrived (raw_expression is not NULL) but its total cast (try_cast,
    try_strptime: NULL instead of an error) gave NULL: not a number, NaN, ±infinity, too large for
    the type, not a date, a date that does not exist. Every cast from raw is a total one, so no
    value can stop a build; this check quarantines the record instead, naming column and value.
-#}
{% macro cast_failed(raw_expression, typed_expression) -%}
    ({{ raw_expression }} is not null and {{ typed_expression }} is null)
{%- endmacro %}

{#-
    True when the currency has no rate in the FX seed for the calendar month of the timestamp
    (the rate that intermediate converts the record's amounts with). fx_relation is a relation or
    CTE with currency_code and month (a date, the first of the month), like ref_fx_rates_monthly.
-#}
{% macro fx_rate_missing(currency_expression, timestamp_expression, fx_relation) -%}
    ({{ currency_expression }} is not null and {{ timestamp_expression }} is not null and not exists (
        -- renamed, so that unqualified outer columns (currency_code) do not bind to the seed's
        select 1 from (
            select currency_code as fx_currency_code, month as fx_month from {{ fx_relation }}
        ) as fx_rate
        where
            fx_rate.fx_currency_code = {{ currency_expression }}
            and fx_rate.fx_month = cast(date_trunc('month', {{ timestamp_expression }}) as date)
    ))
{%- endmacro %}

{#- '<currency> in <YYYY-MM>': the FX period a record's amounts are converted at, for reasons. -#}
{% macro fx_period(currency_expression, timestamp_expression) -%}
    {{ return(adapter.dispatch('fx_period', 'lakesight')(currency_expression, timestamp_expression)) }}
{%- endmacro %}

{% macro default__fx_period(currency_expression, timestamp_expression) -%}
    ({{ currency_expression }} || ' in ' || strftime({{ timestamp_expression }}, '%Y-%m'))
{%- endmacro %}

{% macro spark__fx_period(currency_expression, timestamp_expression) -%}
    ({{ currency_expression }} || ' in ' || date_format({{ timestamp_expression }}, 'yyyy-MM'))
{%- endmacro %}
