{{ config(**chain_model_config('claim_key', delete="{{ delete_reacknowledged_submissions() }}")) }}
-- incremental by claim id (macros/incremental_chains.sql touched_claim_ids): a submission's answers name its
-- claim id (277CA) or its transaction set (999, whose claims are touched with it)
-- depends_on: {{ ref('int_touched_chains') }}
-- Each 837 submission with what the front end said of it: the 999 that answered its transaction set (GS06 +
-- ST02 of the file we sent) and the 277CAs that answered the claim (int_claim_acknowledgments_matched).
-- docs/metrics.md, "Acknowledgments".
with submissions as (
    select claim_key, claim_id, gs06, st02, submission_date
    from {{ ref('stg_x12__claims') }}
    where {{ in_touched_claim_ids('claim_id') }}
),

set_answers as (
    -- a sender's control numbers may come round again: the first answer on or after the day we sent it
    select
        submissions.claim_key,
        answers.is_rejected,
        coalesce(answers.set_status, answers.group_status) as status,
        answers.acknowledged_date,
        row_number() over (
            partition by submissions.claim_key
            order by answers.acknowledged_date, answers.ack_set_key
        ) as pick
    from submissions
    inner join {{ ref('stg_x12__ack_set_responses') }} as answers
        on answers.group_control = submissions.gs06
        and coalesce(answers.set_control, submissions.st02) = submissions.st02
        and coalesce(answers.acknowledged_date, submissions.submission_date) >= submissions.submission_date
),

claim_errors as (
    -- errors a 999 places in this claim (CTX*CLM01), even when the set was accepted with errors
    select submissions.claim_key, count(*) as error_count
    from submissions
    inner join {{ ref('stg_x12__ack_segment_errors') }} as errors
        on errors.group_control = submissions.gs06
        and errors.set_control = submissions.st02
        and errors.claim_id = submissions.claim_id
    group by submissions.claim_key
),

claim_answers as (
    select
        claim_key,
        count(*) as ack_277ca_count,
        bool_or(ack_outcome = 'rejected') as is_rejected,
        bool_or(ack_outcome = 'accepted') as is_accepted,
        min(case when ack_outcome = 'accepted' then acknowledged_date end) as accepted_date,
        min(case when ack_outcome = 'rejected' then acknowledged_date end) as rejected_date,
        -- the deciding answer: the first rejection, else the first answer (by date, then file and position)
        min_by(status_codes, {{ deciding_answer_order() }}) as status_codes,
        min_by(status_category, {{ deciding_answer_order() }}) as status_category,
        max(payer_claim_control_number) as payer_claim_control_number
    -- read late (rows_where) on an incremental build: a day's touched chains' answers are a per cent or two
    {%- set answering = 'claim_key in (select claim_key from submissions)' %}
    from {{ rows_where(ref('int_claim_acknowledgments_matched'), when_incremental(answering)) }} as answers
    where {{ answering }}
    group by claim_key
),

outcomes as (
    select
        submissions.claim_key,
        set_answers.status as ack_999_status,
        set_answers.acknowledged_date as ack_999_date,
        coalesce(claim_errors.error_count, 0) as ack_999_claim_error_count,
        coalesce(claim_answers.ack_277ca_count, 0) as ack_277ca_count,
        claim_answers.status_codes as ack_277ca_status_codes,
        claim_answers.status_category as ack_277ca_status_category,
        claim_answers.payer_claim_control_number,
        claim_answers.accepted_date,
        case
            when set_answers.is_rejected then set_answers.acknowledged_date
            else claim_answers.rejected_date
        end as rejected_date,
        case
            when set_answers.is_rejected then 'rejected_999'
            when claim_answers.is_rejected then 'rejected_277ca'
            when claim_answers.is_accepted then 'accepted'
            when set_answers.status is not null then 'accepted_999'
            when claim_answers.claim_key is not null then 'acknowledged_other'
            else 'no_acknowledgment'
        end as front_end_status,
        coalesce(set_answers.is_rejected or claim_answers.is_rejected, false) as is_front_end_rejected,
        {{ build_seq_stamp() }} as _build_seq
    from submissions
    left join set_answers on set_answers.claim_key = submissions.claim_key and set_answers.pick = 1
    left join claim_errors on claim_errors.claim_key = submissions.claim_key
    left join claim_answers on claim_answers.claim_key = submissions.claim_key
)

select * from outcomes
