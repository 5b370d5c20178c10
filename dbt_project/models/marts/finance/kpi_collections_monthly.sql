-- Collections by month and payer (docs/metrics.md, "Collections"), one row per month and the chain's primary
-- payer (scope 'payer'), and one per month for the whole book (scope 'all', payer_id '(all)') so that no
-- page recomputes a ratio.  Three kinds of figure, never mixed in one ratio:
--   * posted in the month (cash basis): insurance_cash (Σ CLP04 of every payer on the payer's chains, by 835
--     payment date, reversals netted), recoupments (PLB WO/72/... by the paying payer, negative), patient_cash
--     (patient payments and refunds), bad_debt / charity / small_balance (patient-balance write-offs) and
--     denial_write_offs (provider-liable denials written off under the write-off rule, by the day they are);
--   * by month of service (the chains whose first date of service is in the month, voided ones excluded):
--     claims_billed, gross_charges, expected_allowed (the contract: what NCR and NPSR are measured against, so
--     an underpayment shows as uncollected instead of hiding in a posted contractual), patient_responsibility,
--     pos_collected (patient payments taken on or before the date of service) and cohort_cash (everything
--     collected on those chains so far: the service-month cohort with its run-out);
--   * at the month-end: A/R by component (fct_ar_snapshots: insurance, secondary, patient; credit balances
--     apart, never netted) and the part of each aged over 90 days.
-- Ratios (trailing windows are this month and the 11 or 2 before it, per payer):
--   net_collection_rate_12m/_3m   = total cash / expected allowed                  [MGMA adjusted FFS %]
--   gross_collection_rate_12m/_3m = total cash / gross charges                     [MGMA gross FFS %]
--   cohort_net_collection_rate    = cohort_cash / expected_allowed (service-month cohort, run-out to date)
--   cash_pct_npsr_3m              = total cash / NPSR, NPSR = expected allowed - charity  [HFMA MAP]
--   denial_write_off_pct_npsr_3m  = denial write-offs / NPSR                      [HFMA MAP]
--   bad_debt_pct_gross_3m, charity_pct_gross_3m = write-offs / gross charges      [HFMA MAP]
--   pos_collection_rate           = pos_collected / patient_responsibility (service month)
--   days_in_total_ar              = (insurance + secondary + patient A/R) / average daily gross charges of the
--                                   trailing 3 months; days_in_insurance_ar, days_in_secondary_ar,
--                                   days_in_patient_ar and credit_balance_days likewise     [HFMA MAP]
--   days_in_ar_net                = HFMA net days: net insurance A/R / average daily expected allowed
--   ar_over_90_pct_*              = balance aged over 90 days / balance, per component
-- where total cash = insurance_cash + recoupments + patient_cash (interest and forward balances are in
-- kpi_deposits_monthly: interest is not payment for services, a forward balance only moves money in time).
{%- set write_off_as_of %}
    (select max(d) from (
        select max(last_adjudication_date) as d from {{ ref('fct_claim_chains') }}
        union all
        select max(last_primary_submission_date) from {{ ref('fct_claim_chains') }}
    ) as latest)
{%- endset %}
with billed_chains as (
    -- the chains that were billed and not voided, at their expected allowed (the charge when nothing prices it)
    select
        chains.*,
        coalesce(
            {{ expected_allowed('chains', 'ratio.allowed_to_charge') }}, chains.total_charge_amount
        ) as expected_allowed
    from {{ ref('fct_claim_chains') }} as chains
    left join {{ ref('int_payer_allowed_ratio') }} as ratio on ratio.payer_id = chains.priced_payer_id
    where chains.is_billed
),

patient_rows as (
    select
        payments.*,
        coalesce(payments.payer_id, 'unknown') as chain_payer_id,
        date_trunc('month', payments.payment_date)::date as month
    from {{ ref('fct_patient_payments') }} as payments
),

remits as (
    select remits.*, coalesce(chain_payer.payer_id, remits.payer_id, 'unknown') as chain_payer_id
    from {{ ref('int_remit_claims_classified') }} as remits
    left join {{ ref('fct_claim_chains') }} as chain_payer on chain_payer.chain_id = remits.chain_id
),

posted as (
    select
        date_trunc('month', remit_date)::date as month,
        chain_payer_id as payer_id,
        sum(paid_amount) as insurance_cash,
        sum(contractual_adjustment_amount) as contractual_adjustments
    from remits
    group by 1, 2
),

recouped as (
    select
        date_trunc('month', payment_date)::date as month,
        coalesce(payer_id, 'unknown') as payer_id,
        sum(recoupment_amount) as recoupments
    from {{ ref('fct_remit_payments') }}
    group by 1, 2
),

patient_posted as (
    select
        month,
        chain_payer_id as payer_id,
        sum(case when is_cash then amount else 0 end) as patient_cash,
        sum(case when adjustment_type = 'bad_debt' then amount else 0 end) as bad_debt,
        sum(case when adjustment_type = 'charity' then amount else 0 end) as charity,
        sum(case when adjustment_type = 'small_balance' then amount else 0 end) as small_balance
    from patient_rows
    group by 1, 2
),

written_off as (
    -- the write-off rule (macros/writeoff.sql), read at the latest date in the data as fct_denials reads it
    select
        date_trunc('month', {{ denial_write_off_date('last_adjudication_date') }})::date as month,
        payer_id,
        sum(current_provider_liable_denied_amount) as denial_write_offs
    from {{ ref('fct_claim_chains') }}
    where not is_voided
        and not is_last_primary_answer_reversal
        and current_provider_liable_denied_amount > 0
        and last_primary_submission_date <= last_adjudication_date
        and {{ denial_written_off('last_adjudication_date', write_off_as_of) }}
    group by 1, 2
),

served_patient as (
    -- patient money on the served chains, by the chain's month of service (fct_patient_payments keeps the
    -- chain's date and whether it was billed with each payment: no join back to ten million chains)
    select
        date_trunc('month', chain_first_service_date)::date as month,
        payer_id,
        sum(case when is_cash then amount else 0 end) as patient_cash,
        sum(
            case
                when adjustment_type = 'payment' and payment_date <= chain_first_service_date then amount
                else 0
            end
        ) as pos_collected
    from {{ ref('fct_patient_payments') }}
    where is_billed_chain
    group by 1, 2
),

served_chains as (
    select
        date_trunc('month', first_service_date)::date as month,
        payer_id,
        count(*) as claims_billed,
        sum(total_charge_amount) as gross_charges,
        sum(expected_allowed) as expected_allowed,
        sum(patient_responsibility_amount) as patient_responsibility,
        sum(total_paid_amount) as insurance_paid
    from billed_chains
    group by 1, 2
),

served as (
    select
        served_chains.month,
        served_chains.payer_id,
        served_chains.claims_billed,
        served_chains.gross_charges,
        served_chains.expected_allowed,
        served_chains.patient_responsibility,
        coalesce(served_patient.pos_collected, 0) as pos_collected,
        served_chains.insurance_paid + coalesce(served_patient.patient_cash, 0) as cohort_cash
    from served_chains
    left join served_patient
        on served_patient.month = served_chains.month and served_patient.payer_id = served_chains.payer_id
),

turnaround as (
    select
        date_trunc('month', first_adjudication_date)::date as month,
        payer_id,
        median({{ days_between("first_submission_date", "first_adjudication_date") }}) as median_days_to_pay,
        count(*) as claims_first_adjudicated
    from {{ ref('fct_claim_chains') }}
    where is_adjudicated and has_submission
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

ar as (
    select
        date_trunc('month', as_of_date)::date as month,
        payer_id,
        sum(open_balance) as ar_insurance,
        sum(secondary_balance) as ar_secondary,
        sum(patient_balance) as ar_patient,
        sum(credit_balance) as ar_credit,
        sum(net_open_balance) as ar_insurance_net,
        sum(case when age_days > 90 then open_balance else 0 end) as ar_insurance_over_90,
        sum(case when age_days > 90 then secondary_balance else 0 end) as ar_secondary_over_90,
        sum(case when age_days > 90 then patient_balance else 0 end) as ar_patient_over_90
    from {{ ref('fct_ar_snapshots') }}
    group by 1, 2
),

months as (
    select month, payer_id from posted
    union
    select month, payer_id from recouped
    union
    select month, payer_id from patient_posted
    union
    select month, payer_id from written_off
    union
    select month, payer_id from served
    union
    select month, payer_id from ar
),

joined as (
    select
        months.month,
        months.payer_id,
        coalesce(served.claims_billed, 0) as claims_billed,
        coalesce(served.gross_charges, 0) as gross_charges,
        coalesce(served.expected_allowed, 0) as expected_allowed,
        coalesce(served.patient_responsibility, 0) as patient_responsibility,
        coalesce(served.pos_collected, 0) as pos_collected,
        coalesce(served.cohort_cash, 0) as cohort_cash,
        coalesce(posted.insurance_cash, 0) as insurance_cash,
        coalesce(posted.contractual_adjustments, 0) as contractual_adjustments,
        coalesce(recouped.recoupments, 0) as recoupments,
        coalesce(patient_posted.patient_cash, 0) as patient_cash,
        coalesce(patient_posted.bad_debt, 0) as bad_debt,
        coalesce(patient_posted.charity, 0) as charity,
        coalesce(patient_posted.small_balance, 0) as small_balance,
        coalesce(written_off.denial_write_offs, 0) as denial_write_offs,
        coalesce(ar.ar_insurance, 0) as ar_insurance,
        coalesce(ar.ar_secondary, 0) as ar_secondary,
        coalesce(ar.ar_patient, 0) as ar_patient,
        coalesce(ar.ar_credit, 0) as ar_credit,
        coalesce(ar.ar_insurance_net, 0) as ar_insurance_net,
        coalesce(ar.ar_insurance_over_90, 0) as ar_insurance_over_90,
        coalesce(ar.ar_secondary_over_90, 0) as ar_secondary_over_90,
        coalesce(ar.ar_patient_over_90, 0) as ar_patient_over_90,
        coalesce(underpayments.contract_expected_allowed, 0) as contract_expected_allowed,
        coalesce(underpayments.underpaid_amount, 0) as underpaid_amount,
        coalesce(underpayments.underpaid_lines, 0) as underpaid_lines,
        turnaround.median_days_to_pay,
        coalesce(turnaround.claims_first_adjudicated, 0) as claims_first_adjudicated
    from months
    left join served on served.month = months.month and served.payer_id = months.payer_id
    left join posted on posted.month = months.month and posted.payer_id = months.payer_id
    left join recouped on recouped.month = months.month and recouped.payer_id = months.payer_id
    left join patient_posted on patient_posted.month = months.month and patient_posted.payer_id = months.payer_id
    left join written_off on written_off.month = months.month and written_off.payer_id = months.payer_id
    left join ar on ar.month = months.month and ar.payer_id = months.payer_id
    left join turnaround on turnaround.month = months.month and turnaround.payer_id = months.payer_id
    left join underpayments on underpayments.month = months.month and underpayments.payer_id = months.payer_id
),

turnaround_all as (
    select
        date_trunc('month', first_adjudication_date)::date as month,
        median({{ days_between("first_submission_date", "first_adjudication_date") }}) as median_days_to_pay
    from {{ ref('fct_claim_chains') }}
    where is_adjudicated and has_submission
    group by 1
),

{%- set additive = ['claims_billed', 'gross_charges', 'expected_allowed', 'patient_responsibility', 'pos_collected',
    'cohort_cash', 'insurance_cash', 'contractual_adjustments', 'recoupments', 'patient_cash', 'bad_debt', 'charity',
    'small_balance', 'denial_write_offs', 'ar_insurance', 'ar_secondary', 'ar_patient', 'ar_credit', 'ar_insurance_net',
    'ar_insurance_over_90', 'ar_secondary_over_90', 'ar_patient_over_90', 'contract_expected_allowed',
    'underpaid_amount', 'underpaid_lines', 'claims_first_adjudicated'] %}
whole_book as (
    select
        joined.month,
        '(all)' as payer_id,
        {%- for col in additive %}
        sum(joined.{{ col }}) as {{ col }},
        {%- endfor %}
        max(turnaround_all.median_days_to_pay) as median_days_to_pay
    from joined
    left join turnaround_all on turnaround_all.month = joined.month
    group by joined.month
),

both_scopes as (
    select 'payer' as scope, {% for col in additive %}{{ col }}, {% endfor %}month, payer_id, median_days_to_pay
    from joined
    union all
    select 'all' as scope, {% for col in additive %}{{ col }}, {% endfor %}month, payer_id, median_days_to_pay
    from whole_book
),

with_cash as (
    select *, insurance_cash + recoupments + patient_cash as total_cash_collected
    from both_scopes
),

{%- set windows = {'12m': 11, '3m': 2} %}
windowed as (
    select
        *,
        {%- for name, back in windows.items() %}
        {%- for col in ['total_cash_collected', 'gross_charges', 'expected_allowed', 'charity', 'bad_debt', 'denial_write_offs'] %}
        -- sqlfluff's DuckDB grammar has no RANGE frame with an interval offset (DuckDB and Spark run it)
        sum({{ col }}) over (
            partition by payer_id order by month range between interval {{ back }} month preceding and current row  -- noqa: PRS
        ) as {{ col }}_{{ name }},
        {%- endfor %}
        {%- endfor %}
        {{ days_between("month - interval 2 month", "month + interval 1 month") }} as days_trailing_3m
    from with_cash
),

final as (
    select
        ----------  keys
        month,
        scope,
        payer_id,
        ----------  by month of service
        claims_billed,
        gross_charges::decimal(18, 2) as gross_charges,
        expected_allowed::decimal(18, 2) as expected_allowed,
        patient_responsibility::decimal(18, 2) as patient_responsibility,
        pos_collected::decimal(18, 2) as pos_collected,
        cohort_cash::decimal(18, 2) as cohort_cash,
        ----------  posted in the month
        insurance_cash::decimal(18, 2) as insurance_cash,
        recoupments::decimal(18, 2) as recoupments,
        patient_cash::decimal(18, 2) as patient_cash,
        total_cash_collected::decimal(18, 2) as total_cash_collected,
        contractual_adjustments::decimal(18, 2) as contractual_adjustments,
        bad_debt::decimal(18, 2) as bad_debt,
        charity::decimal(18, 2) as charity,
        small_balance::decimal(18, 2) as small_balance,
        denial_write_offs::decimal(18, 2) as denial_write_offs,
        ----------  at the month-end
        ar_insurance::decimal(18, 2) as ar_insurance,
        ar_secondary::decimal(18, 2) as ar_secondary,
        ar_patient::decimal(18, 2) as ar_patient,
        (ar_insurance + ar_secondary + ar_patient)::decimal(18, 2) as ar_total,
        ar_credit::decimal(18, 2) as ar_credit,
        ar_insurance_net::decimal(18, 2) as ar_insurance_net,
        ----------  trailing sums (additive across payers)
        gross_charges_3m::decimal(18, 2) as charges_trailing_3m,
        expected_allowed_3m::decimal(18, 2) as expected_allowed_trailing_3m,
        days_trailing_3m,
        ----------  ratios
        total_cash_collected_12m / nullif(expected_allowed_12m, 0) as net_collection_rate_12m,
        total_cash_collected_3m / nullif(expected_allowed_3m, 0) as net_collection_rate_3m,
        total_cash_collected_12m / nullif(gross_charges_12m, 0) as gross_collection_rate_12m,
        total_cash_collected_3m / nullif(gross_charges_3m, 0) as gross_collection_rate_3m,
        cohort_cash / nullif(expected_allowed, 0) as cohort_net_collection_rate,
        total_cash_collected_3m / nullif(expected_allowed_3m - charity_3m, 0) as cash_pct_npsr_3m,
        denial_write_offs_3m / nullif(expected_allowed_3m - charity_3m, 0) as denial_write_off_pct_npsr_3m,
        bad_debt_3m / nullif(gross_charges_3m, 0) as bad_debt_pct_gross_3m,
        charity_3m / nullif(gross_charges_3m, 0) as charity_pct_gross_3m,
        pos_collected / nullif(patient_responsibility, 0) as pos_collection_rate,
        (ar_insurance + ar_secondary + ar_patient) * days_trailing_3m / nullif(gross_charges_3m, 0) as days_in_total_ar,
        ar_insurance * days_trailing_3m / nullif(gross_charges_3m, 0) as days_in_insurance_ar,
        ar_secondary * days_trailing_3m / nullif(gross_charges_3m, 0) as days_in_secondary_ar,
        ar_patient * days_trailing_3m / nullif(gross_charges_3m, 0) as days_in_patient_ar,
        ar_credit * days_trailing_3m / nullif(gross_charges_3m, 0) as credit_balance_days,
        ar_insurance_net * days_trailing_3m / nullif(expected_allowed_3m, 0) as days_in_ar_net,
        ar_insurance_over_90 / nullif(ar_insurance, 0) as ar_over_90_pct_insurance,
        ar_secondary_over_90 / nullif(ar_secondary, 0) as ar_over_90_pct_secondary,
        ar_patient_over_90 / nullif(ar_patient, 0) as ar_over_90_pct_patient,
        ----------  payer performance
        claims_first_adjudicated,
        median_days_to_pay,
        underpaid_lines::bigint as underpaid_lines,
        underpaid_amount::decimal(18, 2) as underpaid_amount,
        underpaid_amount / nullif(contract_expected_allowed, 0) as underpayment_rate
    from windowed
)

select * from final
