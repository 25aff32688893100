{#-
    The reason a raw record is quarantined, or NULL when it passes every check.
    A record the loader could not read (_load_error: wrong column count, empty file, ...) gets the
    loader's message. Otherwise each [condition, reason] pair whose condition is true (NULL counts
    as false) adds its reason; reasons are joined with '; '.
-#}
{% macro reject_reason(checks) -%}
    coalesce(_load_error, nullif(concat_ws('; '
        {%- for condition, reason in checks %},
        case when coalesce(({{ condition }}), false) then '{{ reason | replace("'", "''") }}' end
        {%- endfor %}
    ), ''))
{%- endmacro %}

{#- True when the timestamp lies after now (UTC) plus the tolerance of var future_tolerance_hours. -#}
{% macro is_in_future(timestamp_expression) -%}
    ({{ timestamp_expression }} > (current_timestamp at time zone 'UTC') + to_hours({{ var('future_tolerance_hours') }}))
{%- endmacro %}
