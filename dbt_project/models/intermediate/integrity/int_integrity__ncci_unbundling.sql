{{ config(**chain_model_config('patient_key', delete="{{ delete_touched_patients() }}")) }}
-- incremental by patient (macros/incremental_chains.sql): the rule reads one patient's lines of a day
-- depends_on: {{ ref('int_touched_patients') }}
-- NCCI procedure-to-procedure edits (docs/integrity.md).  A column-2 code billed for the same patient,
-- provider and date as its column-1 code -- on the same claim or another one -- when the edit is in effect
-- on that date (effective <= date < deletion).  Modifier indicator 0: never payable together, modifiers do
-- not help.  Indicator 1: payable only when a modifier shows the services were distinct, as the NCCI
-- policy manual reads them: 59, XE/XP/XS/XU (or global-surgery 24/25/57/58/78/79, 27, 91) on the column-2
-- line; or anatomic modifiers on both lines that name different sites (RT vs LT, F1 vs F2, LC vs LD...).
-- RT on both lines is the same site, and an anatomic modifier on one line only shows nothing: no bypass.
-- The practitioner table applies to 837P, the outpatient-hospital table to 837I.  Later copies of a
-- duplicate are left to the duplicate rule (the payer denies them as CARC 18).
with modifier_groups as (
    {{ ncci_modifier_groups() }}
),

lines as (
    select
        counted.*,
        {{ ncci_line_modifiers('counted.modifiers') }}
    from {{ ref('int_integrity__counted_lines') }} as counted
    cross join modifier_groups
    where {{ in_touched_patients('counted.patient_key') }}
),

edits as (
    select * from {{ ref('stg_reference__ncci_ptp') }}
    where modifier_indicator in ('0', '1')
),

violations as (
    select
        col2.line_key,
        col2.patient_key,
        col2.provider_npi,
        col2.claim_id,
        col2.line_number,
        col2.service_date,
        col2.procedure_code,
        col2.charge_amount,
        col1.claim_id as column_1_claim_id,
        col1.procedure_code as column_1_code,
        edits.modifier_indicator,
        edits.effective_date
    {{ ncci_pairs_billed_together('lines', 'edits') }}
    where {{ ncci_pair_not_bypassed('col1', 'col2', 'edits') }}
),

findings as (
    select
        'ncci_unbundling' as rule_id,
        patient_key,
        provider_npi,
        claim_id,
        line_number,
        service_date,
        any_value(charge_amount) as dollars_at_stake,
        count(*)::double as measured_value,
        'column-2 code ' || any_value(procedure_code) || ' billed with column-1 code(s) '
            || {{ string_agg_ordered('column_1_code', ', ', 'column_1_code', distinct=true) }} || ' for the same patient, provider and date (claim(s) '
            || {{ string_agg_ordered('column_1_claim_id', ', ', 'column_1_claim_id', distinct=true) }} || '); modifier indicator '
            || min(modifier_indicator)
            || case when min(modifier_indicator) = '0' then ' (never payable together)'
                else ' and no modifier showing a distinct service or a different site' end as evidence,
        {{ list_distinct_sorted(list_concat(list_agg('column_1_claim_id'), list_of('any_value(claim_id)'))) }} as evidence_claim_ids
    from violations
    group by patient_key, provider_npi, claim_id, line_number, service_date
)

select *, {{ build_seq_stamp() }} as _build_seq from findings
