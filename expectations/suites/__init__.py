"""One module per published table; each exposes ``build_suite() -> gx.ExpectationSuite``.

The suite name equals the raw table name (and thereby the dbt source table) it guards.
"""

from expectations.suites import (
    claim_lines,
    claims,
    encounters,
    patient_payments,
    remit_adjustments,
    remit_claims,
    remit_lines,
)

SUITES = {
    m.TABLE: m.build_suite
    for m in (claims, claim_lines, remit_claims, remit_lines, remit_adjustments, encounters, patient_payments)
}
