{#-
    Apache combined log format, one capture group per field:
    1 client ip, 2 identity, 3 user, 4 [time], 5 method, 6 path, 7 protocol, 8 status, 9 bytes,
    10 referer, 11 user agent.
-#}
{% macro combined_log_pattern() -%}
^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) ([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$
{%- endmacro %}
