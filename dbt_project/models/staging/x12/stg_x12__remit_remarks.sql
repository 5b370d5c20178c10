with source as (
    select * from {{ source('raw', 'remit_remarks') }}
),

renamed as (
    select
        ----------  ids
        remit_claim_key,
        claim_id,
        line_number,
        file_id as _source_file_id,
        seg_index,
        ----------  remark (RARC code only: X12 descriptions are not shipped)
        remark_level,
        source_segment,
        remark_code
    from source
)

select * from renamed
