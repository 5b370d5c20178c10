{{ config(**chain_model_config('chain_id')) }}
-- depends_on: {{ ref('int_touched_chains') }}
-- One row per 837 submission of a claim chain with what the front end said of it: the 999 for its
-- transaction set, the 277CAs for the claim, and what the billing office did next (docs/metrics.md,
-- "Acknowledgments").  A submission is "first" when it is the chain's first to that payer.  Incremental by
-- chain; what depends on the day the data reaches (how long a submission has waited) is fct_claim_submissions'.
with submissions as (
    select
        claims.claim_key,
        claims.claim_id,
        links.chain_id,
        links.payer_sequence,
        claims.payer_id,
        claims.payer_name,
        claims.billing_npi,
        claims.rendering_npi,
        claims.location_id,
        claims.claim_type,
        claims.frequency_code,
        claims.submission_date,
        claims.total_charge_amount,
        row_number() over (
            partition by links.chain_id, claims.payer_id
            order by claims.submission_date, claims.claim_key
        ) as payer_submission_seq,
        lead(claims.submission_date) over (
            partition by links.chain_id, claims.payer_id
            order by claims.submission_date, claims.claim_key
        ) as next_submission_date
    from {{ ref('stg_x12__claims') }} as claims
    inner join {{ touched_chain_links() }} as links on links.claim_key = claims.claim_key
),

joined as (
    select
        submissions.*,
        submissions.payer_submission_seq = 1 as is_first_submission,
        outcomes.front_end_status,
        outcomes.front_end_status in ('rejected_999', 'rejected_277ca') as is_front_end_rejected,
        outcomes.ack_999_status,
        outcomes.ack_999_date,
        outcomes.ack_999_claim_error_count,
        outcomes.ack_277ca_count,
        outcomes.ack_277ca_status_category,
        outcomes.ack_277ca_status_codes,
        outcomes.payer_claim_control_number,
        outcomes.accepted_date,
        outcomes.rejected_date,
        {{ days_between('submissions.submission_date', 'outcomes.accepted_date') }} as days_to_acceptance,
        case
            when outcomes.front_end_status in ('rejected_999', 'rejected_277ca')
                then {{ days_between('outcomes.rejected_date', 'submissions.next_submission_date') }}
        end as days_to_resubmission,
        {{ build_seq_stamp() }} as _build_seq
    from submissions
    inner join {{ ref('int_claim_front_end_outcomes') }} as outcomes on outcomes.claim_key = submissions.claim_key
)

select * from joined
{{ storage_order('chain_id') }}
