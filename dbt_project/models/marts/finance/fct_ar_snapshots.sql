{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}
-- A/R by chain at every month-end (docs/metrics.md, "A/R"), one row per chain with any balance: the
-- components of int_ar_open_balances (definitions in its header: insurance, secondary, patient, credit), with
-- net_open_balance (HFMA net A/R, §1.5) = open_balance x the chain's expected-allowed-to-charge ratio
-- (contract price, else the payer's observed allowed-to-charge ratio, int_payer_allowed_ratio): what the payer
-- is expected to allow on the open amount, not the list price.  A view on DuckDB: the ratio moves with every
-- remit, the balances only with their own chain (incremental), so the ratio is applied when read.
select
    ----------  ids
    balances.chain_id,
    balances.as_of_date,
    ----------  dimensions
    balances.payer_id,
    balances.payer_name,
    balances.financial_class,
    balances.claim_type,
    balances.ar_status,
    balances.age_days,
    balances.aging_bucket,
    ----------  amounts
    balances.open_balance,
    balances.secondary_balance,
    balances.patient_balance,
    balances.credit_balance,
    {{ net_open_balance('balances.open_balance', expected_allowed('balances', 'ratio.allowed_to_charge'),
                        'balances.chain_line_charge_amount') }} as net_open_balance,
    ----------  dates
    balances.first_service_date,
    balances.first_submission_date,
    balances.latest_adjudication_date
from {{ ref('int_ar_open_balances') }} as balances
left join {{ ref('int_payer_allowed_ratio') }} as ratio on ratio.payer_id = balances.priced_payer_id
