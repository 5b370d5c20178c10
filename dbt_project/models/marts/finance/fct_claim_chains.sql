{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- One row per claim chain (docs/metrics.md, "Claim chains"): every 837 submission of a claim — corrected
-- claims too, also when sent under a new CLM01 — and every 835 answer to any of them, from every payer.
--   * the chain's payer is its primary payer (SBR01 P, or the payer whose answers say primary); a secondary
--     or tertiary payer's answers add cash and move the patient's share, but never make or flip the chain's
--     decision;
--   * initial decision = the first primary decision (int_remit_claims_classified: an adjudication by the
--     primary payer that is not a duplicate denial); current decision = the last one;
--   * a duplicate denial (CARC 18/B13: a copy of a claim the payer already has) is counted apart
--     (duplicate_denial_count) and is no decision: a chain answered only with duplicates is not adjudicated;
--   * a chain whose latest primary submission is a void (frequency 8) is voided: out of denial and
--     collection denominators;
--   * patient_responsibility_amount = what the current primary decision assigned the patient (CAS PR) less
--     what later payers paid (net of their reversals), never below zero.
-- Chains seen on one side only are kept (has_submission / has_remit, match_reason say which).
{#- the latest submission to the primary payer is a void (frequency 8) -#}
{%- set voided = "coalesce(s.latest_primary_frequency_code = '8', false)" %}
with submissions as (
    select
        stg.*,
        links.chain_id,
        links.match_reason,
        links.payer_sequence
    from {{ ref('stg_x12__claims') }} as stg
    inner join {{ touched_chain_links() }} as links using (claim_key)
),

encounter_locations as (
    -- the practice's own location code when the encounter extract names the claim
    select claim_id, min(location_id) as location_id
    from {{ ref('stg_encounters__encounter_lines') }}
    where claim_id is not null and location_id is not null
    {% if is_incremental() -%}
    and claim_id in (select claim_id from submissions)
    {%- endif %}
    group by claim_id
),

claim_lines as (
    select * from {{ ref('stg_x12__claim_lines') }}
    {% if is_incremental() -%}
    where claim_key in (select claim_key from submissions)
    {%- endif %}
),

remits as (
    select * from {{ ref('int_remit_claims_classified') }}
    where {{ in_touched_chains('chain_id') }}
),

contract_prices as (
    -- the chain-local half of expected allowed, kept here so that the collection KPIs read it with the chain
    -- instead of joining ten million chains to their prices each build
    select chain_id, priced_payer_id, contracted_allowed_amount, uncontracted_charge_amount, line_charge_amount
    from {{ ref('int_chain_contract_prices') }}
    where {{ in_touched_chains('chain_id') }}
),

first_service as (
    select claim_key, min(service_date) as first_service_date
    from claim_lines
    group by claim_key
),

ordered_submissions as (
    select
        submissions.*,
        coalesce(submissions.statement_from_date, first_service.first_service_date) as service_date,
        -- one ordering of the chain's submissions serves every position below (three orderings sorted the
        -- wide submission rows three times); the position (date, file, segment) has no ties.  primary_seq
        -- and primary_seq_desc count the primary payer's submissions and are read on those rows only.
        row_number() over (
            partition by submissions.chain_id
            order by submissions.submission_date, submissions._source_file_id, submissions.seg_index
        ) as submission_seq,
        sum(case when submissions.payer_sequence = 1 then 1 else 0 end) over (
            partition by submissions.chain_id
            order by submissions.submission_date, submissions._source_file_id, submissions.seg_index
            rows between unbounded preceding and current row
        ) as primary_seq,
        sum(case when submissions.payer_sequence = 1 then 1 else 0 end) over (
            partition by submissions.chain_id
            order by submissions.submission_date, submissions._source_file_id, submissions.seg_index
            rows between current row and unbounded following
        ) as primary_seq_desc,
        count(*) over (
            partition by submissions.chain_id
            order by submissions.submission_date, submissions._source_file_id, submissions.seg_index
            rows between unbounded preceding and unbounded following
        ) as submission_count
    from submissions
    left join first_service on first_service.claim_key = submissions.claim_key
),

submission_summary as (
    select
        chain_id,
        -- the chain's claim id: its original CLM01 (the root of its REF*F8 links)
        max(chain_id) as claim_id,
        max(case when match_reason = 'ref_f8' then 1 else 0 end) = 1 as has_ref_f8_link,
        count(distinct claim_id) as claim_id_count,
        max(submission_count) as submission_count,
        max(case when submission_seq = 1 then claim_key end) as first_claim_key,
        sum(case when payer_sequence > 1 then 1 else 0 end) as secondary_submission_count,
        min(submission_date) as first_submission_date,
        min(service_date) as first_service_date,
        -- the claim as billed to the primary payer (the first submission when none names it primary)
        max(case when primary_seq_desc = 1 and payer_sequence = 1 then total_charge_amount end)
            as primary_charge_amount,
        max(case when submission_seq = submission_count then total_charge_amount end) as latest_charge_amount,
        max(case when primary_seq = 1 and payer_sequence = 1 then payer_id end) as primary_payer_id,
        max(case when primary_seq = 1 and payer_sequence = 1 then payer_name end) as primary_payer_name,
        max(case when submission_seq = 1 then payer_id end) as first_payer_id,
        max(case when submission_seq = 1 then payer_name end) as first_payer_name,
        min(case when payer_sequence = 2 then payer_id end) as secondary_payer_id,
        max(case when submission_seq = 1 then billing_npi end) as billing_npi,
        max(case when submission_seq = 1 then rendering_npi end) as rendering_npi,
        max(case when submission_seq = 1 then location_id end) as location_id,
        max(case when submission_seq = 1 then claim_type end) as claim_type,
        max(case when submission_seq = 1 then filing_indicator end) as filing_indicator,
        max(case when primary_seq_desc = 1 and payer_sequence = 1 then frequency_code end)
            as latest_primary_frequency_code,
        max(case when submission_seq = submission_count then frequency_code end) as latest_frequency_code,
        max(case when payer_sequence = 1 then submission_date end) as last_primary_submission_date
    from ordered_submissions
    group by chain_id
),

last_primary_answers as (
    -- the primary payer's last answer, decision or reversal: a reversal last leaves the claim undecided
    select chain_id, is_reversal as is_last_primary_answer_reversal
    from remits
    where payer_sequence = 1 and (is_primary_decision or is_reversal)
    qualify row_number() over (
        partition by chain_id order by remit_date desc, _source_file_id desc, seg_index desc
    ) = 1
),

remit_summary as (
    select
        chain_id,
        count(*) as remit_count,
        sum(case when is_primary_decision then 1 else 0 end) as adjudication_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        sum(case when is_duplicate_denial then 1 else 0 end) as duplicate_denial_count,
        -- 5010 reversals carry negated amounts, so a plain sum nets them out
        sum(paid_amount) as total_paid_amount,
        sum(case when payer_sequence = 1 then paid_amount else 0 end) as primary_paid_amount,
        sum(case when payer_sequence > 1 then paid_amount else 0 end) as secondary_paid_amount,
        max(case when payer_sequence > 1 and is_adjudication then 1 else 0 end) = 1 as has_secondary_answer,
        min(case when payer_sequence = 2 then payer_id end) as remit_secondary_payer_id,
        max(case when is_primary_decision and is_crossover then 1 else 0 end) = 1 as is_crossed_over,
        max(case when remit_seq = 1 then payer_id end) as remit_payer_id,
        max(case when remit_seq = 1 then payer_name end) as remit_payer_name,
        max(case when payer_sequence = 1 and remit_seq = 1 then payer_id end) as remit_primary_payer_id,
        max(case when remit_seq = 1 then payee_npi end) as remit_payee_npi,
        max(case when remit_seq = 1 then charge_amount end) as remit_charge_amount,
        max(case when primary_decision_seq = 1 then remit_date end) as first_adjudication_date,
        max(case when primary_decision_seq = 1 then status_code end) as initial_status_code,
        max(case when primary_decision_seq = 1 then denial_type end) as initial_denial_type,
        max(case when primary_decision_seq = 1 then primary_root_cause end) as initial_root_cause,
        max(case when primary_decision_seq = 1 then primary_carc end) as initial_primary_carc,
        max(case when primary_decision_seq = 1 then denied_amount end) as initial_denied_amount,
        max(case when primary_decision_seq_desc = 1 then denial_type end) as current_denial_type,
        max(case when primary_decision_seq_desc = 1 then remit_date end) as last_adjudication_date,
        max(case when primary_decision_seq_desc = 1 then pr_adjustment_amount end) as primary_patient_share,
        max(case when primary_decision_seq_desc = 1 then provider_liable_denied_amount end)
            as current_provider_liable_denied_amount,

        min(case when is_duplicate_denial then remit_date end) as first_duplicate_denial_date
    from remits
    group by chain_id
),

final as (
    select
        ----------  ids
        coalesce(s.chain_id, r.chain_id) as chain_id,
        coalesce(s.claim_id, r.chain_id) as claim_id,
        case
            when s.chain_id is null then 'unmatched_remit'
            when r.chain_id is null then 'no_remit'
            when s.has_ref_f8_link then 'ref_f8'
            else 'claim_id'
        end as match_reason,
        coalesce(s.claim_id_count, 1)::bigint as claim_id_count,
        s.first_claim_key,
        ----------  parties
        coalesce(s.primary_payer_id, r.remit_primary_payer_id, s.first_payer_id, r.remit_payer_id) as payer_id,
        coalesce(s.primary_payer_name, s.first_payer_name, r.remit_payer_name) as payer_name,
        coalesce(s.secondary_payer_id, r.remit_secondary_payer_id) as secondary_payer_id,
        coalesce(s.billing_npi, r.remit_payee_npi) as billing_npi,
        s.rendering_npi,
        coalesce(el.location_id, s.location_id) as location_id,
        s.claim_type,
        s.filing_indicator,
        coalesce(s.latest_primary_frequency_code, s.latest_frequency_code) as latest_frequency_code,
        ----------  flags
        s.chain_id is not null as has_submission,
        r.chain_id is not null as has_remit,
        coalesce(r.adjudication_count, 0) > 0 as is_adjudicated,
        coalesce(r.initial_denial_type in ('full', 'partial'), false) as is_initially_denied,
        coalesce(r.current_denial_type in ('full', 'partial'), false) as is_currently_denied,
        {{ voided }} as is_voided,
        -- the chains the collection KPIs count as billed (and patient money is counted against)
        s.chain_id is not null and not {{ voided }} as is_billed,
        coalesce(r.duplicate_denial_count, 0) > 0 and coalesce(r.adjudication_count, 0) = 0 as is_duplicate_only,
        coalesce(s.secondary_submission_count, 0) > 0 or coalesce(r.is_crossed_over, false)
            or coalesce(r.has_secondary_answer, false) as has_secondary_payer,
        coalesce(r.is_crossed_over, false) as is_crossed_over,
        ----------  counts
        coalesce(s.submission_count, 0)::bigint as submission_count,
        coalesce(r.remit_count, 0)::bigint as remit_count,
        coalesce(r.adjudication_count, 0)::bigint as adjudication_count,
        coalesce(r.reversal_count, 0)::bigint as reversal_count,
        coalesce(r.duplicate_denial_count, 0)::bigint as duplicate_denial_count,
        ----------  outcome (the primary payer's)
        r.initial_status_code,
        r.initial_denial_type,
        r.initial_root_cause,
        r.initial_primary_carc,
        r.current_denial_type,
        ----------  amounts
        coalesce(s.primary_charge_amount, s.latest_charge_amount, r.remit_charge_amount) as total_charge_amount,
        coalesce(r.total_paid_amount, 0)::decimal(18, 2) as total_paid_amount,
        coalesce(r.primary_paid_amount, 0)::decimal(18, 2) as primary_paid_amount,
        coalesce(r.secondary_paid_amount, 0)::decimal(18, 2) as secondary_paid_amount,
        greatest(coalesce(r.primary_patient_share, 0) - coalesce(r.secondary_paid_amount, 0), 0)::decimal(18, 2)
            as patient_responsibility_amount,
        coalesce(r.initial_denied_amount, 0)::decimal(18, 2) as initial_denied_amount,
        coalesce(r.current_provider_liable_denied_amount, 0)::decimal(18, 2) as current_provider_liable_denied_amount,
        -- expected allowed = contracted + uncontracted x the priced payer's allowed-to-charge ratio (macro
        -- expected_allowed), applied where read: the ratio moves with every remit of the payer.  Null when the
        -- chain has no primary submission to price.
        cp.priced_payer_id,
        cp.contracted_allowed_amount,
        cp.uncontracted_charge_amount,
        cp.line_charge_amount as priced_line_charge_amount,
        coalesce(lpa.is_last_primary_answer_reversal, false) as is_last_primary_answer_reversal,
        ----------  dates
        s.first_service_date,
        s.first_submission_date,
        r.first_adjudication_date,
        r.last_adjudication_date,
        s.last_primary_submission_date,
        r.first_duplicate_denial_date,
        ----------  lineage
        {{ build_seq_stamp() }} as _build_seq
    from submission_summary as s
    full outer join remit_summary as r on r.chain_id = s.chain_id
    left join last_primary_answers as lpa on lpa.chain_id = coalesce(s.chain_id, r.chain_id)
    left join encounter_locations as el on el.claim_id = s.claim_id
    left join contract_prices as cp on cp.chain_id = coalesce(s.chain_id, r.chain_id)
)

select * from final
{{ storage_order('chain_id') }}
