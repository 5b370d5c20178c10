{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}
-- One row per claim a 277CA answered, with the submission it answers (match_reason) — or none: an
-- acknowledgment for a claim never loaded here (match_reason = unmatched) is listed, never dropped.
-- A view on DuckDB over int_claim_acknowledgments_matched (incremental) and the submission it names: no
-- page or model reads it, and a table would copy twelve million acknowledgments again every build.
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
    acks._source_file_id
from {{ ref('int_claim_acknowledgments_matched') }} as acks
left join {{ ref('int_claim_submissions') }} as submissions on submissions.claim_key = acks.claim_key
