{{ config(**chain_model_config('patient_key', delete="{{ delete_touched_patients() }}")) }}
-- incremental by patient (macros/incremental_chains.sql): the rule reads one patient's lines of a day
-- depends_on: {{ ref('int_touched_patients') }}
-- Modifier 25 with no separately identifiable procedure that day (docs/integrity.md): an E/M line carrying
-- 25 when the same provider billed the patient no procedure with a global surgical package on that date,
-- on this claim or another.  25 says "this E/M is separate from the procedure"; with no procedure it only
-- asks the payer to pay an E/M its edits would otherwise bundle or question.  A line-level lead.
with lines as (
    select * from {{ ref('int_integrity__counted_lines') }}
    where is_em and {{ list_contains('modifiers', "'25'") }} and {{ in_touched_patients('patient_key') }}
),

procedure_days as (
    select * from {{ ref('int_integrity__procedure_days') }}
    where {{ in_touched_patients('patient_key') }}
),

findings as (
    select
        'modifier_25_no_procedure' as rule_id,
        lines.patient_key,
        lines.provider_npi,
        lines.claim_id,
        lines.line_number,
        lines.service_date,
        lines.charge_amount as dollars_at_stake,
        1::double as measured_value,
        'E/M ' || lines.procedure_code || ' line ' || lines.line_number || ' carries modifier 25 but no procedure '
            || 'with a global surgical period was billed by the provider for the patient on ' || lines.service_date
            as evidence,
        {{ list_of('lines.claim_id') }} as evidence_claim_ids
    from lines
    left join procedure_days
        on procedure_days.patient_key = lines.patient_key
        and procedure_days.provider_npi = lines.provider_npi
        and procedure_days.service_date = lines.service_date
    where procedure_days.patient_key is null
)

select *, {{ build_seq_stamp() }} as _build_seq from findings
