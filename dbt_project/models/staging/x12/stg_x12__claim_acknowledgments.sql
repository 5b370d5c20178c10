-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
-- One row per 277CA status of a claim (loop 2200D) or service line (2220D): STC01, STC10 and STC11 each.
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'claim_acknowledgments') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        file_id || ':' || cast(seg_index as string) || ':' || cast(status_sequence as string) as ack_status_key,
        ack_claim_key,
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        isa13,
        gs06,
        st02,
        seg_index,
        claim_id,
        payer_claim_control_number,
        clearinghouse_trace,
        ----------  who answers, about whom
        source_name as acknowledged_by_name,
        source_id as acknowledged_by,
        receiver_id,
        provider_id,
        patient_member_id,
        ----------  the status
        ack_level,
        status_sequence,
        status_category,
        status_code,
        entity_code,
        action_code,
        {{ ack_status_outcome('status_category') }} as status_outcome,
        ----------  amounts
        charge_amount,
        line_procedure_code,
        line_charge as line_charge_amount,
        line_control_number,
        bill_type,
        ----------  dates
        coalesce(status_date, bht_date) as acknowledged_date,
        service_from_date,
        service_to_date
    from source
)

select * from renamed
