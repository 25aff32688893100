{#-
    recency(model, field, datepart, interval, where=none)

    Fails when the most recent value of `field` is older than
    now() - `interval` `datepart`, e.g. datepart='hour', interval=6 demands a
    row from the last 6 hours. Also fails when the table (or the rows left by
    `where`) is empty or `field` is always NULL: no data is not fresh data.

    Arguments:
        field: the timestamp or date column (or SQL expression). It is cast to
            timestamp, so a DATE counts as midnight at the start of that day;
            naive timestamps are compared with the session's wall clock
            (UTC in lakesight's DuckDB sessions).
        datepart: a dbt.dateadd unit: 'minute', 'hour', 'day', 'week', ...
        interval: a whole number of datepart units.
        where: optional SQL condition restricting which rows are considered.
            Note: in YAML, a `where` key (under `arguments:` or `config:`) is
            taken by dbt as the test's `where` config, which filters the model
            before the test runs; the effect is the same.

    Returns, when stale, a single row with `most_recent` (NULL when empty) and
    `threshold`, the oldest acceptable timestamp; nothing when fresh.
-#}
{% test recency(model, field, datepart, interval, where=none) %}
{%- set now = "cast(" ~ dbt.current_timestamp() ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
{%- set threshold = dbt.dateadd(datepart, "-1 * (" ~ interval ~ ")", now) | trim %}

with

latest as (
    select max(cast({{ field }} as {{ dbt.type_timestamp() }})) as most_recent
    from {{ model }}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
),

checked as (
    select
        most_recent,
        {{ threshold }} as threshold
    from latest
)

select
    most_recent,
    threshold
from checked
where most_recent is null or most_recent < threshold

{% endtest %}
