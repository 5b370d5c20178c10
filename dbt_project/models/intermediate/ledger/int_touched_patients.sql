-- The patients this build recomputes in the patient-keyed models (duplicate lines and the line-level rules:
-- NCCI, MUE, modifier 25 without a procedure, all about one patient's services of a day): every patient with
-- a claim linked to a touched chain, now or under the chain id it had (macros/incremental_chains.sql).
-- Computed once per build; empty when int_touched_chains is.  Every 837 submission has its link row, which
-- carries the submission's claim id and patient key.
with touched as (
    select chain_id from {{ ref('int_touched_chains') }}
)

select distinct patient_key
from {{ ref('int_claim_chain_links') }}
where claim_id in (select chain_id from touched)
    or chain_id in (select chain_id from touched)
