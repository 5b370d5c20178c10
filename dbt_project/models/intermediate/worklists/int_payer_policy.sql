-- Each payer's filing limit, appeal window and expected days to pay (seed payer_policy, with the user's
-- policy file over it: its payer row, else its financial class's, else the default), with the days to pay
-- this payer has shown: the 90th percentile of submission -> first decision over its adjudicated chains, used
-- instead of the policy once there are `worklist_min_history` of them (docs/worklists.md).
with payers as (
    select
        chains.payer_id,
        max(classes.financial_class) as financial_class,
        count(*) filter (where chains.is_adjudicated) as adjudicated_chains,
        {{ percentile_cont(days_between('chains.first_submission_date', 'chains.first_adjudication_date'), 0.9) }}
            filter (where chains.is_adjudicated) as observed_p90_days_to_pay
    from {{ ref('fct_claim_chains') }} as chains
    left join {{ ref('financial_class') }} as classes on classes.filing_indicator = chains.filing_indicator
    where chains.payer_id is not null and chains.has_submission
    group by chains.payer_id
),

-- The user's row replaces the shipped row of the same scope and key; a cell the user left blank keeps the
-- shipped value, and where nothing is shipped falls through to the next level below.
policy as (
    select
        coalesce(users.scope, shipped.scope) as scope,
        coalesce(users.key, shipped.key) as key,
        coalesce(users.timely_filing_days, shipped.timely_filing_days) as timely_filing_days,
        coalesce(users.appeal_window_days, shipped.appeal_window_days) as appeal_window_days,
        coalesce(users.expected_days_to_pay, shipped.expected_days_to_pay) as expected_days_to_pay,
        users.key is not null as from_user_file
    from {{ ref('payer_policy') }} as shipped
    full outer join {{ ref('stg_reference__payer_policy') }} as users
        on users.scope = shipped.scope and users.key = shipped.key
),

resolved as (
    select
        payers.*,
        coalesce(by_payer.timely_filing_days, by_class.timely_filing_days, fallback.timely_filing_days)
            as timely_filing_days,
        coalesce(by_payer.appeal_window_days, by_class.appeal_window_days, fallback.appeal_window_days)
            as appeal_window_days,
        coalesce(by_payer.expected_days_to_pay, by_class.expected_days_to_pay, fallback.expected_days_to_pay)
            as policy_days_to_pay,
        case
            when by_payer.key is not null then 'payer'
            when by_class.key is not null then 'financial_class'
            else 'default'
        end as policy_source,
        coalesce(by_payer.from_user_file, by_class.from_user_file, fallback.from_user_file) as from_user_file
    from payers
    left join policy as by_payer on by_payer.scope = 'payer' and by_payer.key = payers.payer_id
    left join policy as by_class on by_class.scope = 'financial_class' and by_class.key = payers.financial_class
    cross join (select * from policy where scope = 'default') as fallback
),

final as (
    select
        payer_id,
        financial_class,
        timely_filing_days,
        appeal_window_days,
        policy_days_to_pay,
        adjudicated_chains,
        observed_p90_days_to_pay,
        case
            when adjudicated_chains >= {{ var('worklist_min_history') }}
                then cast(ceil(observed_p90_days_to_pay) as integer)
            else policy_days_to_pay
        end as expected_days_to_pay,
        policy_source,
        from_user_file
    from resolved
)

select * from final
