-- Open denials to work, most recoverable money per day left first (docs/worklists.md).  One row per
-- initially denied chain still pending (fct_denials: not overturned, not written off) whose primary payer's
-- current decision leaves the provider something to recover; a denial the patient owes (PR only) goes to the
-- patient-balance work, not here.
--   appeal_deadline    = the current denial's date + the payer's appeal window (int_payer_policy);
--   expected_recovery  = the provider-liable denied amount x the overturn rate of this payer and root cause,
--                        shrunk toward the book's rate when its history is thin:
--                        (overturned + k x book rate) / (resolved + k), k = var worklist_prior_strength;
--   priority           = expected recovery per day left; a denial past its deadline (or whose remark says it
--                        cannot be appealed, RARC N211) stays listed, ranked after the workable ones.
with denials as (
    select * from {{ ref('fct_denials') }}
    where denial_status = 'pending'
),

chains as (
    select chain_id, last_adjudication_date, current_provider_liable_denied_amount, filing_indicator
    from {{ ref('fct_claim_chains') }}
),

history as (
    select
        payer_id,
        root_cause,
        count(*) filter (where is_resolved) as resolved,
        count(*) filter (where is_overturned) as overturned
    from {{ ref('fct_denials') }}
    group by payer_id, root_cause
),

book as (
    select
        coalesce(count(*) filter (where is_overturned)::double / nullif(count(*) filter (where is_resolved), 0), 0)
            as book_overturn_rate
    from {{ ref('fct_denials') }}
),

no_appeal_rights as (
    -- the payer's remark that the decision cannot be appealed
    select distinct remits.chain_id
    from {{ ref('stg_x12__remit_remarks') }} as remarks
    inner join {{ ref('int_remit_claims_classified') }} as remits using (remit_claim_key)
    where remarks.remark_code = 'N211'
),

as_of as (
    {{ data_as_of() }}
),

scored as (
    select
        denials.chain_id,
        denials.claim_id,
        denials.payer_id,
        denials.payer_name,
        denials.rendering_npi,
        denials.location_id,
        denials.claim_type,
        denials.root_cause,
        denials.primary_carc,
        denials.owner_area,
        denials.avoidable,
        case when denials.is_reworked then 'corrected_claim_sent' else 'new' end as work_status,
        chains.current_provider_liable_denied_amount::double as denied_amount,
        chains.last_adjudication_date as denial_date,
        policy.appeal_window_days,
        cast({{ dbt.dateadd('day', 'policy.appeal_window_days', 'chains.last_adjudication_date') }} as date)
            as appeal_deadline,
        as_of.as_of_date,
        coalesce(history.resolved, 0) as history_resolved,
        (coalesce(history.overturned, 0) + {{ var('worklist_prior_strength') }} * book.book_overturn_rate)
            / (coalesce(history.resolved, 0) + {{ var('worklist_prior_strength') }}) as overturn_rate,
        no_appeal_rights.chain_id is not null as has_no_appeal_rights
    from denials
    inner join chains on chains.chain_id = denials.chain_id
    left join {{ ref('int_payer_policy') }} as policy on policy.payer_id = denials.payer_id
    left join history on history.payer_id = denials.payer_id and history.root_cause = denials.root_cause
    left join no_appeal_rights on no_appeal_rights.chain_id = denials.chain_id
    cross join book
    cross join as_of
    where chains.current_provider_liable_denied_amount > 0
),

measured as (
    select
        *,
        {{ days_between('as_of_date', 'appeal_deadline') }} as days_left,
        denied_amount * overturn_rate as expected_recovery
    from scored
),

final as (
    select
        *,
        case
            when has_no_appeal_rights then 'no appeal rights (RARC N211): correct and re-bill or write off'
            when days_left < 0 then 'appeal window closed'
            when work_status = 'corrected_claim_sent' then 'corrected claim sent: awaiting the payer'
            else 'appeal or correct before the deadline'
        end as reason,
        case
            when has_no_appeal_rights then 0.0
            else {{ money_per_day_left('expected_recovery', 'days_left') }}
        end as priority_score
    from measured
)

select
    *,
    row_number() over (order by priority_score desc, appeal_deadline, chain_id) as priority_rank
from final
