import great_expectations as gx

TABLE = "patient_payments"


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=TABLE)
    e = gx.expectations
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="payment_id"))
    suite.add_expectation(e.ExpectColumnValuesToBeUnique(column="payment_id"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="patient_id"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="payment_date"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="amount"))
    # a single patient payment or refund beyond $100k is a keying error (cents typed as dollars), not cash
    suite.add_expectation(
        e.ExpectColumnValuesToBeBetween(column="amount", min_value=-100_000, max_value=100_000)
    )
    return suite
