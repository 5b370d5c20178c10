-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'claims') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        claim_key,
        claim_id,
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        isa13,
        gs06,
        st02,
        seg_index,
        ----------  parties
        billing_npi,
        billing_name,
        billing_tax_id,
        billing_taxonomy,
        billing_state,
        facility_npi as service_facility_npi,
        -- location [design]: the service facility (2310C / 2310E NM1*77) when billed, else the billing
        -- provider's site (2010AA), whose N4 state is location_state
        coalesce(facility_npi, billing_npi) as location_id,
        billing_state as location_state,
        coalesce(rendering_npi, billing_npi) as rendering_npi,
        rendering_last_name,
        rendering_first_name,
        rendering_taxonomy,
        referring_npi,
        attending_npi,
        payer_id,
        payer_name,
        payer_responsibility,
        filing_indicator,
        subscriber_member_id,
        patient_last_name,
        patient_first_name,
        patient_birth_date,
        -- DMG03: F, M or U (unknown); the scrubber's sex edits read only F and M
        patient_gender,
        ----------  claim
        transaction_type as claim_type,
        frequency_code,
        frequency_code in ('7', '8') as is_replacement_or_void,
        original_reference,
        facility_code,
        statement_from_date,
        statement_to_date,
        principal_diagnosis,
        discharge_status,
        ----------  amounts
        total_charge::decimal(18, 2) as total_charge_amount,
        ----------  dates
        submission_date
    from source
)

select * from renamed
{{ storage_order('claim_key') }}
