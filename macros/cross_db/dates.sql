{#-
    Dates and timestamps: parsing, UTC, names of days and months, series.
    Engine-specific SQL behind adapter.dispatch (docs/scale-out.md): the default__ form is the
    DuckDB SQL the models had before, word for word; spark__ is the Spark 4 (ANSI mode) form.
-#}

{#- A timestamp parsed from text with a strftime format (%Y %m %d %H %M %S), NULL when it does not parse. -#}
{% macro try_parse_timestamp(expression, format) -%}
    {{ return(adapter.dispatch('try_parse_timestamp', 'lakesight')(expression, format)) }}
{%- endmacro %}

{% macro default__try_parse_timestamp(expression, format) -%}
    try_strptime({{ expression }}, '{{ format }}')
{%- endmacro %}

{% macro spark__try_parse_timestamp(expression, format) -%}
    try_to_timestamp({{ expression }}, '{{ java_datetime_format(format) }}')
{%- endmacro %}

{#- The strftime format (%Y %m %d %H %M %S %b %z) as a Java DateTimeFormatter pattern, for Spark. -#}
{% macro java_datetime_format(format) -%}
    {{- format | replace('%Y', 'yyyy') | replace('%m', 'MM') | replace('%d', 'dd') | replace('%H', 'HH')
        | replace('%M', 'mm') | replace('%S', 'ss') | replace('%b', 'MMM') | replace('%z', 'Z') -}}
{%- endmacro %}

{#- A timestamp with time zone as the plain timestamp of the same instant in UTC. -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}

{% macro spark__utc_timestamp(expression) -%}
    {{ expression }}
{%- endmacro %}

{#- Now, as a plain timestamp in UTC. -#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now', 'lakesight')()) }}
{%- endmacro %}

{% macro default__utc_now() -%}
    cast(current_timestamp at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro spark__utc_now() -%}
    current_timestamp()
{%- endmacro %}

{#-
    An ISO 8601 timestamp from text as the plain timestamp of its instant in UTC, NULL when it is
    not one. Accepted: `YYYY-MM-DD`, `T` or a space, `HH:MM:SS`, up to six fractional digits, then
    optionally a UTC offset as RFC 3339 allows it (`Z`, `+05:00`, `+0530`, `-03`: hours 00-23,
    minutes 00-59), nothing else (no zone name, no spaces). The offset is applied by the same
    arithmetic on every engine (`…T23:30:00+05:30` is 18:00 UTC); a timestamp without one is taken
    as UTC and kept as written. A day or an hour that does not exist gives NULL (docs/lake.md,
    Timestamps).
-#}
{% macro try_parse_iso_timestamp_utc(expression) -%}
    {%- set pattern = "'^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?)(Z|([+-])([01][0-9]|2[0-3])(:?([0-5][0-9]))?)?$'" -%}
    {%- set local -%}
        try_cast(regexp_extract({{ expression }}, {{ pattern }}, 1) || ' ' || regexp_extract({{ expression }}, {{ pattern }}, 2) as timestamp)
    {%- endset -%}
    {%- set offset_minutes -%}
        (case regexp_extract({{ expression }}, {{ pattern }}, 5) when '-' then -1 else 1 end)
        * (coalesce(try_cast(nullif(regexp_extract({{ expression }}, {{ pattern }}, 6), '') as integer), 0) * 60
            + coalesce(try_cast(nullif(regexp_extract({{ expression }}, {{ pattern }}, 8), '') as integer), 0))
    {%- endset -%}
    {{ return(timestamp_minus_minutes(local, offset_minutes)) }}
{%- endmacro %}

{#- A timestamp minus a number of minutes (an integer expression, negative to add). -#}
{% macro timestamp_minus_minutes(timestamp_expression, minutes_expression) -%}
    {{ return(adapter.dispatch('timestamp_minus_minutes', 'lakesight')(timestamp_expression, minutes_expression)) }}
{%- endmacro %}

{% macro default__timestamp_minus_minutes(timestamp_expression, minutes_expression) -%}
    ({{ timestamp_expression }} - to_minutes({{ minutes_expression }}))
{%- endmacro %}

{% macro spark__timestamp_minus_minutes(timestamp_expression, minutes_expression) -%}
    timestampadd(MINUTE, -({{ minutes_expression }}), {{ timestamp_expression }})
{%- endmacro %}

{#- The English name of a date's weekday ('Monday') or month ('January'): part is 'day' or 'month'. -#}
{% macro date_name(part, expression) -%}
    {{ return(adapter.dispatch('date_name', 'lakesight')(part, expression)) }}
{%- endmacro %}

{% macro default__date_name(part, expression) -%}
    {{ {'day': 'dayname', 'month': 'monthname'}[part] }}({{ expression }})
{%- endmacro %}

{% macro spark__date_name(part, expression) -%}
    date_format({{ expression }}, '{{ {'day': 'EEEE', 'month': 'MMMM'}[part] }}')
{%- endmacro %}

{#- ISO day of the week of a date: 1 = Monday … 7 = Sunday. -#}
{% macro iso_day_of_week(expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expression) -%}
    extract(isodow from {{ expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(expression) -%}
    extract(dow_iso from {{ expression }})
{%- endmacro %}

{#-
    A table function of one row per month from the timestamp `start` to `stop` (inclusive), for a
    FROM clause after a comma (it may read the tables before it); alias it `as name (column)`.
-#}
{% macro month_series(start, stop) -%}
    {{ return(adapter.dispatch('month_series', 'lakesight')(start, stop)) }}
{%- endmacro %}

{% macro default__month_series(start, stop) -%}
    generate_series({{ start }}, {{ stop }}, interval 1 month)
{%- endmacro %}

{% macro spark__month_series(start, stop) -%}
    {#- sequence() fails when start is after stop: no row then, as generate_series -#}
    lateral explode(
        case when {{ start }} <= {{ stop }} then sequence({{ start }}, {{ stop }}, interval 1 month) end
    )
{%- endmacro %}
