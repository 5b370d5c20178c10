-- One row per initially denied claim chain (docs/metrics.md, "Denials"): the primary payer's initial
-- decision was a full or partial denial (a duplicate denial, CARC 18/B13, is no decision), and the provider
-- has not voided the claim.  With its primary root cause and CARC (largest denial-category adjustment),
-- whether it was avoidable and who owns it, and where it stands:
--   overturned  : the primary payer's current decision is no denial and it paid something;
--   written_off : still denied, no rework submitted after the latest decision, and `ar_denial_open_days`
--                 days or more since it at the latest date in the data (the write-off rule, macros/writeoff.sql);
--   pending     : otherwise — still being worked (a rework is out) or inside the window.
-- Overturned and written-off denials are resolved; the overturn rate is over resolved denials only.
with chains as (
    select * from {{ ref('fct_claim_chains') }}
    where is_initially_denied and not is_voided
),

submissions as (
    select chain_id, submission_date from {{ ref('int_claim_chain_links') }} where payer_sequence = 1
),

rework as (
    select
        chains.chain_id,
        min(submissions.submission_date) as first_rework_date,
        max(submissions.submission_date) as last_submission_date
    from chains
    inner join submissions
        on submissions.chain_id = chains.chain_id and submissions.submission_date > chains.first_adjudication_date
    group by chains.chain_id
),

root_causes as (
    select * from {{ ref('int_root_causes') }}
),

as_of as (
    select max(d) as as_of_date from (
        select max(last_adjudication_date) as d from {{ ref('fct_claim_chains') }}
        union all
        select max(submission_date) from submissions
    ) as latest
),

statused as (
    select
        chains.*,
        rework.first_rework_date,
        case
            when not chains.is_currently_denied and chains.primary_paid_amount > 0 then 'overturned'
            when chains.is_currently_denied
                and coalesce(rework.last_submission_date <= chains.last_adjudication_date, true)
                and {{ denial_written_off('chains.last_adjudication_date', '(select as_of_date from as_of)') }}
                then 'written_off'
            else 'pending'
        end as denial_status
    from chains
    left join rework on rework.chain_id = chains.chain_id
),

final as (
    select
        ----------  ids
        statused.chain_id,
        statused.claim_id,
        ----------  dimensions
        statused.payer_id,
        statused.payer_name,
        statused.rendering_npi,
        statused.location_id,
        statused.claim_type,
        statused.initial_denial_type as denial_type,
        statused.initial_root_cause as root_cause,
        statused.initial_primary_carc as primary_carc,
        coalesce(rc.avoidable, 'N') as avoidable,
        rc.owner_area,
        ----------  outcome
        statused.denial_status,
        statused.first_rework_date is not null as is_reworked,
        statused.denial_status = 'overturned' as is_overturned,
        statused.denial_status = 'written_off' as is_final_denial,
        statused.denial_status <> 'pending' as is_resolved,
        ----------  amounts
        statused.total_charge_amount,
        statused.initial_denied_amount,
        statused.total_paid_amount,
        statused.primary_paid_amount,
        ----------  dates and durations
        statused.first_adjudication_date as denial_date,
        statused.first_rework_date,
        {{ days_between("statused.first_adjudication_date", "statused.first_rework_date") }} as days_to_rework,
        case when statused.denial_status = 'overturned'
            then {{ days_between("statused.first_adjudication_date", "statused.last_adjudication_date") }}
        end as days_to_resolve
    from statused
    left join root_causes as rc on rc.root_cause = statused.initial_root_cause
)

select * from final
