{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql); a table, since two rules read it
-- depends_on: {{ ref('int_touched_chains') }}
-- One row per current claim (chain) for the claim-level rules: its dates, parties and billed amount.
select
    chain_id,
    claim_id,
    claim_type,
    any_value(billing_npi) as billing_npi,
    any_value(provider_npi) as provider_npi,
    {{ list_agg_distinct('provider_npi') }} as line_provider_npis,
    any_value(rendering_last_name) as rendering_last_name,
    any_value(rendering_first_name) as rendering_first_name,
    any_value(referring_npi) as referring_npi,
    any_value(provider_state) as provider_state,
    any_value(member_id) as member_id,
    any_value(patient_birth_date) as patient_birth_date,
    any_value(patient_key) as patient_key,
    min(service_date) as service_date,
    max(service_date) as last_service_date,
    any_value(statement_from_date) as statement_from_date,
    any_value(statement_to_date) as statement_to_date,
    any_value(discharge_status) as discharge_status,
    sum(charge_amount) as charge_amount,
    {{ build_seq_stamp() }} as _build_seq
-- read late (rows_where): the touched chains' lines are a per cent or two of a wide table
from {{ rows_where(ref('int_integrity__service_lines'), in_touched_chains('chain_id')) }} as touched_lines
group by chain_id, claim_id, claim_type
