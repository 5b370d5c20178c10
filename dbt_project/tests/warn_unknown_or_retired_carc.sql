{{ config(severity='warn') }}
-- docs/metrics.md: CARC codes on 835s should exist in the code list for the remit date.  Only checked once a
-- CARC list has been loaded (revcycle reference FILE); unknown or retired codes warn, they never block.
-- Checked on the batches this build read first: a new CARC file changes the fingerprint (a build from nothing).
with codes as (
    select * from {{ ref('stg_reference__carc') }}
),

used as (
    select distinct adj.reason_code, claims.remit_date
    from {{ ref('stg_x12__remit_adjustments') }} as adj
    inner join {{ ref('stg_x12__remit_claims') }} as claims using (remit_claim_key)
    where {{ in_this_builds_batches('adj._source_batch') }}
)

select used.reason_code, used.remit_date, codes.stop_date
from used
left join codes on codes.code = used.reason_code
where (select count(*) from codes) > 0
    and (codes.code is null or (codes.stop_date is not null and used.remit_date >= codes.stop_date))
