-- The claim scrubber's work queue (docs/worklists.md): the edits of int_prebill_edits (the rules and their
-- evidence are described there), ranked.  Rebuilt whole each build: one new edit moves the rank of every edit
-- after it, and ranking the edits is cheap, unlike finding them (a view ranked them on every page read).
select
    {{ star_except(['_build_seq']) }},
    -- errors first; before the bill goes out first (fixing it costs nothing yet), then the oldest service
    row_number() over (order by case when severity = 'error' then 0 else 1 end,
                       case when source = 'encounter' then 0 else 1 end, service_date, encounter_id, claim_id,
                       line_number, edit, evidence) as priority_rank
from {{ ref('int_prebill_edits') }}
