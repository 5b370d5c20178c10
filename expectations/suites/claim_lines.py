import great_expectations as gx

TABLE = "claim_lines"


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=TABLE)
    e = gx.expectations
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="claim_key"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="charge_amount"))
    suite.add_expectation(e.ExpectColumnValuesToBeBetween(column="charge_amount", min_value=0))
    suite.add_expectation(e.ExpectColumnValuesToBeBetween(column="units", min_value=0, mostly=1.0))
    return suite
