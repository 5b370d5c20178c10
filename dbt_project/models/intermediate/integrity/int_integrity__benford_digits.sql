-- First digits of the amounts the Benford rule tests (docs/integrity.md): the line charges each rendering
-- provider submits, >= $10 -- the amounts a provider controls.  What a payer decides (allowed amounts,
-- contractual adjustments) or a benefit plan fixes (a $25 copay is PR-3 on thousands of remits) says nothing
-- about the provider and is not read.  One row per provider, taxonomy and first digit.
select
    provider_npi,
    provider_taxonomy,
    cast(left(cast(floor(charge_amount) as bigint)::string, 1) as integer) as first_digit,
    count(*) as amounts,
    min(service_date) as period_start,
    max(service_date) as period_end
from {{ ref('int_integrity__counted_lines') }}
where charge_amount >= 10 and provider_npi is not null
group by all
