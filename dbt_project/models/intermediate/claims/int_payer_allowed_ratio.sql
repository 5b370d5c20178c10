-- Each payer's observed allowed-to-charge ratio on paid, undenied primary lines: the expected allowed of a
-- line without a contract rate (int_chain_expected_allowed, fct_ar_snapshots net A/R).  One row per payer,
-- recomputed every build (it moves with every remit).
select
    payer_id,
    sum(actual_allowed_amount) / nullif(sum(charge_amount), 0) as allowed_to_charge
from {{ ref('int_remit_lines_classified') }}
where is_adjudication and is_primary_adjudication and not has_line_denial and paid_amount > 0
group by payer_id
