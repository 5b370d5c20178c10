import great_expectations as gx

TABLE = "remit_lines"


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=TABLE)
    e = gx.expectations
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="remit_claim_key"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="charge_amount"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="paid_amount"))
    return suite
