{{ config(**chain_model_config('patient_key', delete="{{ delete_touched_patients() }}")) }}
-- incremental by patient (macros/incremental_chains.sql): the rule reads one patient's lines of a day
-- depends_on: {{ ref('int_touched_patients') }}
-- Medically Unlikely Edits (docs/integrity.md).  MAI 1: each claim line on its own.  MAI 2 (policy) and 3
-- (clinical): all units for the same patient, provider, code and date are summed across lines and claims.
-- A date-of-service finding is attributed to the line with the most units (what the payer would deny) and
-- lists every contributing claim.  Later copies of a duplicate are not counted twice (duplicate rule).
with lines as (
    select * from {{ ref('int_integrity__counted_lines') }}
    where {{ in_touched_patients('patient_key') }}
),

matched as (
    {{ lines_with_mue('lines') }}
),

line_edits as (
    select
        patient_key,
        provider_npi,
        claim_id,
        line_number,
        service_date,
        units as measured_value,
        mue_value::double as threshold,
        charge_amount as dollars_at_stake,
        procedure_code || ': ' || units || ' units on one line; MUE ' || mue_value
            || ' (MAI 1, per line)' as evidence,
        {{ list_of('claim_id') }} as evidence_claim_ids
    from matched
    where adjudication_indicator = '1' and units > mue_value
),

date_edits as (
    select
        patient_key,
        provider_npi,
        max(claim_id) filter (where unit_rank = 1) as claim_id,
        max(line_number) filter (where unit_rank = 1) as line_number,
        service_date,
        sum(units) as measured_value,
        any_value(mue_value)::double as threshold,
        sum(charge_amount) as dollars_at_stake,
        procedure_code || ': ' || sum(units) || ' units on ' || count(*) || ' line(s) for one patient on '
            || service_date || '; MUE ' || any_value(mue_value) || ' (MAI ' || adjudication_indicator
            || case when adjudication_indicator = '2' then ', policy limit)' else ', clinical limit)' end
            as evidence,
        {{ list_agg_distinct('claim_id') }} as evidence_claim_ids
    from (
        -- the line a payer would deny: most units, then the last line, then the last claim id (one answer
        -- on every engine)
        select
            *,
            row_number() over (
                partition by provider_npi, patient_key, procedure_code, service_date, adjudication_indicator
                order by units desc, line_number desc, claim_id desc
            ) as unit_rank
        from matched
    ) as matched
    where adjudication_indicator in ('2', '3')
    group by provider_npi, patient_key, procedure_code, service_date, adjudication_indicator
    having sum(units) > any_value(mue_value)
),

findings as (
    select 'mue_excess' as rule_id, * from line_edits
    union all
    select 'mue_excess' as rule_id, * from date_edits
)

select *, {{ build_seq_stamp() }} as _build_seq from findings
