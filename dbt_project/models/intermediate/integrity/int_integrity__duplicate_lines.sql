{{ config(**chain_model_config('patient_key', delete="{{ delete_touched_patients() }}")) }}
-- incremental by patient (macros/incremental_chains.sql): a duplicate pairs lines of one patient
-- depends_on: {{ ref('int_touched_patients') }}
-- Duplicate service lines (docs/integrity.md).  A line is a duplicate when an earlier line on a *different*
-- chain has the same patient, rendering provider, procedure, modifier set and date of service: exact when
-- units and charge match too, near when they differ.  Replacements and voids (frequency 7/8) are the same
-- chain, so a corrected claim is never a duplicate of the claim it corrects.  Repeat-procedure modifiers
-- (76, 77, 91) declare a legitimate repeat.  Only the later copy is flagged, against the earliest original
-- (by when each chain was first billed: a corrected original stays the original).
-- Also caught: an original (frequency 1) sent again to the primary payer on the same chain (a re-sent claim
-- or batch, which payers deny as a duplicate, CARC 18), unless the chain was since voided.  A claim to a
-- secondary payer (SBR01 S) is no re-send, nor is the copy sent after a 999 or 277CA rejected the previous
-- one: a rejected claim never reached the payer, and only billed submissions count (billed_to_payer).
-- Not flagged, with the reason kept in exempt_reason (the findings view leaves these rows out): a re-send
-- of a claim the payer had not answered (no 835 for the chain dated on or before the re-send) at least
-- var duplicate_follow_up_days after the previous copy -- the follow-up billing offices send when a payer
-- is past its usual turnaround (prompt-pay rules give clean electronic claims ~30 days).  The payer may
-- still deny the copy as CARC 18; that is the denial analysis' business, not a compliance lead.
with lines as (
    select * from {{ ref('int_integrity__service_lines') }}
    where {{ in_touched_patients('patient_key') }}
        and not {{ list_has_any('modifiers', list_of("'76'", "'77'", "'91'")) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by patient_key, provider_npi, procedure_code, modifier_set, service_date
            order by first_submission_date, chain_id, line_number
        ) as copy_seq
    from lines
),

cross_chain as (
    select
        later.line_key,
        later.patient_key,
        later.chain_id,
        later.claim_id,
        later.line_number,
        later.provider_npi,
        later.service_date,
        later.procedure_code,
        later.units,
        later.charge_amount,
        first.claim_id as original_claim_id,
        first.line_number as original_line_number,
        first.units as original_units,
        first.charge_amount as original_charge_amount,
        later.units = first.units and later.charge_amount = first.charge_amount as is_exact,
        cast(null as {{ dbt.type_string() }}) as exempt_reason
    from ranked as later
    inner join ranked as first
        on first.patient_key = later.patient_key
        and first.provider_npi = later.provider_npi
        and first.procedure_code = later.procedure_code
        and first.modifier_set = later.modifier_set
        and first.service_date = later.service_date
        and first.copy_seq = 1
        and later.copy_seq > 1
        and first.chain_id <> later.chain_id
),

patient_chains as (
    -- the chains with a claim of a touched patient (read by an incremental build only)
    select chain_id
    from {{ ref('int_claim_chain_links') }}
    where {{ in_touched_patients('patient_key') }}
),

primary_links as (
    -- the submissions to the primary payer, of the touched patients' chains on an incremental build (narrowed
    -- before the join to the claims, chain_links_in)
    select claim_key, chain_id, patient_key
    from {{ chain_links_in('select chain_id from patient_chains' if is_incremental() else none) }} as links
    where payer_sequence = 1
),

voided_chains as (
    -- chains whose latest submission to the primary payer is a void (frequency 8)
    select void_links.chain_id
    from primary_links as void_links
    inner join {{ ref('stg_x12__claims') }} as void_claims using (claim_key)
    qualify row_number() over (
        partition by void_links.chain_id
        order by void_claims.submission_date desc, void_claims._source_file_id desc, void_claims.seg_index desc
    ) = 1 and void_claims.frequency_code = '8'
),

resent_originals as (
    -- the same claim id sent again as an original: the chain logic folds it into one chain.  Ranked within
    -- the chain, whose originals may name different patients (a corrected member id): every chain with an
    -- original of a touched patient is ranked whole, and the rows of the touched patients kept.
    select * from (
        select
            claims.claim_key,
            links.patient_key,
            links.chain_id,
            claims.claim_id,
            claims.submission_date,
            {{ days_between('lag(claims.submission_date) over submission_order', 'claims.submission_date') }}
                as days_since_previous_copy,
            row_number() over submission_order as copy_seq
        from primary_links as links
        inner join {{ ref('stg_x12__claims') }} as claims using (claim_key)
        where coalesce(claims.frequency_code, '1') = '1'
            and {{ billed_to_payer('claims.claim_key') }}
            -- voided since: the claim is no longer billed
            and links.chain_id not in (select chain_id from voided_chains)
        window submission_order as (
            partition by links.chain_id order by claims.submission_date, claims._source_file_id, claims.seg_index
        )
    ) as resent
    where resent.copy_seq > 1 and {{ in_touched_patients('resent.patient_key') }}
),

first_primary_answers as (
    select chain_id, min(remit_date) as first_answer_date
    from {{ ref('int_remit_claims_classified') }}
    where payer_sequence = 1 and chain_id in (select chain_id from resent_originals)
    group by chain_id
),

resent_with_reason as (
    select
        resent.*,
        case
            when resent.days_since_previous_copy >= {{ var('duplicate_follow_up_days') }}
                and coalesce(answers.first_answer_date > resent.submission_date, true)
                then 'follow-up re-send: no answer from the payer ' || resent.days_since_previous_copy
                    || ' days after the previous copy'
        end as exempt_reason
    from resent_originals as resent
    left join first_primary_answers as answers on answers.chain_id = resent.chain_id
),

same_chain as (
    select
        resent.claim_key || ':' || lines.line_number as line_key,
        resent.patient_key,
        resent.chain_id,
        resent.claim_id,
        lines.line_number,
        coalesce(lines.rendering_npi, claims.rendering_npi) as provider_npi,
        lines.service_date,
        lines.procedure_code,
        lines.units,
        lines.charge_amount,
        resent.claim_id as original_claim_id,
        lines.line_number as original_line_number,
        lines.units as original_units,
        lines.charge_amount as original_charge_amount,
        true as is_exact,
        resent.exempt_reason
    from resent_with_reason as resent
    inner join {{ ref('stg_x12__claim_lines') }} as lines on lines.claim_key = resent.claim_key
    inner join {{ ref('stg_x12__claims') }} as claims on claims.claim_key = resent.claim_key
),

final as (
    select *, {{ build_seq_stamp() }} as _build_seq from cross_chain
    union all
    -- a re-sent copy of a claim that is itself a copy of another chain is listed once, as the copy
    select *, {{ build_seq_stamp() }} as _build_seq from same_chain
    where line_key not in (select line_key from cross_chain)
)

select * from final
