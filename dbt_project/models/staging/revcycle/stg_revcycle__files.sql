-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'files') }}
    {{ new_batches_only() }}
),

renamed as (
    select
        ----------  ids
        file_id,
        {{ raw_batch() }} as _source_batch,
        file_name,
        ----------  attributes
        kind,
        file_type,
        status,
        size_bytes,
        claims as claim_count,
        lines as line_count,
        rows_rejected,
        errors as error_count,
        warnings as warning_count,
        loaded_at
    from source
)

select * from renamed
