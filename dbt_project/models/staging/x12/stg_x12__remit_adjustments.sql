-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'remit_adjustments') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        remit_claim_key,
        claim_id,
        line_number,
        file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        seg_index,
        ----------  adjustment
        adjustment_level,
        group_code,
        reason_code,
        quantity,
        ----------  amounts
        amount::decimal(18, 2) as adjustment_amount
    from source
)

select * from renamed
