with source as (
    select * from {{ source('raw', 'x12_transactions') }}
),

renamed as (
    select
        ----------  ids
        file_id as _source_file_id,
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
