{{ config(**chain_model_config('chain_id', delete="{{ delete_rescrubbed_edits() }}")) }}
-- depends_on: {{ ref('int_touched_chains') }}
-- The claim scrubber (docs/worklists.md): edits on the encounters not billed yet, so a coder fixes them before
-- the claim goes out, and on the 837s as submitted that the payer has not answered yet, so the biller can send
-- a corrected claim (frequency 7) before the denial comes back.  One row per line and edit, with the rule and
-- its evidence:
--   ncci_ptp             : a column-2 code with its column-1 code on the same encounter or claim, the edit in
--                          effect and not bypassed by a modifier (the integrity rule's reading,
--                          macros/integrity.sql);
--   mue_units            : units over the MUE (MAI 1 per line; MAI 2/3 summed per code over the encounter or
--                          claim, on the line with the most units);
--   dx_missing           : no diagnosis on the encounter or claim, on each of its lines;
--   icd10_invalid        : a diagnosis that is no ICD-10-CM code;
--   icd10_not_billable   : a category that has codes below it (payers take only the most specific code);
--   icd10_unspecified    : an "unspecified" code where a specified code of the same category exists
--                          (a warning: documentation may support no more);
--   modifier_25_without_em : modifier 25 on a line that is no E/M service;
--   bilateral_conflict   : modifier 50 (both sides) with LT or RT, or LT and RT on one line;
--   sex_conflict         : a diagnosis or procedure for one sex (seed patient_code_edits) on a patient recorded
--                          as the other;
--   age_conflict         : a diagnosis outside its age range (seed patient_code_edits) at the date of service.
-- Diagnosis edits belong to the diagnosis list: they are reported on the first line.  Sex and age come from
-- the 837 (DMG); an encounter extract carries neither, so those edits read submitted claims only.
-- Incremental (macros/worklists.sql delete_rescrubbed_edits): a claim's edits are rewritten with its chain, an
-- encounter's when it is rebuilt (a new line, or billed at last); wq_prebill_edits ranks them.
with unbilled as (
    select encounter_id from {{ ref('fct_encounter_billing') }}
    where not is_billed and {{ when_incremental('encounter_id in (' ~ encounters_rebuilt_since_own_stamp() ~ ')') }}
),

-- chains sent to their primary payer and not answered yet; the current submission's lines (a replacement
-- replaces, a void is gone, a front-end rejection never reached the payer: int_integrity__service_lines)
pending_chains as (
    select chain_id, location_id
    from {{ ref('fct_claim_chains') }}
    where has_submission and not is_adjudicated and not is_voided and {{ in_touched_chains('chain_id') }}
),

modifier_groups as (
    {{ ncci_modifier_groups() }}
),

encounter_lines as (
    select
        'encounter' as source,
        lines.encounter_id as item_id,
        lines.encounter_id,
        cast(null as string) as claim_id,
        cast(null as string) as chain_id,
        lines.line_number,
        'encounter:' || lines.encounter_id || ':' || cast(lines.line_number as string) as line_key,
        lines.patient_id,
        lines.patient_id as patient_key,
        cast(null as string) as patient_sex,
        cast(null as date) as patient_birth_date,
        lines.payer_id,
        lines.rendering_npi,
        lines.rendering_npi as provider_npi,
        lines.location_id,
        lines.service_date,
        lines.procedure_code,
        cast(lines.units as double) as units,
        cast(lines.charge_amount as double) as charge_amount,
        -- encounters are the practice's professional services: the practitioner tables apply
        'practitioner' as edit_setting,
        coalesce({{ list_non_null(split_text("nullif(lines.modifiers, '')", ',')) }}, {{ empty_string_list() }})
            as modifier_list,
        lines.diagnosis_codes,
        coalesce(trim(lines.diagnosis_codes), '') <> '' as has_diagnosis
    from {{ ref('stg_encounters__encounter_lines') }} as lines
    where lines.encounter_id in (select encounter_id from unbilled)
),

submitted_lines as (
    -- read late (rows_where): the pending chains' lines are a per cent or two of a wide table
    select service.*, pending.location_id
    from {{ rows_where(ref('int_integrity__service_lines'),
                       when_incremental('chain_id in (select chain_id from pending_chains)')) }} as service
    inner join pending_chains as pending on pending.chain_id = service.chain_id
),

claim_encounters as (
    select claim_id, min(encounter_id) as encounter_id, min(patient_id) as patient_id
    from {{ ref('int_encounter_claims') }}
    where claim_id in (select claim_id from submitted_lines)
    group by claim_id
),

claim_diagnoses as (
    select claim_key, diagnosis_code as code
    from {{ ref('stg_x12__claim_diagnoses') }}
    where is_icd10cm and claim_key in (select claim_key from submitted_lines)
),

claim_lines as (
    select
        'submitted_claim' as source,
        submitted.claim_key as item_id,
        billed.encounter_id,
        submitted.claim_id,
        submitted.chain_id,
        submitted.line_number,
        'claim:' || submitted.line_key as line_key,
        billed.patient_id,
        submitted.patient_key,
        submitted.patient_gender as patient_sex,
        submitted.patient_birth_date,
        submitted.payer_id,
        submitted.provider_npi as rendering_npi,
        submitted.provider_npi,
        submitted.location_id,
        submitted.service_date,
        submitted.procedure_code,
        cast(submitted.units as double) as units,
        cast(submitted.charge_amount as double) as charge_amount,
        submitted.edit_setting,
        coalesce(submitted.modifiers, {{ empty_string_list() }}) as modifier_list,
        cast(null as string) as diagnosis_codes,
        submitted.claim_key in (select claim_key from claim_diagnoses) as has_diagnosis
    from submitted_lines as submitted
    left join claim_encounters as billed on billed.claim_id = submitted.claim_id
),

scrubbed_lines as (
    select
        *,
        min(line_number) over (partition by source, item_id) as first_line_number,
        -- whole years at the date of service
        year(service_date) - year(patient_birth_date) - case
            when month(service_date) * 100 + day(service_date) < month(patient_birth_date) * 100
                + day(patient_birth_date) then 1
            else 0
        end as patient_age
    from (
        select * from encounter_lines
        union all
        select * from claim_lines
    ) as all_lines
),

lines as (
    select scrubbed_lines.*, {{ ncci_line_modifiers('scrubbed_lines.modifier_list') }}
    from scrubbed_lines
    cross join modifier_groups
),

edits as (
    select * from {{ ref('stg_reference__ncci_ptp') }} where modifier_indicator in ('0', '1')
),

ncci as (
    select
        col2.source,
        col2.item_id,
        col2.line_number,
        'ncci_ptp' as edit,
        col2.procedure_code || ' with ' || col1.procedure_code || ' (line ' || cast(col1.line_number as string)
            || '): NCCI modifier indicator ' || edits.modifier_indicator
            || case when edits.modifier_indicator = '1' then ', no distinct-service modifier' else '' end
            as evidence
    {{ ncci_pairs_billed_together('lines', 'edits') }}
    -- within one encounter or claim: the line to fix is on it (pairs across two claims of a day are the
    -- integrity rule's, which names both claims)
    where col1.source = col2.source and col1.item_id = col2.item_id
        and {{ ncci_pair_not_bypassed('col1', 'col2', 'edits') }}
),

mue_matched as (
    {{ lines_with_mue('lines') }}
),

mue as (
    select
        source,
        item_id,
        line_number,
        'mue_units' as edit,
        procedure_code || ': ' || cast(units as string) || ' units on one line; MUE ' || cast(mue_value as string)
            || ' (MAI 1)' as evidence
    from mue_matched
    where adjudication_indicator = '1' and units > mue_value
    union all
    select
        source,
        item_id,
        max_by(line_number, units) as line_number,
        'mue_units' as edit,
        procedure_code || ': ' || cast(sum(units) as string) || ' units on the '
            || case when source = 'encounter' then 'encounter' else 'claim' end || '; MUE '
            || cast(max(mue_value) as string) || ' (MAI ' || max(adjudication_indicator) || ')' as evidence
    from mue_matched
    where adjudication_indicator <> '1'
    group by source, item_id, procedure_code
    having sum(units) > max(mue_value)
),

encounter_diagnoses as (
    select item_id, upper(replace(trim(code), '.', '')) as code
    from (
        select item_id, {{ explode(split_text("nullif(diagnosis_codes, '')", ';')) }} as code
        from scrubbed_lines
        -- the diagnosis list is the encounter's: read it once, from its first line
        where source = 'encounter' and line_number = first_line_number
    ) as exploded
    where trim(code) <> ''
),

-- each item's diagnoses, with what the sex and age edits need (one row per item from its first line)
diagnoses as (
    select items.source, items.item_id, items.line_number as first_line_number, items.patient_sex,
           items.patient_age, dx.code
    from (
        select 'encounter' as source, item_id, code from encounter_diagnoses
        union all
        select 'submitted_claim' as source, claim_key as item_id, code from claim_diagnoses
    ) as dx
    inner join scrubbed_lines as items
        on items.source = dx.source and items.item_id = dx.item_id and items.line_number = items.first_line_number
),

dx_edits as (
    select
        diagnoses.source,
        diagnoses.item_id,
        diagnoses.first_line_number as line_number,
        case
            when icd.code is null then 'icd10_invalid'
            when not icd.is_billable then 'icd10_not_billable'
            else 'icd10_unspecified'
        end as edit,
        diagnoses.code || case
            when icd.code is null then ': not an ICD-10-CM code'
            when not icd.is_billable then ': a category with more specific codes below it'
            else ': unspecified, a specified code of the same category exists'
        end as evidence
    from diagnoses
    left join {{ ref('stg_reference__icd10cm') }} as icd on icd.code = diagnoses.code
    -- an unspecified code is a warning before billing (the documentation may support a specific one); on a
    -- claim already sent it is valid and no reason to send a corrected claim
    where icd.code is null or not icd.is_billable
        or (icd.is_unspecified and icd.has_specified_sibling and diagnoses.source = 'encounter')
),

dx_missing as (
    select source, item_id, line_number, 'dx_missing' as edit,
           procedure_code || ': the ' || case when source = 'encounter' then 'encounter' else 'claim' end
               || ' has no diagnosis to point to' as evidence
    from scrubbed_lines
    where not has_diagnosis
),

modifier_25 as (
    select lines.source, lines.item_id, lines.line_number, 'modifier_25_without_em' as edit,
           lines.procedure_code || ' carries modifier 25, which only an E/M service takes' as evidence
    from lines
    left join {{ ref('em_family') }} as em on em.procedure_code = lines.procedure_code
    where {{ list_contains('lines.modifier_list', "'25'") }} and em.procedure_code is null
),

bilateral as (
    select source, item_id, line_number, 'bilateral_conflict' as edit,
           procedure_code || case
               when {{ list_contains('modifier_list', "'50'") }}
                   then ' carries 50 (both sides) with LT or RT (one side)'
               else ' carries LT and RT on one line: bill 50, or one line per side as the payer asks'
           end as evidence
    from lines
    where ({{ list_contains('modifier_list', "'50'") }}
            and ({{ list_contains('modifier_list', "'LT'") }} or {{ list_contains('modifier_list', "'RT'") }}))
        or ({{ list_contains('modifier_list', "'LT'") }} and {{ list_contains('modifier_list', "'RT'") }})
),

patient_edits as (
    select * from {{ ref('patient_code_edits') }}
),

sex_conflicts as (
    select diagnoses.source, diagnoses.item_id, diagnoses.first_line_number as line_number,
           'sex_conflict' as edit,
           diagnoses.code || ': a ' || patient_edits.label || ' diagnosis, the patient is recorded as '
               || case diagnoses.patient_sex when 'F' then 'female' else 'male' end as evidence
    from diagnoses
    inner join patient_edits
        on patient_edits.code_system = 'icd10cm'
        and substr(diagnoses.code, 1, 3) between patient_edits.code_from and patient_edits.code_to
    where diagnoses.patient_sex in ('F', 'M') and patient_edits.sex <> diagnoses.patient_sex
    union all
    select lines.source, lines.item_id, lines.line_number, 'sex_conflict' as edit,
           lines.procedure_code || ': ' || patient_edits.label || ', the patient is recorded as '
               || case lines.patient_sex when 'F' then 'female' else 'male' end as evidence
    from lines
    inner join patient_edits
        on patient_edits.code_system = 'cpt'
        -- CPT category I codes are five digits; II and III end in F / T and fall outside these ranges
        and length(lines.procedure_code) = 5 and substr(lines.procedure_code, 5, 1) between '0' and '9'
        and lines.procedure_code between patient_edits.code_from and patient_edits.code_to
    where lines.patient_sex in ('F', 'M') and patient_edits.sex <> lines.patient_sex
),

age_conflicts as (
    -- the evidence names the range, not the patient's age (an age over 89 identifies a person)
    select diagnoses.source, diagnoses.item_id, diagnoses.first_line_number as line_number,
           'age_conflict' as edit,
           diagnoses.code || ': a ' || patient_edits.label || ' diagnosis, for ages '
               || cast(patient_edits.min_age as string) || '-' || cast(patient_edits.max_age as string)
               || '; the patient''s age at the service is outside it' as evidence
    from diagnoses
    inner join patient_edits
        on patient_edits.code_system = 'icd10cm'
        and substr(diagnoses.code, 1, 3) between patient_edits.code_from and patient_edits.code_to
    where patient_edits.min_age is not null and diagnoses.patient_age is not null
        and diagnoses.patient_age not between patient_edits.min_age and patient_edits.max_age
),

found as (
    select * from ncci
    union all select * from mue
    union all select * from dx_edits
    union all select * from dx_missing
    union all select * from modifier_25
    union all select * from bilateral
    union all select * from sex_conflicts
    union all select * from age_conflicts
),

final as (
    select
        found.source,
        lines.encounter_id,
        lines.claim_id,
        lines.chain_id,
        found.line_number,
        found.edit,
        case when found.edit = 'icd10_unspecified' then 'warning' else 'error' end as severity,
        found.evidence,
        lines.patient_id,
        lines.payer_id,
        lines.rendering_npi,
        lines.location_id,
        lines.service_date,
        lines.procedure_code,
        lines.charge_amount
    from found
    inner join scrubbed_lines as lines
        on lines.source = found.source and lines.item_id = found.item_id and lines.line_number = found.line_number
)

select *, {{ build_seq_stamp() }} as _build_seq from final
