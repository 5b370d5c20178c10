-- 835 claim balancing (docs/metrics.md): CLP03 - sum(all CAS, claim and line) = CLP04.
-- The parser quarantines unbalanced transaction sets, so any row here is a parser or staging bug.
-- A remit and its CAS rows come from one file: checked on the batches this build read first.
with adjustments as (
    select remit_claim_key, sum(adjustment_amount) as adjustment_total
    from {{ ref('stg_x12__remit_adjustments') }}
    where {{ in_this_builds_batches() }}
    group by remit_claim_key
)

select remits.remit_claim_key, remits.charge_amount, remits.paid_amount, adjustments.adjustment_total
from {{ ref('stg_x12__remit_claims') }} as remits
left join adjustments on adjustments.remit_claim_key = remits.remit_claim_key
where {{ in_this_builds_batches('remits._source_batch') }}
    and abs(remits.charge_amount - coalesce(adjustments.adjustment_total, 0) - remits.paid_amount) > 0.005
