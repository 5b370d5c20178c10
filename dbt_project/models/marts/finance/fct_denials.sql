-- One row per initially denied claim chain (DOMAIN.md §2): the first adjudication's denial (full or
-- partial), its primary root cause and CARC (largest denial-category adjustment), whether it was
-- avoidable and who owns it, and what happened next: reworked (a 7/8 or new submission after the denial),
-- overturned (no longer denied and paid), or final (still denied, no rework, and at least
-- `ar_denial_open_days` old at the latest date in the data).
with chains as (
    select * from {{ ref('fct_claim_chains') }}
    where is_initially_denied
),

submissions as (
    select chain_id, submission_date from {{ ref('int_claim_chain_links') }}
),

rework as (
    select chains.chain_id, min(submissions.submission_date) as first_rework_date
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
    )
),

final as (
    select
        ----------  ids
        chains.chain_id,
        chains.claim_id,
        ----------  dimensions
        chains.payer_id,
        chains.payer_name,
        chains.rendering_npi,
        chains.location_id,
        chains.claim_type,
        chains.initial_denial_type as denial_type,
        chains.initial_root_cause as root_cause,
        chains.initial_primary_carc as primary_carc,
        coalesce(rc.avoidable, 'N') as avoidable,
        rc.owner_area,
        ----------  outcome
        rework.first_rework_date is not null as is_reworked,
        not chains.is_currently_denied and chains.total_paid_amount > 0 as is_overturned,
        chains.is_currently_denied
            and rework.first_rework_date is null
            and {{ days_between("chains.last_adjudication_date", "(select as_of_date from as_of)") }}
                >= {{ var('ar_denial_open_days') }} as is_final_denial,
        ----------  amounts
        chains.total_charge_amount,
        chains.initial_denied_amount,
        chains.total_paid_amount,
        ----------  dates and durations
        chains.first_adjudication_date as denial_date,
        rework.first_rework_date,
        {{ days_between("chains.first_adjudication_date", "rework.first_rework_date") }} as days_to_rework,
        case when not chains.is_currently_denied
            then {{ days_between("chains.first_adjudication_date", "chains.last_adjudication_date") }}
        end as days_to_resolve
    from chains
    left join rework on rework.chain_id = chains.chain_id
    left join root_causes as rc on rc.root_cause = chains.initial_root_cause
)

select * from final
