-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'remit_payments') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        isa13,
        gs06,
        st02,
        st_index,
        trace_number,
        ----------  parties
        payer_id,
        payer_name,
        payee_npi,
        ----------  payment
        transaction_handling,
        credit_debit,
        payment_method,
        claim_count,
        ----------  amounts
        total_paid::decimal(18, 2) as total_paid_amount,
        ----------  dates
        payment_date,
        production_date
    from source
)

select * from renamed
