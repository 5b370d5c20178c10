{{ config(materialized='view') }}  -- an anti-join against the few duplicate copies: cheaper to re-read than to rewrite 1.7M rows
-- The service lines the edit and peer rules count: int_integrity__service_lines without the later copies
-- of duplicates.  The duplicate rule reports those, and a payer denies them as CARC 18; counting them again
-- would turn one duplicate into an MUE, NCCI, physician-time or peer lead as well.
select lines.*
from {{ ref('int_integrity__service_lines') }} as lines
left join {{ ref('int_integrity__duplicate_lines') }} as copies using (line_key)
where copies.line_key is null
