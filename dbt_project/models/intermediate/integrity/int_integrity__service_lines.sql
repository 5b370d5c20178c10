{{ config(**chain_model_config('chain_id')) }}
-- incremental by chain (macros/incremental_chains.sql)
-- depends_on: {{ ref('int_touched_chains') }}
-- The service lines the integrity rules look at: every line of the *current* submission of each claim
-- chain to its primary payer (a replacement, frequency 7, replaces the earlier lines; a chain whose latest
-- submission is a void, frequency 8, is gone; a secondary claim bills the same service again to another
-- payer, which is coordination of benefits, not a new service), with the patient, provider and E/M facts
-- the rules share.
-- A submission rejected at the front end (999 or 277CA) never reached the payer and is left out
-- (macros/acknowledgments.sql, billed_to_payer).
-- Patient identity is what the 837 carries: member id (NM1*IL) + date of birth (DMG), the key kept on the
-- submission's link (int_claim_chain_links).
with primary_submissions as (
    select
        claims.*,
        links.chain_id,
        links.patient_key,
        -- an original sent again (a re-send, frequency 1 after frequency 1) replaces nothing: the duplicate
        -- rule reports it, and the claim keeps its first original's lines
        coalesce(claims.frequency_code, '1') = '1' and row_number() over (
            partition by links.chain_id, coalesce(claims.frequency_code, '1') = '1'
            order by claims.submission_date, claims._source_file_id, claims.seg_index
        ) > 1 as is_resend
    from {{ ref('stg_x12__claims') }} as claims
    inner join {{ touched_chain_links() }} as links using (claim_key)
    where links.payer_sequence = 1
        and {{ billed_to_payer('claims.claim_key') }}
),

submissions as (
    select
        *,
        row_number() over (
            partition by chain_id order by submission_date desc, _source_file_id desc, seg_index desc
        ) as recency,
        -- when the service was first billed: a later replacement does not make the claim "newer"
        min(submission_date) over (partition by chain_id) as first_submission_date
    from primary_submissions
    where not is_resend
),

current_submissions as (
    select * from submissions
    where recency = 1 and coalesce(frequency_code, '1') <> '8'
),

lines as (
    select * from {{ ref('stg_x12__claim_lines') }}
),

em as (
    select * from {{ ref('em_family') }}
),

joined as (
    select
        ----------  ids
        lines.claim_key || ':' || lines.line_number as line_key,
        subs.chain_id,
        subs.claim_key,
        subs.claim_id,
        lines.line_number,
        ----------  claim
        subs.claim_type,
        -- which CMS edit table (NCCI PTP, MUE) applies: practitioner for 837P, outpatient hospital for 837I
        case when subs.claim_type = '837I' then 'outpatient_hospital' else 'practitioner' end as edit_setting,
        subs.frequency_code,
        subs.submission_date,
        subs.first_submission_date,
        subs.payer_id,
        subs.billing_npi,
        subs.billing_tax_id,
        coalesce(lines.rendering_npi, subs.rendering_npi) as provider_npi,
        subs.rendering_last_name,
        subs.rendering_first_name,
        subs.referring_npi,
        coalesce(subs.rendering_taxonomy, subs.billing_taxonomy) as provider_taxonomy,
        subs.billing_state as provider_state,
        ----------  patient
        subs.subscriber_member_id as member_id,
        subs.patient_birth_date,
        subs.patient_gender,
        subs.patient_key,
        ----------  service
        coalesce(lines.service_date, subs.statement_from_date) as service_date,
        subs.statement_from_date,
        subs.statement_to_date,
        subs.discharge_status,
        lines.procedure_code,
        {{ list_non_null(list_of('lines.modifier_1', 'lines.modifier_2', 'lines.modifier_3', 'lines.modifier_4')) }}
            as modifiers,
        lines.units,
        lines.charge_amount,
        {{ place_of_service('lines', 'subs') }} as place_of_service,
        em.em_family,
        em.level_num as em_level,
        coalesce(em.is_high, false) as is_em_high
    from current_submissions as subs
    inner join lines on lines.claim_key = subs.claim_key
    left join em on em.procedure_code = lines.procedure_code
),

final as (
    select
        joined.*,
        {{ list_join_sorted('joined.modifiers', ',') }} as modifier_set,
        em_family is not null as is_em,
        {{ build_seq_stamp() }} as _build_seq
    from joined
)

select * from final
