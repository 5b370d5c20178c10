-- Claims to chase, most money per day left first (docs/worklists.md).  One row per item:
--   no_payer_answer     : a chain sent to its primary payer with no decision after the days this payer is
--                         expected to pay in (its observed 90th percentile, else the policy; int_payer_policy);
--   no_acknowledgment   : a submission with no 277CA verdict past var ack_overdue_days (fct_claim_submissions);
--   rejected_not_resent : a submission a 999 or 277CA rejected and nothing sent since;
--   unbilled            : an encounter with no claim yet, half-way or more to the payer's filing limit.
-- Every item's deadline is the timely-filing limit (service date + the payer's filing days): past it the
-- payer may refuse the claim for good.  priority = amount / days left (items past the limit rank last).
with policy as (
    select * from {{ ref('int_payer_policy') }}
),

as_of as (
    {{ data_as_of() }}
),

chains as (
    select * from {{ ref('fct_claim_chains') }}
),

latest_submissions as (
    -- the latest claim to the primary payer (secondary claims follow the primary's answer: not chased here)
    select * from {{ ref('fct_claim_submissions') }}
    where next_submission_date is null and payer_sequence = 1
),

no_answer as (
    select
        'no_payer_answer' as queue_reason,
        chains.chain_id,
        cast(null as string) as encounter_id,
        cast(null as string) as submission_key,
        chains.claim_id,
        chains.payer_id,
        chains.rendering_npi,
        chains.location_id,
        chains.claim_type,
        chains.total_charge_amount::double as amount,
        chains.first_service_date as service_date,
        chains.first_submission_date as reference_date,
        {{ days_between('chains.first_submission_date', 'as_of.as_of_date') }} as days_waiting,
        policy.expected_days_to_pay as expected_days,
        'no decision ' || cast({{ days_between('chains.first_submission_date', 'as_of.as_of_date') }} as string)
            || ' days after the first submission (this payer answers within '
            || cast(policy.expected_days_to_pay as string) || ')' as reason
    from chains
    inner join policy on policy.payer_id = chains.payer_id
    cross join as_of
    where chains.has_submission and not chains.is_adjudicated and not chains.is_voided
        and {{ days_between('chains.first_submission_date', 'as_of.as_of_date') }} > policy.expected_days_to_pay
        -- a claim the front end turned back never reached the payer: it is listed as rejected_not_resent
        and chains.chain_id not in (select chain_id from latest_submissions where is_front_end_rejected)
),

submission_items as (
    -- the latest claim to the primary payer: unacknowledged past the wait, or turned back and not re-sent
    select
        case when subs.is_front_end_rejected then 'rejected_not_resent' else 'no_acknowledgment' end
            as queue_reason,
        subs.chain_id,
        cast(null as string) as encounter_id,
        subs.claim_key as submission_key,
        subs.claim_id,
        subs.payer_id,
        subs.rendering_npi,
        subs.location_id,
        subs.claim_type,
        subs.total_charge_amount::double as amount,
        chains.first_service_date as service_date,
        case when subs.is_front_end_rejected then subs.rejected_date else subs.submission_date end
            as reference_date,
        case when subs.is_front_end_rejected then {{ days_between('subs.rejected_date', 'as_of.as_of_date') }}
            else subs.days_awaiting_acknowledgment end as days_waiting,
        case when subs.is_front_end_rejected then 0 else {{ var('ack_overdue_days') }} end as expected_days,
        case
            when subs.front_end_status = 'rejected_999' then 'rejected by the 999, not re-sent'
            when subs.is_front_end_rejected
                then 'rejected by the 277CA (' || coalesce(subs.ack_277ca_status_codes, '') || '), not re-sent'
            else 'no 277CA ' || cast(subs.days_awaiting_acknowledgment as string) || ' days after it was sent'
        end as reason
    from latest_submissions as subs
    inner join chains on chains.chain_id = subs.chain_id
    cross join as_of
    where subs.is_front_end_rejected or (subs.is_acknowledgment_overdue and not chains.is_adjudicated)
),

unbilled as (
    select
        'unbilled' as queue_reason,
        cast(null as string) as chain_id,
        encounters.encounter_id,
        cast(null as string) as submission_key,
        cast(null as string) as claim_id,
        encounters.payer_id,
        encounters.rendering_npi,
        encounters.location_id,
        cast(null as string) as claim_type,
        encounters.charge_amount::double as amount,
        encounters.service_date,
        encounters.service_date as reference_date,
        encounters.unbilled_age_days as days_waiting,
        cast(policy.timely_filing_days / 2 as integer) as expected_days,
        'not billed ' || cast(encounters.unbilled_age_days as string) || ' days after the service' as reason
    from {{ ref('fct_encounter_billing') }} as encounters
    left join policy on policy.payer_id = encounters.payer_id
    where not encounters.is_billed
        and encounters.unbilled_age_days * 2 >= coalesce(policy.timely_filing_days, 90)
),

items as (
    select * from no_answer
    union all
    select * from submission_items
    union all
    select * from unbilled
),

dated as (
    select
        items.*,
        cast({{ dbt.dateadd('day', 'coalesce(policy.timely_filing_days, 90)', 'items.service_date') }} as date)
            as timely_filing_deadline,
        as_of.as_of_date
    from items
    left join policy on policy.payer_id = items.payer_id
    cross join as_of
),

with_days_left as (
    select *, {{ days_between('as_of_date', 'timely_filing_deadline') }} as days_left
    from dated
),

final as (
    select *, {{ money_per_day_left('amount', 'days_left') }} as priority_score
    from with_days_left
)

select
    *,
    row_number() over (
        order by priority_score desc, timely_filing_deadline, queue_reason, chain_id, encounter_id, submission_key
    ) as priority_rank
from final
