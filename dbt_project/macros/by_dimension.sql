{#  The long layout of the KPI marts: every row of `relation` once for the whole book (dimension 'all') and
    once per named dimension, [(name, column), ...], a null value read as 'unknown'. #}
{% macro by_dimension(relation, dimensions) -%}
    select 'all' as dimension, 'all' as dimension_value, * from {{ relation }}
    {%- for name, column in dimensions %}
    union all
    select '{{ name }}', coalesce({{ column }}, 'unknown'), * from {{ relation }}
    {%- endfor %}
{%- endmacro %}
