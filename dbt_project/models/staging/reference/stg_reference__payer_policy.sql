-- The user's payer policy (`revcycle reference`, docs/worklists.md): the file loaded last is the policy in
-- force, whole — a payer left out of a newer file is no longer overridden, as the user would expect from
-- editing one spreadsheet and loading it again. Blank days fall through to the next level in int_payer_policy.
with source as (
    select * from {{ source('reference', 'payer_policy') }}
),

current_file as (
    select file_id
    from source
    order by loaded_at desc, file_id
    limit 1
)

select
    source.scope,
    source.key,
    source.timely_filing_days,
    source.appeal_window_days,
    source.expected_days_to_pay,
    source.loaded_at,
    source.source_file,
    source.line_number
from source
inner join current_file on current_file.file_id = source.file_id
