-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
-- One row per element a 999 reports in error (IK4), or per segment (IK3) when it names no element.
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'ack_segment_errors') }}
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
        seg_index,
        group_control,
        set_control,
        -- CTX*CLM01: the patient control number of the claim the error sits in (null when not given)
        claim_id,
        ----------  the error
        segment_id,
        segment_position,
        loop_id,
        segment_error_code,
        element_position,
        component_position,
        element_reference,
        element_error_code
    from source
)

select * from renamed
