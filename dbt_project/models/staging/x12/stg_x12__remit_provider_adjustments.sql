-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'remit_provider_adjustments') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
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
