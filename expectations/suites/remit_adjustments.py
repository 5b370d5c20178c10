import great_expectations as gx

from pipelines.x12.codes import CAS_GROUP_CODES

TABLE = "remit_adjustments"


def build_suite() -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=TABLE)
    e = gx.expectations
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(column="group_code", value_set=sorted(CAS_GROUP_CODES))
    )
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="reason_code"))
    suite.add_expectation(e.ExpectColumnValuesToNotBeNull(column="amount"))
    suite.add_expectation(
        e.ExpectColumnValuesToBeInSet(column="adjustment_level", value_set=["claim", "line"])
    )
    return suite
