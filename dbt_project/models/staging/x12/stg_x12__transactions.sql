-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'x12_transactions') }}
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
        ----------  attributes
        transaction_type,
        version,
        sender_id,
        receiver_id,
        segment_count,
        claim_count,
        ----------  dates
        interchange_date
    from source
)

select * from renamed
