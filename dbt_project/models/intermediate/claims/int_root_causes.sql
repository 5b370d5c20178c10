-- One row per denial root cause with its avoidability and owning team (seed carc_root_cause is per CARC;
-- the marts classify by root cause).
select root_cause, max(avoidable) as avoidable, max(owner_area) as owner_area
from {{ ref('carc_root_cause') }}
group by root_cause
