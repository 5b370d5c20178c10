-- One row per patient payment or refund (the optional patient-payments extract, README "Input contract"),
-- applied to the claim chain it pays.  The 835 carries payer money and the patient's *assigned* share only;
-- what patients actually paid comes from the practice-management system (DOMAIN.md §0.4).
-- Applying a payment (match_reason):
--   1. claim_id     : the payment names a claim's patient control number (CLM01) -> that claim's chain;
--   2. encounter_id : it names only the encounter (paid at the front desk) -> the chain of the claim that
--                     billed the encounter;
--   3. unapplied    : neither is known here (yet): counted as cash, on no chain and no payer.
-- A payment id sent again in a later file (a corrected extract) replaces the earlier row: the latest loaded
-- file wins (stg_revcycle__files.loaded_at), whichever way the warehouse was built.
with payments as (
    select payments.*, files.loaded_at
    from {{ ref('stg_patient_payments__payments') }} as payments
    left join {{ ref('stg_revcycle__files') }} as files on files.file_id = payments._source_file_id
),

latest as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by payment_id order by loaded_at desc, _source_file_id desc, _source_row_number desc
            ) as version_rank,
            count(*) over (partition by payment_id) as times_sent
        from payments
    ) as ranked
    where version_rank = 1
),

claim_chains as (
    select claim_id, min(chain_id) as chain_id
    from {{ ref('int_claim_chain_links') }}
    group by claim_id
),

encounter_claims as (
    select encounter_id, claim_id
    from {{ ref('int_encounter_claims') }}
    where claim_id is not null
),

applied as (
    select
        latest.*,
        coalesce(by_claim.chain_id, by_encounter.chain_id) as chain_id,
        case
            when by_claim.chain_id is not null then 'claim_id'
            when by_encounter.chain_id is not null then 'encounter_id'
            else 'unapplied'
        end as match_reason
    from latest
    left join claim_chains as by_claim on by_claim.claim_id = latest.claim_id
    left join encounter_claims on encounter_claims.encounter_id = latest.encounter_id
    left join claim_chains as by_encounter on by_encounter.claim_id = encounter_claims.claim_id
),

final as (
    select
        ----------  ids
        applied.payment_id,
        applied.patient_id,
        applied.chain_id,
        applied.claim_id,
        applied.encounter_id,
        applied.match_reason,
        ----------  dimensions
        chains.payer_id,
        applied.method,
        ----------  amounts
        applied.amount,
        applied.amount < 0 as is_refund,
        ----------  dates
        applied.payment_date,
        ----------  lineage
        applied.times_sent,
        applied._source_file_id,
        applied._source_row_number
    from applied
    left join {{ ref('fct_claim_chains') }} as chains on chains.chain_id = applied.chain_id
)

select * from final
