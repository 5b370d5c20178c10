-- One row per 835 transaction set: the payer's payment (BPR02, what reaches the bank) against what the claims
-- and provider-level adjustments in it add up to (docs/metrics.md, "Deposits").  X12 balancing:
-- BPR02 = Σ CLP04 - Σ PLB, a PLB amount reducing the payment.  The PLB is split by what it is:
--   interest_amount        = -Σ PLB L6 (interest the payer owed for paying late: it adds to the deposit);
--   forward_balance_amount = -Σ PLB FB (a shortfall carried to a later payment, negative PLB, then taken
--                            back from one, positive PLB: timing, nets to zero once recovered);
--   recoupment_amount      = -Σ every other PLB (WO overpayment recovery, 72 authorized return, J1, CS, ...:
--                            money taken back that no claim line in this payment shows).
-- so that total_paid_amount = claims_paid_amount + interest_amount + forward_balance_amount + recoupment_amount.
with payments as (
    select * from {{ ref('stg_x12__remit_payments') }}
),

claims as (
    select _source_file_id, st_index, sum(paid_amount) as claims_paid_amount, count(*) as claim_count
    from {{ ref('stg_x12__remit_claims') }}
    group by 1, 2
),

plb as (
    select
        _source_file_id,
        st_index,
        sum(adjustment_amount) as provider_adjustment_amount,
        -sum(case when reason_code = 'L6' then adjustment_amount else 0 end) as interest_amount,
        -sum(case when reason_code = 'FB' then adjustment_amount else 0 end) as forward_balance_amount,
        -sum(case when reason_code not in ('L6', 'FB') or reason_code is null then adjustment_amount else 0 end)
            as recoupment_amount
    from {{ ref('stg_x12__remit_provider_adjustments') }}
    group by 1, 2
),

final as (
    select
        payments._source_file_id || ':' || payments.st_index as remit_payment_id,
        payments._source_file_id,
        payments.st02,
        payments.trace_number,
        payments.payer_id,
        payments.payer_name,
        payments.payee_npi,
        payments.payment_method,
        -- BPR16, the check or EFT date; the production date (DTM*405) when a file leaves it out
        coalesce(payments.payment_date, payments.production_date) as payment_date,
        payments.total_paid_amount,
        coalesce(claims.claim_count, 0) as claim_count,
        coalesce(claims.claims_paid_amount, 0)::decimal(18, 2) as claims_paid_amount,
        coalesce(plb.provider_adjustment_amount, 0)::decimal(18, 2) as provider_adjustment_amount,
        coalesce(plb.interest_amount, 0)::decimal(18, 2) as interest_amount,
        coalesce(plb.forward_balance_amount, 0)::decimal(18, 2) as forward_balance_amount,
        coalesce(plb.recoupment_amount, 0)::decimal(18, 2) as recoupment_amount
    from payments
    left join claims on claims._source_file_id = payments._source_file_id and claims.st_index = payments.st_index
    left join plb on plb._source_file_id = payments._source_file_id and plb.st_index = payments.st_index
)

select * from final
