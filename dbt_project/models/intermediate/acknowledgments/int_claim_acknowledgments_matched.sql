{{ config(**chain_model_config('claim_id', delete="{{ delete_rematched_acks() }}")) }}
-- incremental by claim id (macros/acknowledgments.sql acks_to_match): a 277CA matches among its claim id's submissions
-- depends_on: {{ ref('int_touched_chains') }}
-- Each claim a 277CA answered (one TRN of loop 2200D), with its claim-level verdict and the 837 submission it
-- answers.  The TRN02 echoes the CLM01 we sent; a claim id is sent again after a rejection, to a secondary
-- payer, or corrected, so among the submissions of that id sent on or before the acknowledgment we take the
-- one whose total charge the 277CA repeats (STC04), then the one billed to the payer that answers (2100A
-- NM109, when a payer and not a clearinghouse answers), then the latest (docs/metrics.md, "Acknowledgments").
with statuses as (
    -- read late (rows_where): a day's touched claim ids are a per cent or two of the 277CA statuses
    select * from {{ rows_where(ref('stg_x12__claim_acknowledgments'), acks_to_match()) }} as touched_statuses
    where ack_level = 'claim'
),

acknowledged_claims as (
    select
        ack_claim_key,
        max(claim_id) as claim_id,
        max(acknowledged_by) as acknowledged_by,
        max(payer_claim_control_number) as payer_claim_control_number,
        min(acknowledged_date) as acknowledged_date,
        max(charge_amount) as charge_amount,
        -- one rejecting status rejects the claim, whatever else the same answer says
        case
            when bool_or(status_outcome = 'rejected') then 'rejected'
            when bool_or(status_outcome = 'accepted') then 'accepted'
            else 'other'
        end as ack_outcome,
        {{ string_agg_ordered(
            "status_category || coalesce(':' || status_code, '') || coalesce(':' || entity_code, '')",
            ', ', 'seg_index, status_sequence') }} as status_codes,
        -- the first status of the first STC segment (a claim may carry several STCs)
        min_by(status_category, seg_index * 10 + status_sequence) as status_category,
        min_by(status_code, seg_index * 10 + status_sequence) as status_code,
        min_by(entity_code, seg_index * 10 + status_sequence) as entity_code,
        max(_source_file_id) as _source_file_id
    from statuses
    group by ack_claim_key
),

submissions as (
    select claim_key, claim_id, submission_date, total_charge_amount, payer_id
    from {{ ref('stg_x12__claims') }}
    where {{ in_touched_claim_ids('claim_id') }}
),

candidates as (
    select
        acknowledged_claims.ack_claim_key,
        submissions.claim_key,
        'claim_id'
        || case when acknowledged_claims.charge_amount = submissions.total_charge_amount then '_charge' else '' end
        || case when acknowledged_claims.acknowledged_by = submissions.payer_id then '_payer' else '' end
            as match_reason,
        row_number() over (
            partition by acknowledged_claims.ack_claim_key
            order by
                case when acknowledged_claims.charge_amount = submissions.total_charge_amount then 0 else 1 end,
                case when acknowledged_claims.acknowledged_by = submissions.payer_id then 0 else 1 end,
                submissions.submission_date desc,
                submissions.claim_key desc
        ) as pick
    from acknowledged_claims
    inner join submissions
        on submissions.claim_id = acknowledged_claims.claim_id
        and submissions.submission_date <= coalesce(acknowledged_claims.acknowledged_date, submissions.submission_date)
),

matched as (
    select
        acknowledged_claims.*,
        candidates.claim_key,
        coalesce(candidates.match_reason, 'unmatched') as match_reason,
        {{ build_seq_stamp() }} as _build_seq
    from acknowledged_claims
    left join candidates
        on candidates.ack_claim_key = acknowledged_claims.ack_claim_key and candidates.pick = 1
)

select * from matched
