-- Collections by month and payer (DOMAIN.md §1.5, 1.7, 1.10), period-based:
--   cash_collected          = Σ CLP04 posted in the month (835 payment date; reversals net; PLB excluded)
--   patient_cash_collected  = Σ patient payments posted in the month, refunds net (fct_patient_payments; the
--                             optional extract), under the payer of the chain they pay ('unknown' if unapplied)
--   total_cash_collected    = cash_collected + patient_cash_collected
--   gross_charges           = Σ chain charges with first date of service in the month
--   contractual_adjustments = Σ CAS dollars posted in the month whose CARC category is CONTRACTUAL_PRICING
--   net_collection_rate     = total cash / (gross charges - contractual adjustments) [MGMA adjusted FFS %]
--   gross_collection_rate   = total cash / gross charges                             [MGMA gross FFS %]
--                             (DOMAIN.md §1.7: payments = Σ CLP04 net of reversals + patient payments if fed)
--   days_in_ar_gross        = insurance A/R at month-end / (charges with DOS in the trailing 3 months
--                             / days in those 3 months)                         [MGMA-style, §1.5]
--   days_in_ar_net          = net A/R at month-end (fct_ar_snapshots.net_open_balance) / (expected allowed of
--                             chains with first DOS in the trailing 3 months / days)   [HFMA net days, §1.5]
--   underpaid_amount        = Σ variance of underpaid lines answered in the month (fct_underpayments, §1.11);
--   underpayment_rate       = underpaid_amount / expected allowed of the contract-priced lines answered
--   median_days_to_pay      = median(first adjudication date - first submission date) of chains first
--                             adjudicated in the month (submit-to-adjudication, §1.10)
--   patient_responsibility  = Σ PR adjustments posted in the month
--   patient_ar_balance      = Σ PR assigned to date - Σ patient payments to date, at month-end (null when no
--                             patient payments were fed: without them every PR dollar would look unpaid)
-- The same-month ratios are indicative: NCR is usually read over 12 months or a DOS cohort with run-out.
with chains as (
    select * from {{ ref('fct_claim_chains') }}
),

remits as (
    select * from {{ ref('int_remit_claims_classified') }}
),

patient_payments as (
    select
        date_trunc('month', payment_date)::date as month,
        coalesce(payer_id, 'unknown') as payer_id,
        sum(amount) as patient_cash_collected
    from {{ ref('fct_patient_payments') }}
    group by 1, 2
),

patient_payments_fed as (
    select count(*) > 0 as is_fed from {{ ref('fct_patient_payments') }}
),

chain_payer as (
    select chain_id, payer_id, payer_name from chains
),

posted as (
    select
        date_trunc('month', remits.remit_date)::date as month,
        coalesce(chain_payer.payer_id, remits.payer_id, 'unknown') as payer_id,
        sum(remits.paid_amount) as cash_collected,
        sum(remits.contractual_adjustment_amount) as contractual_adjustments,
        sum(remits.pr_adjustment_amount) as patient_responsibility
    from remits
    left join chain_payer on chain_payer.chain_id = remits.chain_id
    group by 1, 2
),

charges as (
    select
        date_trunc('month', chains.first_service_date)::date as month,
        chains.payer_id,
        sum(chains.total_charge_amount) as gross_charges,
        sum(coalesce(ea.expected_allowed, chains.total_charge_amount)) as expected_allowed_charges,
        count(*) as claims_billed
    from chains
    left join {{ ref('int_chain_expected_allowed') }} as ea on ea.chain_id = chains.chain_id
    where chains.has_submission
    group by 1, 2
),

underpayments as (
    select
        date_trunc('month', remit_date)::date as month,
        payer_id,
        sum(expected_allowed) as contract_expected_allowed,
        sum(case when is_underpaid then variance else 0 end) as underpaid_amount,
        sum(case when is_underpaid then 1 else 0 end) as underpaid_lines
    from {{ ref('fct_underpayments') }}
    group by 1, 2
),

turnaround as (
    select
        date_trunc('month', first_adjudication_date)::date as month,
        payer_id,
        median({{ days_between("first_submission_date", "first_adjudication_date") }}) as median_days_to_pay,
        count(*) as claims_first_adjudicated
    from chains
    where is_adjudicated and has_submission
    group by 1, 2
),

ar as (
    select
        date_trunc('month', as_of_date)::date as month,
        payer_id,
        sum(open_balance) as ar_open_balance,
        sum(net_open_balance) as ar_net_open_balance
    from {{ ref('fct_ar_snapshots') }}
    group by 1, 2
),

months as (
    select month, payer_id from posted
    union
    select month, payer_id from charges
    union
    select month, payer_id from ar
    union
    select month, payer_id from patient_payments
),

joined as (
    select
        months.month,
        months.payer_id,
        coalesce(charges.gross_charges, 0) as gross_charges,
        coalesce(charges.claims_billed, 0) as claims_billed,
        coalesce(posted.cash_collected, 0) as cash_collected,
        coalesce(patient_payments.patient_cash_collected, 0) as patient_cash_collected,
        coalesce(posted.cash_collected, 0) + coalesce(patient_payments.patient_cash_collected, 0)
            as total_cash_collected,
        coalesce(posted.contractual_adjustments, 0) as contractual_adjustments,
        coalesce(posted.patient_responsibility, 0) as patient_responsibility,
        coalesce(ar.ar_open_balance, 0) as ar_open_balance,
        coalesce(ar.ar_net_open_balance, 0) as ar_net_open_balance,
        coalesce(charges.expected_allowed_charges, 0) as expected_allowed_charges,
        coalesce(underpayments.contract_expected_allowed, 0) as contract_expected_allowed,
        coalesce(underpayments.underpaid_amount, 0) as underpaid_amount,
        coalesce(underpayments.underpaid_lines, 0) as underpaid_lines,
        turnaround.median_days_to_pay,
        coalesce(turnaround.claims_first_adjudicated, 0) as claims_first_adjudicated
    from months
    left join charges on charges.month = months.month and charges.payer_id = months.payer_id
    left join posted on posted.month = months.month and posted.payer_id = months.payer_id
    left join ar on ar.month = months.month and ar.payer_id = months.payer_id
    left join patient_payments
        on patient_payments.month = months.month and patient_payments.payer_id = months.payer_id
    left join turnaround on turnaround.month = months.month and turnaround.payer_id = months.payer_id
    left join underpayments on underpayments.month = months.month and underpayments.payer_id = months.payer_id
),

trailing_window as (
    select
        *,
        sum(gross_charges) over (
            partition by payer_id order by month range between interval 2 month preceding and current row
        ) as charges_trailing_3m,
        sum(expected_allowed_charges) over (
            partition by payer_id order by month range between interval 2 month preceding and current row
        ) as expected_allowed_trailing_3m,
        {{ days_between("month - interval 2 month", "month + interval 1 month") }} as days_trailing_3m,
        case when (select is_fed from patient_payments_fed) then
            sum(patient_responsibility - patient_cash_collected) over (
                partition by payer_id order by month rows between unbounded preceding and current row
            )
        end as patient_ar_balance
    from joined
),

final as (
    select
        month,
        payer_id,
        claims_billed,
        claims_first_adjudicated,
        gross_charges::decimal(18, 2) as gross_charges,
        cash_collected::decimal(18, 2) as cash_collected,
        patient_cash_collected::decimal(18, 2) as patient_cash_collected,
        total_cash_collected::decimal(18, 2) as total_cash_collected,
        contractual_adjustments::decimal(18, 2) as contractual_adjustments,
        patient_responsibility::decimal(18, 2) as patient_responsibility,
        patient_ar_balance::decimal(18, 2) as patient_ar_balance,
        ar_open_balance::decimal(18, 2) as ar_open_balance,
        ar_net_open_balance::decimal(18, 2) as ar_net_open_balance,
        underpaid_lines::bigint as underpaid_lines,
        underpaid_amount::decimal(18, 2) as underpaid_amount,
        underpaid_amount / nullif(contract_expected_allowed, 0) as underpayment_rate,
        -- undefined when the month's contractuals (posted on earlier months' claims) meet or exceed its charges:
        -- a negative "rate" would only say the month was small (found by the GX mart check)
        case
            when gross_charges - contractual_adjustments > 0
                then total_cash_collected / (gross_charges - contractual_adjustments)
        end as net_collection_rate,
        total_cash_collected / nullif(gross_charges, 0) as gross_collection_rate,
        charges_trailing_3m::decimal(18, 2) as charges_trailing_3m,
        expected_allowed_trailing_3m::decimal(18, 2) as expected_allowed_trailing_3m,
        days_trailing_3m,
        round(ar_open_balance / nullif(charges_trailing_3m / days_trailing_3m, 0), 2) as days_in_ar_gross,
        round(ar_net_open_balance / nullif(expected_allowed_trailing_3m / days_trailing_3m, 0), 2) as days_in_ar_net,
        median_days_to_pay
    from trailing_window
)

select * from final
