{#- Staging for a user-licensed X12 code list (CARC or RARC) loaded by `revcycle reference`: one row per code,
    the latest loaded file winning for its description and stop date.  revcycle ships none of the X12 text. -#}
{% macro stg_code_list(source_table) %}
with source as (
    select * from {{ source('reference', source_table) }}
),

codes as (
    select
        code,
        max_by(description, file_id) as description,
        min(start_date) as start_date,
        max_by(stop_date, file_id) as stop_date
    from source
    group by code
)

select * from codes
{% endmacro %}
