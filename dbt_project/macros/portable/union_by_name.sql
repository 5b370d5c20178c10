{#- `union all by name` on any engine: each relation's rows under the same `columns`, null where a relation
    lacks one (DuckDB's UNION BY NAME; Apache Spark SQL has none).  The column list is read from the
    relations themselves, so a rule model can add a column without touching its consumers. -#}
{% macro union_by_name(relations) %}
    {%- if not execute -%}
        {{ return('select 1 as placeholder') }}
    {%- endif -%}
    {%- set per_relation = [] -%}
    {%- set all_columns = [] -%}
    {%- for relation in relations -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- do per_relation.append(names) -%}
        {%- for name in names if name not in all_columns -%}
            {%- do all_columns.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for relation in relations %}
    {%- set present = per_relation[loop.index0] %}
    select
        {%- for col in all_columns %}
        {{ col if col in present else 'null' }} as {{ col }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}
