-- Reconciliation: every dollar of CLP04 in the raw 835s appears exactly once in fct_claim_chains.
select raw_paid, mart_paid
from (
    select
        (select coalesce(sum(paid_amount), 0) from {{ ref('stg_x12__remit_claims') }}) as raw_paid,
        (select coalesce(sum(total_paid_amount), 0) from {{ ref('fct_claim_chains') }}) as mart_paid
)
where abs(raw_paid - mart_paid) > 0.005
