-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'claim_lines') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        claim_key,
        claim_id,
        line_number,
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        ----------  service
        procedure_qualifier,
        procedure_code,
        modifier_1,
        modifier_2,
        modifier_3,
        modifier_4,
        revenue_code,
        units,
        unit_basis,
        place_of_service,
        diagnosis_pointers,
        line_control_number,
        rendering_npi,
        ----------  amounts
        charge_amount::decimal(18, 2) as charge_amount,
        ----------  dates
        service_date,
        service_end_date
    from source
)

select * from renamed
