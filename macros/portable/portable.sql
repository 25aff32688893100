{#-
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

{#- A whole row (a relation or CTE alias) as JSON text, NULL fields included. -#}
{% macro row_to_json(alias) -%}
    {{ return(adapter.dispatch('row_to_json', 'lakesight')(alias)) }}
{%- endmacro %}

{% macro default__row_to_json(alias) -%}
    cast(to_json({{ alias }}) as varchar)
{%- endmacro %}

{% macro spark__row_to_json(alias) -%}
    {#- microseconds kept (Spark's default timestampFormat stops at milliseconds) -#}
    to_json(
        struct({{ alias }}.*),
        map('ignoreNullFields', 'false', 'timestampFormat', 'yyyy-MM-dd HH:mm:ss.SSSSSSXXX')
    )
{%- endmacro %}

{#- Every column of the row but the named ones (DuckDB `* exclude (…)`, Spark 4 `* except (…)`). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'lakesight')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
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

{#- The keyword that keeps a CTE read more than once from being materialised (empty where there is none). -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'lakesight')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}

{#- A regular expression as a string literal the engine passes to its regex functions unchanged. -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal', 'lakesight')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    '{{ pattern }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    r'{{ pattern }}'
{%- endmacro %}

{#- True when the text matches the regular expression (anywhere, unless anchored). -#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'lakesight')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    regexp_like({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{#-
    One text column per capture group of the pattern (names, in group order), when `condition`
    holds (NULL columns otherwise); '' for every group when the text does not match.
-#}
{% macro regex_groups(expression, pattern, names, condition) -%}
    {{ return(adapter.dispatch('regex_groups', 'lakesight')(expression, pattern, names, condition)) }}
{%- endmacro %}

{% macro default__regex_groups(expression, pattern, names, condition) -%}
        unnest(case
            when {{ condition }} then regexp_extract(
                    {{ expression }},
                    {{ regex_literal(pattern) }},
                    ['{{ names | join("', '") }}']
                )
        end)
{%- endmacro %}

{% macro spark__regex_groups(expression, pattern, names, condition) -%}
    {%- for name in names %}
        case when {{ condition }} then regexp_extract({{ expression }}, {{ regex_literal(pattern) }}, {{ loop.index }}) end as {{ name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- True when the text starts with the prefix. -#}
{% macro text_starts_with(expression, prefix) -%}
    {{ return(adapter.dispatch('text_starts_with', 'lakesight')(expression, prefix)) }}
{%- endmacro %}

{% macro default__text_starts_with(expression, prefix) -%}
    starts_with({{ expression }}, {{ prefix }})
{%- endmacro %}

{% macro spark__text_starts_with(expression, prefix) -%}
    startswith({{ expression }}, {{ prefix }})
{%- endmacro %}

{#- The text split at every occurrence of a one-character delimiter (a SQL expression), as a list. -#}
{% macro split_text(expression, delimiter) -%}
    {{ return(adapter.dispatch('split_text', 'lakesight')(expression, delimiter)) }}
{%- endmacro %}

{% macro default__split_text(expression, delimiter) -%}
    string_split({{ expression }}, {{ delimiter }})
{%- endmacro %}

{% macro spark__split_text(expression, delimiter) -%}
    {#- Spark splits at a regex: the delimiter is quoted -#}
    split({{ expression }}, concat('\\Q', {{ delimiter }}, '\\E'), -1)
{%- endmacro %}

{#- The number of elements of a list (NULL for NULL). -#}
{% macro list_length(expression) -%}
    {{ return(adapter.dispatch('list_length', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__list_length(expression) -%}
    len({{ expression }})
{%- endmacro %}

{% macro spark__list_length(expression) -%}
    array_size({{ expression }})
{%- endmacro %}

{#- The 1-based position of a value in a list, NULL when it is not there. -#}
{% macro list_position_of(list_expression, value) -%}
    {{ return(adapter.dispatch('list_position_of', 'lakesight')(list_expression, value)) }}
{%- endmacro %}

{% macro default__list_position_of(list_expression, value) -%}
    list_position({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro spark__list_position_of(list_expression, value) -%}
    nullif(array_position({{ list_expression }}, {{ value }}), 0)
{%- endmacro %}

{#- The element at a 1-based position of a list, NULL when the position is NULL or past the end. -#}
{% macro list_element(list_expression, position) -%}
    {{ return(adapter.dispatch('list_element', 'lakesight')(list_expression, position)) }}
{%- endmacro %}

{% macro default__list_element(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__list_element(list_expression, position) -%}
    {#- element_at wants an int position; array_position gives a bigint -#}
    try_element_at({{ list_expression }}, cast({{ position }} as int))
{%- endmacro %}

{#- Percent-encoded text decoded. -#}
{% macro decode_url(expression) -%}
    {{ return(adapter.dispatch('decode_url', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__decode_url(expression) -%}
    url_decode({{ expression }})
{%- endmacro %}

{% macro spark__decode_url(expression) -%}
    {#- as DuckDB: '+' stays '+', and text that is not valid percent-encoding is kept as it is -#}
    coalesce(try_url_decode(replace({{ expression }}, '+', '%2B')), {{ expression }})
{%- endmacro %}

{#- The text value at a JSON path ('$.a.b') of a JSON object, NULL when absent or JSON null. -#}
{% macro json_text(json_expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'lakesight')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, path) -%}
    {{ json_expression }} ->> '{{ path }}'
{%- endmacro %}

{% macro spark__json_text(json_expression, path) -%}
    {#- Spark's JSON path has no quoted member ($."a-b"): the bracket form $['a-b'] -#}
    get_json_object({{ json_expression }}, '{{ path | replace('."', "[\\'") | replace('"', "\\']") }}')
{%- endmacro %}

{#-
    The member of a JSON object whose name is the SQL expression `key` (not known until the row
    is read): its text when `as_text`, else the JSON of its value; NULL when absent.
-#}
{% macro json_member(json_expression, key, as_text) -%}
    {{ return(adapter.dispatch('json_member', 'lakesight')(json_expression, key, as_text)) }}
{%- endmacro %}

{% macro default__json_member(json_expression, key, as_text) -%}
    {{ 'json_extract_string' if as_text else 'json_extract' }}({{ json_expression }}, '$."' || {{ key }} || '"')
{%- endmacro %}

{% macro spark__json_member(json_expression, key, as_text) -%}
    {#- get_json_object gives a member's text, or the JSON of an object or array -#}
    get_json_object({{ json_expression }}, concat('$[\'', {{ key }}, '\']'))
{%- endmacro %}

{#- The text split at every match of a regular expression, as a list. -#}
{% macro split_regex(expression, pattern) -%}
    {{ return(adapter.dispatch('split_regex', 'lakesight')(expression, pattern)) }}
{%- endmacro %}

{% macro default__split_regex(expression, pattern) -%}
    regexp_split_to_array({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__split_regex(expression, pattern) -%}
    split({{ expression }}, {{ regex_literal(pattern) }}, -1)
{%- endmacro %}

{#- In a select list: one output row per element of the list (none for an empty or NULL list). -#}
{% macro unnest_list(expression) -%}
    {{ return(adapter.dispatch('unnest_list', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__unnest_list(expression) -%}
    unnest({{ expression }})
{%- endmacro %}

{% macro spark__unnest_list(expression) -%}
    explode({{ expression }})
{%- endmacro %}

{#- Aggregate: the continuous (interpolated) quantile at `fraction` (0–1) of the values, as double. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'lakesight')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    quantile_cont(cast({{ expression }} as double), {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile(cast({{ expression }} as double), {{ fraction }})
{%- endmacro %}

{#- Aggregate: the most frequent value; the smallest of those tied. -#}
{% macro most_frequent(expression) -%}
    {{ return(adapter.dispatch('most_frequent', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__most_frequent(expression) -%}
    mode({{ expression }} order by {{ expression }})
{%- endmacro %}

{% macro spark__most_frequent(expression) -%}
    mode({{ expression }}, true)
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

{#- A list literal of text elements (SQL expressions); typed, so an empty list has a type too. -#}
{% macro text_list(items) -%}
    {{ return(adapter.dispatch('text_list', 'lakesight')(items)) }}
{%- endmacro %}

{% macro default__text_list(items) -%}
    cast([{{ items | join(', ') }}] as varchar[])
{%- endmacro %}

{% macro spark__text_list(items) -%}
    cast(array({{ items | join(', ') }}) as array<string>)
{%- endmacro %}

{#- A list as text, its elements joined by a separator (a SQL expression). -#}
{% macro join_list(list_expression, separator) -%}
    {{ return(adapter.dispatch('join_list', 'lakesight')(list_expression, separator)) }}
{%- endmacro %}

{% macro default__join_list(list_expression, separator) -%}
    array_to_string({{ list_expression }}, {{ separator }})
{%- endmacro %}

{% macro spark__join_list(list_expression, separator) -%}
    array_join({{ list_expression }}, {{ separator }})
{%- endmacro %}

{#- Aggregate: the distinct values as text, sorted, joined by a separator (a SQL expression). -#}
{% macro distinct_text_agg(expression, separator) -%}
    {{ return(adapter.dispatch('distinct_text_agg', 'lakesight')(expression, separator)) }}
{%- endmacro %}

{% macro default__distinct_text_agg(expression, separator) -%}
    string_agg(distinct {{ expression }}, {{ separator }} order by {{ expression }})
{%- endmacro %}

{% macro spark__distinct_text_agg(expression, separator) -%}
    array_join(array_sort(collect_set({{ expression }})), {{ separator }})
{%- endmacro %}

{#- True when a map has the key. -#}
{% macro map_has_key(map_expression, key) -%}
    {{ return(adapter.dispatch('map_has_key', 'lakesight')(map_expression, key)) }}
{%- endmacro %}

{% macro default__map_has_key(map_expression, key) -%}
    map_contains({{ map_expression }}, {{ key }})
{%- endmacro %}

{% macro spark__map_has_key(map_expression, key) -%}
    map_contains_key({{ map_expression }}, {{ key }})
{%- endmacro %}

{#- A map as text, to compare maps (Spark cannot group or DISTINCT on a map). -#}
{% macro map_text(map_expression) -%}
    {{ return(adapter.dispatch('map_text', 'lakesight')(map_expression)) }}
{%- endmacro %}

{% macro default__map_text(map_expression) -%}
    cast({{ map_expression }} as varchar)
{%- endmacro %}

{% macro spark__map_text(map_expression) -%}
    to_json({{ map_expression }})
{%- endmacro %}

{#-
    The keyword after `name as` that makes a CTE read twice be computed once: DuckDB's
    `materialized`; nothing on Spark (no such hint).
-#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'lakesight')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}

{#- The SHA-256 of a text, as 64 lower-case hex digits. -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'lakesight')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
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
