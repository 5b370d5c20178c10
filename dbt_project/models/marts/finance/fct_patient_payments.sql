-- One row per patient payment, refund or patient-balance write-off (the optional patient-payments extract,
-- README "Input contract"), applied to the claim chain it pays.  Cash is payments and refunds; bad debt,
-- charity and small-balance write-offs reduce what the patient owes without being cash (docs/metrics.md).  The 835 carries payer money and the patient's *assigned* share only;
-- what patients actually paid comes from the practice-management system (docs/metrics.md).
-- Applying a payment (match_reason):
--   1. claim_id     : the payment names a claim's patient control number (CLM01) -> that claim's chain;
--   2. encounter_id : it names only the encounter (paid at the front desk) -> the chain of the claim that
--                     billed the encounter;
--   3. unapplied    : neither is known here (yet): counted as cash, on no chain and no payer.
-- A payment id sent again in a later file (a corrected extract) replaces the earlier row: the latest loaded
-- file wins (stg_revcycle__files.loaded_at), whichever way the warehouse was built.
--
-- Incremental by payment (delete+insert on payment_id; docs/incremental.md).  A build re-applies the payments
-- whose application can have changed: those in batches it has not seen (new, or a new version of an old id),
-- those unapplied so far, those applied to a touched chain or naming a claim linked to one (a claim no 837
-- links leaves its payment unapplied: the clause before), and those naming an encounter re-billed since its
-- last build (int_encounter_claims rows stamped after it).  The touched chains are the chain models' shared
-- list (int_touched_chains).
{{ config(
    materialized=chain_materialization(),
    incremental_strategy='delete+insert',
    unique_key='payment_id',
    on_schema_change='fail',
    tags=['chain_incremental'],
    post_hook='{{ record_build_seq() }}',
) }}
-- depends_on: {{ ref('int_build_batches') }}
-- depends_on: {{ ref('int_touched_chains') }}
{#- -1 on a full build: then every payment is applied #}
{%- set own_stamp = _own_stamp() %}
with
{%- if own_stamp >= 0 %}
touched as (
    select chain_id from {{ ref('int_touched_chains') }}
),

to_apply as (
    select payment_id from {{ ref('stg_patient_payments__payments') }}
    where {{ in_unseen_batches('_source_batch') }}
        or claim_id in (
            select claim_id from {{ ref('int_claim_chain_links') }} where chain_id in (select chain_id from touched)
        )
        or encounter_id in ({{ encounters_rebuilt_since_own_stamp() }})
    union
    select payment_id from {{ this }} where chain_id is null or chain_id in (select chain_id from touched)
),
{%- endif %}

payments as (
    select payments.*, files.loaded_at
    from {{ ref('stg_patient_payments__payments') }} as payments
    left join {{ ref('stg_revcycle__files') }} as files on files.file_id = payments._source_file_id
    where {{ 'payments.payment_id in (select payment_id from to_apply)' if own_stamp >= 0 else 'true' }}
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

encounter_claims as (
    select encounter_id, claim_id
    from {{ ref('int_encounter_claims') }}
    where claim_id is not null and encounter_id in (select encounter_id from latest)
),

claim_chains as (
    select claim_id, min(chain_id) as chain_id
    from {{ ref('int_claim_chain_links') }}
    where claim_id in (select claim_id from latest union select claim_id from encounter_claims)
    group by claim_id
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
        applied.adjustment_type,
        ----------  amounts
        applied.amount,
        applied.adjustment_type = 'refund' as is_refund,
        applied.adjustment_type in ('payment', 'refund') as is_cash,
        ----------  dates
        applied.payment_date,
        ----------  the chain's (kept with the payment for the collection KPIs, which count patient money by
        ----------  the chain's month of service; rewritten with the chain like payer_id)
        chains.first_service_date as chain_first_service_date,
        coalesce(chains.is_billed, false) as is_billed_chain,
        ----------  lineage
        applied.times_sent,
        applied._source_file_id,
        applied._source_row_number,
        {{ build_seq_stamp() }} as _build_seq
    from applied
    left join {{ ref('fct_claim_chains') }} as chains on chains.chain_id = applied.chain_id
)

select * from final
