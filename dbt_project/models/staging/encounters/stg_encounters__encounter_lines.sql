-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'encounters') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        encounter_id,
        line_number,
        patient_id,
        claim_id,
        file_id as _source_file_id,
        row_number as _source_row_number,
        {{ raw_batch() }} as _source_batch,
        ----------  parties
        rendering_npi,
        billing_npi,
        payer_id,
        location_id,
        ----------  service
        place_of_service,
        procedure_code,
        modifiers,
        units,
        diagnosis_codes,
        ----------  amounts
        charge_amount::decimal(18, 2) as charge_amount,
        ----------  dates
        service_date
    from source
)

select * from renamed
