-- The same sender reusing an ISA13 interchange control number in different files is a sign of a resent
-- (or mis-numbered) interchange: flagged as a warning for the Data quality page, never dropped, because
-- the files' contents differ (identical files are already loaded once by content hash).
{{ config(severity='warn') }}

select sender_id, isa13, count(distinct _source_file_id) as files
from {{ ref('stg_x12__transactions') }}
group by sender_id, isa13
having count(distinct _source_file_id) > 1
