-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'remit_claims') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        remit_claim_key,
        claim_id,
        payer_claim_control_number,
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        isa13,
        gs06,
        st02,
        st_index,
        seg_index,
        ----------  parties
        payer_id,
        payer_name,
        payee_npi,
        rendering_npi,
        patient_member_id,
        -- NM1*TT: the payer this one forwarded the claim to (a Medicare crossover to a supplement)
        crossover_payer_id,
        crossover_payer_name,
        ----------  status
        status_code,
        filing_indicator,
        facility_type_code,
        frequency_code,
        ----------  amounts
        charge_amount::decimal(18, 2) as charge_amount,
        paid_amount::decimal(18, 2) as paid_amount,
        coalesce(patient_responsibility_amount, 0)::decimal(18, 2) as patient_responsibility_amount,
        ----------  dates
        -- BPR16 is the payment (check/EFT) date; DTM*405 production date is the fallback (docs/metrics.md).
        coalesce(payment_date, production_date) as remit_date,
        statement_from_date,
        statement_to_date,
        trace_number
    from source
)

select * from renamed
