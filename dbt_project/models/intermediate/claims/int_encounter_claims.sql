{{ config(**chain_model_config(delete="{{ delete_rebilled_encounters() }}")) }}
-- incremental by encounter (macros/incremental_chains.sql): an encounter is recomputed when a line of it, or
-- an 837 carrying its claim id, arrives in a batch this model has not seen
-- depends_on: {{ ref('int_build_batches') }}
-- One row per encounter with its first 837 submission: what fct_encounter_billing reads, less the unbilled
-- age (that moves with the latest date in the data, so the view computes it when read).
with encounter_lines as (
    select * from {{ ref('stg_encounters__encounter_lines') }}
    where {{ encounters_to_bill() }}
),

encounters as (
    select
        encounter_id,
        min(service_date) as service_date,
        max(patient_id) as patient_id,
        max(rendering_npi) as rendering_npi,
        max(payer_id) as payer_id,
        max(location_id) as location_id,
        max(nullif(claim_id, '')) as claim_id,
        count(*) as line_count,
        sum(charge_amount) as charge_amount,
        max(_source_batch) as _source_batch
    from encounter_lines
    group by encounter_id
),

first_submission as (
    select stg.claim_id, min(stg.submission_date) as first_submission_date
    from {{ ref('stg_x12__claims') }} as stg
    {% if is_incremental() -%}
    where stg.claim_id in (select claim_id from encounters)
    {%- endif %}
    group by stg.claim_id
)

select
    e.encounter_id,
    e.claim_id,
    e.patient_id,
    e.rendering_npi,
    e.payer_id,
    e.location_id,
    e.service_date,
    fs.first_submission_date,
    e.line_count,
    e.charge_amount::decimal(18, 2) as charge_amount,
    ----------  lineage: the latest batch with a line of the encounter, the build that computed the row
    e._source_batch,
    {{ build_seq_stamp() }} as _build_seq
from encounters as e
left join first_submission as fs on fs.claim_id = e.claim_id
