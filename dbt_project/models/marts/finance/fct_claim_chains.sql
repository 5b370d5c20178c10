{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- One row per claim chain (DOMAIN.md §0.2): every 837 submission of an encounter to a payer joined to
-- every 835 answer, linked by int_claim_chain_links.  The initial adjudication is the first CLP that is an
-- adjudication (not a reversal, pend or predetermination), ordered by remit date then file position;
-- replacements and voids (freq 7/8) are further submissions of the same chain and never add a chain.
-- Chains seen on one side only are kept (has_submission / has_remit, match_reason say which).
with submissions as (
    select
        stg.*,
        links.chain_id,
        links.match_reason
    from {{ ref('stg_x12__claims') }} as stg
    inner join {{ ref('int_claim_chain_links') }} as links using (claim_key)
    where {{ in_touched_chains('links.chain_id') }}
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
    where {{ in_touched_chains('claim_id') }}
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
        row_number() over (
            partition by submissions.chain_id
            order by submissions.submission_date, submissions._source_file_id, submissions.seg_index
        ) as submission_seq,
        count(*) over (partition by submissions.chain_id) as submission_count
    from submissions
    left join first_service on first_service.claim_key = submissions.claim_key
),

submission_summary as (
    select
        chain_id,
        max(case when submission_seq = 1 then claim_id end) as claim_id,
        max(case when match_reason = 'ref_f8' then 1 else 0 end) = 1 as has_ref_f8_link,
        max(submission_count) as submission_count,
        min(submission_date) as first_submission_date,
        min(service_date) as first_service_date,
        max(case when submission_seq = submission_count then total_charge_amount end) as total_charge_amount,
        max(case when submission_seq = 1 then payer_id end) as payer_id,
        max(case when submission_seq = 1 then payer_name end) as payer_name,
        max(case when submission_seq = 1 then billing_npi end) as billing_npi,
        max(case when submission_seq = 1 then rendering_npi end) as rendering_npi,
        max(case when submission_seq = 1 then location_id end) as location_id,
        max(case when submission_seq = 1 then claim_type end) as claim_type,
        max(case when submission_seq = 1 then filing_indicator end) as filing_indicator,
        max(case when submission_seq = submission_count then frequency_code end) as latest_frequency_code
    from ordered_submissions
    group by chain_id
),

remit_summary as (
    select
        claim_id as chain_id,
        count(*) as remit_count,
        sum(case when is_adjudication then 1 else 0 end) as adjudication_count,
        sum(case when is_reversal then 1 else 0 end) as reversal_count,
        -- 5010 reversals carry negated amounts, so a plain sum nets them out.
        sum(paid_amount) as total_paid_amount,
        sum(
            case when is_adjudication and adjudication_seq_desc = 1 then patient_responsibility_amount else 0 end
        ) as patient_responsibility_amount,
        max(case when remit_seq = 1 then payer_id end) as remit_payer_id,
        max(case when remit_seq = 1 then payer_name end) as remit_payer_name,
        max(case when remit_seq = 1 then payee_npi end) as remit_payee_npi,
        max(case when remit_seq = 1 then charge_amount end) as remit_charge_amount,
        max(case when is_adjudication and adjudication_seq = 1 then remit_date end) as first_adjudication_date,
        max(case when is_adjudication and adjudication_seq = 1 then status_code end) as initial_status_code,
        max(case when is_adjudication and adjudication_seq = 1 then denial_type end) as initial_denial_type,
        max(case when is_adjudication and adjudication_seq = 1 then primary_root_cause end) as initial_root_cause,
        max(case when is_adjudication and adjudication_seq = 1 then primary_carc end) as initial_primary_carc,
        max(case when is_adjudication and adjudication_seq = 1 then denied_amount end) as initial_denied_amount,
        max(case when is_adjudication and adjudication_seq_desc = 1 then denial_type end) as current_denial_type,
        max(case when is_adjudication and adjudication_seq_desc = 1 then remit_date end) as last_adjudication_date
    from remits
    group by claim_id
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
        ----------  parties
        coalesce(s.payer_id, r.remit_payer_id) as payer_id,
        coalesce(s.payer_name, r.remit_payer_name) as payer_name,
        coalesce(s.billing_npi, r.remit_payee_npi) as billing_npi,
        s.rendering_npi,
        coalesce(el.location_id, s.location_id) as location_id,
        s.claim_type,
        s.filing_indicator,
        s.latest_frequency_code,
        ----------  flags
        s.chain_id is not null as has_submission,
        r.chain_id is not null as has_remit,
        coalesce(r.adjudication_count, 0) > 0 as is_adjudicated,
        coalesce(r.initial_denial_type in ('full', 'partial'), false) as is_initially_denied,
        coalesce(r.current_denial_type in ('full', 'partial'), false) as is_currently_denied,
        ----------  counts
        coalesce(s.submission_count, 0)::bigint as submission_count,
        coalesce(r.remit_count, 0)::bigint as remit_count,
        coalesce(r.adjudication_count, 0)::bigint as adjudication_count,
        coalesce(r.reversal_count, 0)::bigint as reversal_count,
        ----------  outcome
        r.initial_status_code,
        r.initial_denial_type,
        r.initial_root_cause,
        r.initial_primary_carc,
        r.current_denial_type,
        ----------  amounts
        coalesce(s.total_charge_amount, r.remit_charge_amount) as total_charge_amount,
        coalesce(r.total_paid_amount, 0)::decimal(18, 2) as total_paid_amount,
        coalesce(r.patient_responsibility_amount, 0)::decimal(18, 2) as patient_responsibility_amount,
        coalesce(r.initial_denied_amount, 0)::decimal(18, 2) as initial_denied_amount,
        ----------  dates
        s.first_service_date,
        s.first_submission_date,
        r.first_adjudication_date,
        r.last_adjudication_date,
        ----------  lineage
        {{ build_seq_stamp() }} as _build_seq
    from submission_summary as s
    full outer join remit_summary as r on r.chain_id = s.chain_id
    left join encounter_locations as el on el.claim_id = s.claim_id
)

select * from final
