-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'remit_remarks') }}
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
        ----------  remark (RARC code only: X12 descriptions are not shipped)
        remark_level,
        source_segment,
        remark_code
    from source
)

select * from renamed
