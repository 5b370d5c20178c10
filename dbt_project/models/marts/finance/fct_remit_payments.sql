-- One row per 835 transaction set: the payer's payment (BPR02) against what the claims and provider-level
-- adjustments in it add up to.  X12 balancing: BPR02 = Σ CLP04 - Σ PLB (PLB amounts reduce the payment).
with payments as (
    select * from {{ ref('stg_x12__remit_payments') }}
),

claims as (
    select _source_file_id, st_index, sum(paid_amount) as claims_paid_amount, count(*) as claim_count
    from {{ ref('stg_x12__remit_claims') }}
    group by 1, 2
),

plb as (
    select _source_file_id, st_index, sum(adjustment_amount) as provider_adjustment_amount
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
        payments.payment_date,
        payments.total_paid_amount,
        coalesce(claims.claim_count, 0) as claim_count,
        coalesce(claims.claims_paid_amount, 0)::decimal(18, 2) as claims_paid_amount,
        coalesce(plb.provider_adjustment_amount, 0)::decimal(18, 2) as provider_adjustment_amount
    from payments
    left join claims on claims._source_file_id = payments._source_file_id and claims.st_index = payments.st_index
    left join plb on plb._source_file_id = payments._source_file_id and plb.st_index = payments.st_index
)

select * from final
