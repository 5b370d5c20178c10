-- The pre-bill claim scrubber (docs/worklists.md): edits on the encounters not billed yet, so a coder fixes
-- them before the claim goes out instead of after the payer rejects or denies it.  One row per encounter line
-- and edit, with the rule and its evidence:
--   ncci_ptp             : a column-2 code with its column-1 code on the same encounter, the edit in effect and
--                          not bypassed by a modifier (the integrity rule's reading, macros/integrity.sql);
--   mue_units            : units over the MUE (MAI 1 per line; MAI 2/3 summed per code over the encounter,
--                          on the line with the most units);
--   dx_missing           : no diagnosis on the encounter, on each of its lines;
--   icd10_invalid        : a diagnosis that is no ICD-10-CM code;
--   icd10_not_billable   : a category that has codes below it (payers take only the most specific code);
--   icd10_unspecified    : an "unspecified" code where a specified code of the same category exists
--                          (a warning: documentation may support no more);
--   modifier_25_without_em : modifier 25 on a line that is no E/M service.
-- Diagnosis edits belong to the encounter's diagnosis list: they are reported on its first line.
with unbilled as (
    select encounter_id from {{ ref('fct_encounter_billing') }} where not is_billed
),

modifier_groups as (
    {{ ncci_modifier_groups() }}
),

encounter_lines as (
    select
        lines.*,
        lines.encounter_id || ':' || cast(lines.line_number as string) as line_key,
        lines.patient_id as patient_key,
        lines.rendering_npi as provider_npi,
        -- encounters are the practice's professional services: the practitioner tables apply
        'practitioner' as edit_setting,
        coalesce({{ list_non_null(split_text("nullif(lines.modifiers, '')", ',')) }}, {{ empty_string_list() }})
            as modifier_list,
        min(lines.line_number) over (partition by lines.encounter_id) as first_line_number
    from {{ ref('stg_encounters__encounter_lines') }} as lines
    where lines.encounter_id in (select encounter_id from unbilled)
),

lines as (
    select encounter_lines.*, {{ ncci_line_modifiers('encounter_lines.modifier_list') }}
    from encounter_lines
    cross join modifier_groups
),

edits as (
    select * from {{ ref('stg_reference__ncci_ptp') }} where modifier_indicator in ('0', '1')
),

ncci as (
    select
        col2.encounter_id,
        col2.line_number,
        'ncci_ptp' as edit,
        col2.procedure_code || ' with ' || col1.procedure_code || ' (line ' || cast(col1.line_number as string)
            || '): NCCI modifier indicator ' || edits.modifier_indicator
            || case when edits.modifier_indicator = '1' then ', no distinct-service modifier' else '' end
            as evidence
    {{ ncci_pairs_billed_together('lines', 'edits') }}
    where {{ ncci_pair_not_bypassed('col1', 'col2', 'edits') }}
),

mue_matched as (
    {{ lines_with_mue('lines') }}
),

mue as (
    select
        encounter_id,
        line_number,
        'mue_units' as edit,
        procedure_code || ': ' || cast(units as string) || ' units on one line; MUE ' || cast(mue_value as string)
            || ' (MAI 1)' as evidence
    from mue_matched
    where adjudication_indicator = '1' and units > mue_value
    union all
    select
        encounter_id,
        max_by(line_number, units) as line_number,
        'mue_units' as edit,
        procedure_code || ': ' || cast(sum(units) as string) || ' units on the encounter; MUE '
            || cast(max(mue_value) as string) || ' (MAI ' || max(adjudication_indicator) || ')' as evidence
    from mue_matched
    where adjudication_indicator <> '1'
    group by encounter_id, procedure_code
    having sum(units) > max(mue_value)
),

diagnoses as (
    select
        encounter_id,
        first_line_number,
        upper(replace(trim(code), '.', '')) as code
    from (
        select encounter_id, first_line_number,
               {{ explode(split_text("nullif(diagnosis_codes, '')", ';')) }} as code
        from encounter_lines
        where line_number = first_line_number
    ) as exploded
    where trim(code) <> ''
),

dx_edits as (
    select
        diagnoses.encounter_id,
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
    where icd.code is null or not icd.is_billable or (icd.is_unspecified and icd.has_specified_sibling)
),

dx_missing as (
    select encounter_id, line_number, 'dx_missing' as edit,
           procedure_code || ': the encounter has no diagnosis to point to' as evidence
    from encounter_lines
    where coalesce(trim(diagnosis_codes), '') = ''
),

modifier_25 as (
    select lines.encounter_id, lines.line_number, 'modifier_25_without_em' as edit,
           lines.procedure_code || ' carries modifier 25, which only an E/M service takes' as evidence
    from lines
    left join {{ ref('em_family') }} as em on em.procedure_code = lines.procedure_code
    where {{ list_contains('lines.modifier_list', "'25'") }} and em.procedure_code is null
),

found as (
    select * from ncci
    union all select * from mue
    union all select * from dx_edits
    union all select * from dx_missing
    union all select * from modifier_25
),

final as (
    select
        found.encounter_id,
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
        lines.charge_amount::double as charge_amount
    from found
    inner join encounter_lines as lines
        on lines.encounter_id = found.encounter_id and lines.line_number = found.line_number
)

select
    *,
    row_number() over (order by case when severity = 'error' then 0 else 1 end, service_date, encounter_id,
                       line_number, edit) as priority_rank
from final
