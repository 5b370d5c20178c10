-- Deposits reconciled, by month and the payer that paid (docs/metrics.md, "Deposits"): what the 835s say
-- reached the bank (Σ BPR02 by payment date), and the parts it is made of —
--   deposits = claim_cash + interest + forward_balance + recoupments
-- claim_cash is Σ CLP04 (reversals negative), interest PLB L6, forward_balance PLB FB carried (+) or taken
-- back (-), recoupments every other PLB (WO, 72, ...).  unbalanced_payments counts 835 transactions whose
-- BPR02 does not equal their parts (the parser reports them too): a practice's bank file should match
-- deposits, not claim cash.
with payments as (
    select * from {{ ref('fct_remit_payments') }}
),

final as (
    select
        date_trunc('month', payment_date)::date as month,
        coalesce(payer_id, 'unknown') as payer_id,
        count(*) as payments,
        sum(total_paid_amount)::decimal(18, 2) as deposits,
        sum(claims_paid_amount)::decimal(18, 2) as claim_cash,
        sum(interest_amount)::decimal(18, 2) as interest,
        sum(forward_balance_amount)::decimal(18, 2) as forward_balance,
        sum(recoupment_amount)::decimal(18, 2) as recoupments,
        sum(
            case
                when total_paid_amount <> claims_paid_amount + interest_amount + forward_balance_amount
                    + recoupment_amount then 1
                else 0
            end
        )::bigint as unbalanced_payments
    from payments
    group by 1, 2
)

select * from final
