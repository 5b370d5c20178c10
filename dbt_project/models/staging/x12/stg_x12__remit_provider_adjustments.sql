with source as (
    select * from {{ source('raw', 'remit_provider_adjustments') }}
),

renamed as (
    select
        file_id as _source_file_id,
        isa13,
        gs06,
        st02,
        st_index,
        seg_index,
        provider_id,
        fiscal_period_date,
        reason_code,
        reference_id,
        amount::decimal(18, 2) as adjustment_amount
    from source
)

select * from renamed
