import great_expectations as gx

TABLE = "encounters"


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=TABLE)
    e = gx.expectations
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="encounter_id"))
    suite.add_expectation(e.ExpectCompoundColumnsToBeUnique(column_list=["encounter_id", "line_number"]))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="service_date"))
    suite.add_expectation(e.ExpectColumnValuesToBeBetween(column="charge_amount", min_value=0))
    suite.add_expectation(e.ExpectColumnValuesToBeBetween(column="units", min_value=0))
    suite.add_expectation(e.ExpectColumnValueLengthsToEqual(column="rendering_npi", value=10))
    return suite
