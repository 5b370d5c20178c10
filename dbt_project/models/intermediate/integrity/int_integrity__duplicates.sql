-- Findings view of int_integrity__duplicate_lines: one finding per later copy (docs/integrity.md); copies
-- with an exempt_reason (a follow-up re-send of an unanswered claim) are listed there, not flagged.
select
    case when is_exact then 'duplicate_exact' else 'duplicate_near' end as rule_id,
    provider_npi,
    claim_id,
    line_number,
    service_date,
    charge_amount as dollars_at_stake,
    charge_amount::double as measured_value,
    original_charge_amount::double as peer_statistic,
    procedure_code || ' line ' || line_number || ' repeats claim ' || original_claim_id || ' line '
        || original_line_number || ' (same patient, provider, code, modifiers and date)'
        || case
            when is_exact then ''
            else '; charge ' || charge_amount || ' vs ' || original_charge_amount || ', units ' || units || ' vs '
                || original_units
        end as evidence,
    {{ list_distinct_sorted(list_of('original_claim_id', 'claim_id')) }} as evidence_claim_ids
from {{ ref('int_integrity__duplicate_lines') }}
where exempt_reason is null
