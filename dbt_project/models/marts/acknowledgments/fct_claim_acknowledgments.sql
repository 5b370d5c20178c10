{{ config(**chain_model_config('claim_id', pre_hook="{{ delete_rematched_acks() }}")) }}
-- depends_on: {{ ref('int_touched_chains') }}
-- depends_on: {{ ref('int_claim_id_chains') }}
-- One row per claim a 277CA answered, with the submission it answers (match_reason) — or none: an
-- acknowledgment for a claim never loaded here (match_reason = unmatched) is listed, never dropped.
-- Incremental like int_claim_acknowledgments_matched (macros/acknowledgments.sql acks_to_match).
select
    acks.ack_claim_key,
    acks.claim_id,
    acks.claim_key,
    acks.match_reason,
    acks.acknowledged_by,
    acks.acknowledged_date,
    acks.ack_outcome,
    acks.status_category,
    acks.status_code,
    acks.entity_code,
    acks.status_codes,
    acks.charge_amount,
    acks.payer_claim_control_number,
    submissions.chain_id,
    submissions.payer_id,
    submissions.submission_date,
    acks._source_file_id,
    {{ build_seq_stamp() }} as _build_seq
from {{ ref('int_claim_acknowledgments_matched') }} as acks
left join {{ ref('int_claim_submissions') }} as submissions on submissions.claim_key = acks.claim_key
where {{ in_rematched_acks('acks.ack_claim_key') }}
