-- Patient balances to bill, by statement cycle (docs/worklists.md).  One row per chain with a patient balance
-- after every payer at the latest A/R snapshot (fct_ar_snapshots: what the patient still owes once the primary,
-- any secondary and the patient's own payments are posted), with the patient it belongs to and where it
-- stands in the statement cycle, counted from the payer's latest decision (when the patient's share was set):
--   0-29 days: first statement; 30-59: second statement; 60-89: final notice; 90 and more: collections review
--   [design: the 30/60/90 cycle most practice-management systems run].
-- A balance under var small_balance_threshold is a small-balance write-off candidate, not a statement.
-- Rank: each patient's total balance first (one call or statement covers all their claims), then the oldest.
with snapshot as (
    -- exact decimals: a sum over a patient's chains must not depend on the order the rows come in
    select chain_id, as_of_date, patient_balance
    from {{ ref('fct_ar_snapshots') }}
    where as_of_date = (select max(as_of_date) from {{ ref('fct_ar_snapshots') }}) and patient_balance > 0
),

joined as (
    select
        snapshot.chain_id,
        chains.claim_id,
        {{ patient_key('first_claims.subscriber_member_id', 'first_claims.patient_birth_date') }} as patient_key,
        first_claims.subscriber_member_id as member_id,
        first_claims.patient_last_name,
        first_claims.patient_first_name,
        chains.payer_id,
        chains.rendering_npi,
        chains.location_id,
        chains.claim_type,
        snapshot.patient_balance,
        chains.last_adjudication_date as responsibility_date,
        snapshot.as_of_date,
        {{ days_between('chains.last_adjudication_date', 'snapshot.as_of_date') }} as days_since_responsibility
    from snapshot
    inner join {{ ref('fct_claim_chains') }} as chains on chains.chain_id = snapshot.chain_id
    -- who the patient is: the subscriber on the chain's first claim (member id + date of birth)
    left join {{ ref('stg_x12__claims') }} as first_claims on first_claims.claim_key = chains.first_claim_key
),

final as (
    select
        *,
        case
            when patient_balance < {{ var('small_balance_threshold') }} then 'small_balance'
            when days_since_responsibility < 30 then 'first_statement'
            when days_since_responsibility < 60 then 'second_statement'
            when days_since_responsibility < 90 then 'final_notice'
            else 'collections_review'
        end as statement_cycle,
        sum(patient_balance) over (partition by patient_key) as patient_total_balance
    from joined
)

select
    *,
    row_number() over (order by patient_total_balance desc, patient_key, days_since_responsibility desc, chain_id)
        as priority_rank
from final
