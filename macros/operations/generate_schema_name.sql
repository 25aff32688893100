{#-
    Schemas are exactly the layer names (raw, staging, intermediate, marts, reference, ...):
    a custom schema replaces the target schema instead of being appended to it (no main_ prefix).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
