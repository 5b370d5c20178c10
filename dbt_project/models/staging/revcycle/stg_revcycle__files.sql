with source as (
    select * from {{ source('raw', 'files') }}
),

renamed as (
    select
        ----------  ids
        file_id,
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
