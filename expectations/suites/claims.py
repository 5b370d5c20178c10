import great_expectations as gx

from pipelines.x12.codes import FREQUENCY_CODES

TABLE = "claims"


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=TABLE)
    e = gx.expectations
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="claim_id"))
    suite.add_expectation(e.ExpectColumnValuesToBeUnique(column="claim_key"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="total_charge"))
    suite.add_expectation(e.ExpectColumnValuesToBeBetween(column="total_charge", min_value=0))
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(column="transaction_type", value_set=["837P", "837I"])
    )
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(column="frequency_code", value_set=sorted(FREQUENCY_CODES))
    )
    return suite
