{{ config(**chain_model_config(delete="{{ delete_relinked_claims() }}")) }}
-- incremental by batch, plus the submissions whose claim id moved to another chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_build_batches') }}
-- Each 837 submission with its chain (int_claim_id_chains: the original CLM01 its REF*F8 links lead to) and
-- the payer's place in the claim's coordination of benefits: SBR01 P = 1 (primary), S = 2, T = 3, A-H =
-- 4-11; unknown or absent is read as primary (docs/metrics.md, "Coordination of benefits").
-- patient_key (member id + date of birth, macros/integrity.sql) is kept here, computed once per submission,
-- for the patient-keyed models: finding every chain of a touched patient would otherwise build the key of
-- every claim in the warehouse again on each build.
with submissions as (
    select * from {{ ref('stg_x12__claims') }}
    where {{ claims_to_link() }}
),

chains as (
    select claim_id, chain_id, match_reason from {{ ref('int_claim_id_chains') }}
),

linked as (
    select
        submissions.claim_key,
        submissions.claim_id,
        chains.chain_id,
        chains.match_reason,
        submissions.payer_id,
        {{ payer_sequence('submissions.payer_responsibility') }} as payer_sequence,
        submissions.submission_date,
        submissions.frequency_code,
        submissions.total_charge_amount,
        {{ patient_key('submissions.subscriber_member_id', 'submissions.patient_birth_date') }} as patient_key,
        ----------  lineage
        submissions._source_batch,
        {{ build_seq_stamp() }} as _build_seq
    from submissions
    inner join chains on chains.claim_id = submissions.claim_id
)

select * from linked
{{ storage_order('chain_id') }}
