{{ config(materialized='view') }}
-- Expected allowed per chain (docs/metrics.md net A/R, §1.11): the contract-priced lines of the chain's latest
-- 837 (int_chain_contract_prices), plus its lines without a contract rate at charge x the payer's observed
-- allowed-to-charge ratio (int_payer_allowed_ratio; 1 when the payer has none yet, i.e. net = gross).
select
    prices.chain_id,
    prices.line_charge_amount,
    {{ expected_allowed('prices', 'ratio.allowed_to_charge') }} as expected_allowed,
    prices.is_fully_contracted
from {{ ref('int_chain_contract_prices') }} as prices
left join {{ ref('int_payer_allowed_ratio') }} as ratio on ratio.payer_id = prices.priced_payer_id
