-- The claim chains the chain models (tag chain_incremental, macros/incremental_chains.sql) recompute in
-- this build: those touched by raw batches numbered above the oldest stamp they hold.  Empty on a build
-- from nothing (every chain model is built whole) and on Spark (there they are plain tables).
-- depends_on: {{ ref('int_build_batches') }}
-- depends_on: {{ ref('stg_x12__claims') }}
-- depends_on: {{ ref('stg_x12__remit_claims') }}
-- depends_on: {{ ref('stg_encounters__encounter_lines') }}
-- depends_on: {{ ref('stg_patient_payments__payments') }}
-- depends_on: {{ ref('int_claim_id_chains') }}
-- depends_on: {{ ref('stg_x12__claim_acknowledgments') }}
-- depends_on: {{ ref('stg_x12__ack_set_responses') }}
{%- set stamp = chain_models_stamp() %}
{% if target.type == 'duckdb' and stamp is not none -%}
    {{ touched_chain_ids(stamp) }}
{%- else -%}
    select chain_id from {{ ref('int_claim_chain_links') }} where 1 = 0
{%- endif %}
