{#- dbt writes a YAML list in a unit-test fixture row as its Python repr, ['25'], which DuckDB reads as a
    list literal and Spark SQL does not: on Spark it becomes array('25') (dbt-spark's own safe_cast
    otherwise).  The fixtures' list columns hold strings (modifiers, NPIs). -#}
{% macro spark__safe_cast(field, type) %}
    {%- if field is iterable and field is not string and field is not mapping -%}
        cast(array({% for v in field %}'{{ v | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %}) as {{ type }})
    {%- else -%}
        {%- set field_clean = field.strip('"').strip("'") if (cast_from_string_unsupported_for(type) and field is string) else field -%}
        cast({{ field_clean }} as {{ type }})
    {%- endif -%}
{% endmacro %}
