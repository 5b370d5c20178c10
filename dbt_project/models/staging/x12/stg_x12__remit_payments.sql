with source as (
    select * from {{ source('raw', 'remit_payments') }}
),

renamed as (
    select
        ----------  ids
        file_id as _source_file_id,
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
