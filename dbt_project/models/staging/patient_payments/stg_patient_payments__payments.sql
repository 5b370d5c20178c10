-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'patient_payments') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        payment_id,
        patient_id,
        claim_id,
        encounter_id,
        file_id as _source_file_id,
        row_number as _source_row_number,
        {{ raw_batch() }} as _source_batch,
        ----------  payment
        method,
        -- cash (payment, refund) or a write-off of the patient's balance (bad_debt, charity, small_balance);
        -- a file without the optional column sends cash: a refund when the amount is negative
        coalesce(adjustment_type, case when amount::decimal(18, 2) < 0 then 'refund' else 'payment' end)
            as adjustment_type,
        ----------  amounts (a refund is negative)
        amount::decimal(18, 2) as amount,
        ----------  dates
        payment_date
    from source
)

select * from renamed
