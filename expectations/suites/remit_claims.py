import great_expectations as gx

from pipelines.x12.codes import CLP_STATUS_CODES

TABLE = "remit_claims"


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=TABLE)
    e = gx.expectations
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="claim_id"))
    suite.add_expectation(e.ExpectColumnValuesToBeUnique(column="remit_claim_key"))
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(column="status_code", value_set=sorted(CLP_STATUS_CODES))
    )
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="paid_amount"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="charge_amount"))
    return suite
