{{ config(**chain_model_config('chain_id')) }}
-- depends_on: {{ ref('int_touched_chains') }}
-- Each chain's first submission to its primary payer, with what the front end and the payer made of it: the
-- rows kpi_front_end_monthly counts (docs/metrics.md, "Acknowledgments").  Rebuilt chain by chain; whether a
-- submission still waiting is overdue depends on the day the data reaches, so the KPI reads that itself.
with first_submissions as (
    select *
    from (
        -- the columns read below only: a window sorts every column it is given
        select
            submissions.chain_id,
            submissions.submission_date,
            submissions.payer_id,
            submissions.rendering_npi,
            submissions.location_id,
            submissions.claim_type,
            submissions.front_end_status,
            submissions.ack_999_status,
            submissions.ack_277ca_status_codes,
            submissions.days_to_acceptance,
            submissions.days_to_resubmission,
            row_number() over (
                partition by submissions.chain_id order by submissions.submission_date, submissions.claim_key
            ) as chain_seq
        from {{ ref('int_claim_submissions') }} as submissions
        where submissions.payer_sequence = 1 and {{ in_touched_chains('submissions.chain_id') }}
    ) as ranked
    where chain_seq = 1
)

select
    first_submissions.chain_id,
    date_trunc('month', first_submissions.submission_date)::date as month,
    first_submissions.submission_date,
    first_submissions.payer_id,
    first_submissions.rendering_npi,
    first_submissions.location_id,
    first_submissions.claim_type,
    case
        when first_submissions.front_end_status = 'rejected_999'
            then '999 ' || coalesce(first_submissions.ack_999_status, 'R')
        when first_submissions.front_end_status = 'rejected_277ca'
            then coalesce(first_submissions.ack_277ca_status_codes, 'unknown')
    end as rejection_reason,
    first_submissions.front_end_status in ('accepted', 'rejected_999', 'rejected_277ca') as has_verdict,
    first_submissions.front_end_status = 'accepted' as is_accepted,
    first_submissions.front_end_status = 'rejected_999' as is_rejected_999,
    first_submissions.front_end_status = 'rejected_277ca' as is_rejected_277ca,
    first_submissions.front_end_status in ('no_acknowledgment', 'accepted_999', 'acknowledged_other')
        as is_awaiting,
    first_submissions.front_end_status,
    first_submissions.days_to_acceptance,
    first_submissions.days_to_resubmission,
    chains.is_adjudicated,
    coalesce(chains.initial_denial_type = 'none', false) as is_first_decision_clean,
    {{ build_seq_stamp() }} as _build_seq
from first_submissions
left join {{ ref('fct_claim_chains') }} as chains on chains.chain_id = first_submissions.chain_id
