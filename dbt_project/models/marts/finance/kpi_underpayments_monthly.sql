-- Underpayments against contract (fct_underpayments, docs/metrics.md) summed per remit month x payer x
-- rendering provider x location x procedure code: every part is additive, so any selection of rows sums
-- to the same figures as the lines themselves.
select
    cast(date_trunc('month', remit_date) as date) as month,
    payer_id,
    rendering_npi,
    location_id,
    procedure_code,
    count(*) as priced_lines,
    count(case when is_underpaid then 1 end) as underpaid_lines,
    cast(coalesce(sum(case when is_underpaid then variance end), 0) as decimal(18, 2)) as underpaid_amount,
    cast(sum(expected_allowed) as decimal(18, 2)) as expected_allowed
from {{ ref('fct_underpayments') }}
group by 1, 2, 3, 4, 5
