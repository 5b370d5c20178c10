-- incremental: appends the raw batches published since the last build (macros/incremental_batches.sql)
-- One row per transaction set a 999 answered (AK2), with its functional group's verdict (AK1/AK9); a group
-- answered without set detail is one row with the set columns null (its verdict covers every set in it).
{{ config(materialized='incremental', on_schema_change='fail') }}

with source as (
    select * from {{ source('raw', 'ack_set_responses') }}
    {{ new_batches_only() }}
),

transactions as (
    -- the 999's own interchange: its date is when the answer was sent
    select _source_file_id, st_index, interchange_date, sender_id, receiver_id
    from {{ ref('stg_x12__transactions') }}
    where transaction_type = '999'
),

renamed as (
    select
        ----------  ids
        source.file_id || ':' || cast(source.seg_index as string) as ack_set_key,
        source.file_id as _source_file_id,
        {{ raw_batch() }} as _source_batch,
        source.isa13,
        source.gs06,
        source.st02,
        source.seg_index,
        ----------  what it answers: the GS06 / ST02 of a file we sent
        source.functional_id,
        source.group_control,
        source.group_version,
        source.set_type,
        source.set_control,
        source.set_version,
        ----------  verdicts
        source.set_status,
        source.set_error_codes,
        source.segment_errors,
        source.group_status,
        source.group_sets_included,
        source.group_sets_received,
        source.group_sets_accepted,
        source.group_error_codes,
        -- IK501 / AK901 M, R, W, X: rejected (seed ack_status); A and E (accepted with errors) go on to the
        -- payer; a group-only row takes its group's verdict (P, partially accepted, names no set: accepted)
        coalesce(ack_status.is_rejected, false) as is_rejected,
        ----------  parties and dates
        transactions.sender_id as acknowledged_by,
        transactions.receiver_id as acknowledged_to,
        transactions.interchange_date as acknowledged_date
    from source
    left join transactions
        on transactions._source_file_id = source.file_id and transactions.st_index = source.st_index
    left join {{ ref('ack_status') }} as ack_status
        on ack_status.status_code = coalesce(source.set_status, source.group_status)
)

select * from renamed
