"""The revenue-cycle marts against a generated world's truth, KPI by KPI.

The generator's truth (pipelines/generate/truth.py) is summed from the simulated events and money; this
module reads the marts the way a page does and lines the two up by key.  A KPI agrees when every key has
the same counts and cents on both sides (a key missing on one side counts as zeros there); ratios are
recomputed from the truth's own parts with the documented formula and must agree to 1e-9.  Used by the
end-to-end tests (two seeds, two profiles) and by `benchmarks/kpi_eval.py`, which prints the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse.read import query

CENT = 0.005
# Spark divides decimals to six decimal places (DuckDB in double precision): a ratio or a day count agrees
# to 1e-6 on both engines, far below the 0.01 % a dashboard shows
RATIO = 1e-6


@dataclass
class KpiCheck:
    kpi: str
    keys: int  # keys on either side
    truth_total: float  # Σ of the first compared column in the truth (a scale for the reader)
    mart_total: float
    mismatched: int  # keys where any compared column differs beyond tolerance
    example: dict | None  # one mismatching key, for the failure message (ids and amounts only: synthetic)

    @property
    def ok(self) -> bool:
        return self.mismatched == 0


def _compare(kpi: str, truth: pl.DataFrame, mart: pl.DataFrame, keys: list[str], cols: list[str],
             tol: float = CENT) -> KpiCheck:  # fmt: skip
    t = truth.select(*keys, *(pl.col(c).cast(pl.Float64).alias(f"t_{c}") for c in cols))
    m = mart.select(*keys, *(pl.col(c).cast(pl.Float64).alias(f"m_{c}") for c in cols))
    j = t.join(m, on=keys, how="full", coalesce=True)
    j = j.with_columns(pl.col(pl.Float64).fill_nan(None)).fill_null(
        0.0
    )  # an undefined ratio is 0 on both sides
    bad = pl.any_horizontal([(pl.col(f"t_{c}") - pl.col(f"m_{c}")).abs() > tol for c in cols])
    wrong = j.filter(bad)
    return KpiCheck(kpi, j.height, float(j[f"t_{cols[0]}"].sum()), float(j[f"m_{cols[0]}"].sum()), wrong.height,
                    wrong.row(0, named=True) if wrong.height else None)  # fmt: skip


def _trailing(df: pl.DataFrame, cols: list[str], months: int) -> pl.DataFrame:
    """Per payer, each month's sum of `cols` over it and the months-1 before it (calendar months)."""
    df = df.with_columns(pl.col("month").str.to_date("%Y-%m"))
    out = []
    for payer, grp in df.group_by("payer_id"):
        grp = grp.sort("month")
        rows = grp.to_dicts()
        for r in rows:
            lo = r["month"].year * 12 + r["month"].month - months
            hi = r["month"].year * 12 + r["month"].month
            window = [x for x in rows if lo < x["month"].year * 12 + x["month"].month <= hi]
            out.append({"payer_id": payer[0], "month": r["month"].strftime("%Y-%m"),
                        **{f"{c}_{months}m": sum(x[c] for x in window) for c in cols}})  # fmt: skip
    return pl.DataFrame(out)


def evaluate(world: Path, settings: Settings) -> list[KpiCheck]:
    truth = world / "truth"
    checks = []

    def q(sql: str, params: list | None = None) -> pl.DataFrame:
        return query(sql, params, settings=settings)

    den = pl.read_csv(truth / "denial_rate_monthly.csv")
    mart = q("""select dimension_value as payer_id, strftime(month, '%Y-%m') as month,
                       claims_adjudicated as adjudicated_claims, claims_initially_denied as initially_denied_claims,
                       claims_duplicate_denied as duplicate_denied_claims
                from kpi_denial_rate_monthly where dimension = 'payer'""")
    checks.append(_compare("initial denials (payer x month)", den, mart, ["payer_id", "month"],
                           ["adjudicated_claims", "initially_denied_claims"], tol=0))  # fmt: skip
    checks.append(_compare("duplicate denials, CARC 18 (payer x month)", den, mart, ["payer_id", "month"],
                           ["duplicate_denied_claims"], tol=0))  # fmt: skip

    fe = pl.read_csv(truth / "front_end_monthly.csv").with_columns(
        (pl.col("claims_accepted_first_pass") / pl.col("claims_with_verdict")).alias("clean_claim_rate"),
        (pl.col("claims_first_pass_paid") / pl.col("claims_with_first_answer")).alias("first_pass_yield"),
    )
    mart = q("""select dimension_value as payer_id, strftime(month, '%Y-%m') as month, * exclude (month)
                from kpi_front_end_monthly where dimension = 'payer'""")  # fmt: skip
    checks.append(_compare("front end: 999 and 277CA verdicts on first claims (payer x month)", fe, mart,
                           ["payer_id", "month"], ["claims_submitted", "claims_with_verdict",
                           "claims_accepted_first_pass", "claims_rejected_999", "claims_rejected_277ca"], tol=0))  # fmt: skip
    checks.append(_compare("clean-claim rate and first-pass yield (payer x month)", fe, mart, ["payer_id", "month"],
                           ["claims_with_first_answer", "claims_first_pass_paid", "clean_claim_rate",
                            "first_pass_yield"], tol=RATIO))  # fmt: skip

    # the denials work queue: the open provider-liable denials, with the appeal deadline the payer policy gives
    days = {"denial_date": "denial_day", "appeal_deadline": "deadline_day"}
    od = pl.read_csv(truth / "open_denials.csv", schema_overrides={"claim_id": pl.String}).with_columns(
        pl.col(c).str.to_date().cast(pl.Int32).alias(d) for c, d in days.items()
    )
    mart = q(
        "select chain_id as claim_id, denial_date, appeal_deadline, denied_amount from wq_denials"
    ).with_columns(pl.col(c).cast(pl.Int32).alias(d) for c, d in days.items())
    checks.append(_compare("denials work queue: open denials, amounts and appeal deadlines", od, mart, ["claim_id"],
                           ["denied_amount", "denial_day", "deadline_day"]))  # fmt: skip

    # the pre-bill scrubber: every coding error the generator put into an unbilled encounter, and nothing else
    keys = ["encounter_id", "line_number", "edit"]
    ce = pl.read_csv(truth / "coding_errors.csv", schema_overrides={"encounter_id": pl.String}).with_columns(
        pl.lit(1).alias("found")
    )
    mart = q(
        "select encounter_id, line_number, edit, 1 as found from wq_prebill_edits"
        " where severity = 'error' and source = 'encounter'"
    )
    checks.append(_compare("pre-bill edits: injected coding errors by encounter line and edit", ce, mart, keys,
                           ["found"], tol=0))  # fmt: skip

    st = pl.read_csv(truth / "denials.csv")
    mart = q("select payer_id, denial_status, count(*) as claims from fct_denials group by all")
    checks.append(_compare("denial status: overturned / written off / pending", st, mart,
                           ["payer_id", "denial_status"], ["claims"], tol=0))  # fmt: skip

    ar = pl.read_csv(truth / "ar_aging.csv")
    as_of = ar["as_of_date"][0]
    mart = q("""select payer_id, aging_bucket, sum(open_balance) as open_balance,
                       sum(secondary_balance) as secondary_balance, sum(patient_balance) as patient_balance,
                       sum(credit_balance) as credit_balance
                from fct_ar_snapshots where as_of_date = ? group by all""", [as_of])  # fmt: skip
    for col, label in [("open_balance", "insurance"), ("secondary_balance", "secondary"),
                       ("patient_balance", "patient"), ("credit_balance", "credit balances")]:  # fmt: skip
        checks.append(_compare(f"A/R {label} (payer x aging bucket, {as_of})", ar, mart,
                               ["payer_id", "aging_bucket"], [col]))  # fmt: skip

    dep = pl.read_csv(truth / "deposits_monthly.csv")
    mart = q(
        "select payer_id, strftime(month, '%Y-%m') as month, * exclude (payer_id, month) from kpi_deposits_monthly"
    )
    checks.append(_compare("deposits = claim cash + interest + forward balance + recoupments", dep, mart,
                           ["payer_id", "month"], ["deposits", "claim_cash", "interest", "forward_balance",
                                                   "recoupments", "payments"]))  # fmt: skip

    col = pl.read_csv(truth / "collections_monthly.csv")
    mart = q("""select payer_id, strftime(month, '%Y-%m') as month, * exclude (payer_id, month)
                from kpi_collections_monthly where scope = 'payer'""")
    mart = mart.rename({"patient_cash": "patient_cash", "gross_charges": "gross_charges"})
    for label, cols in [
        (
            "charges and expected allowed (service month)",
            ["claims_billed", "gross_charges", "expected_allowed"],
        ),
        ("insurance cash, all payers (posting month)", ["insurance_cash"]),
        ("recoupments, PLB WO (payment month)", ["recoupments"]),
        ("patient cash (payments and refunds)", ["patient_cash"]),
        ("bad debt / charity / small balances", ["bad_debt", "charity", "small_balance"]),
        (
            "point-of-service collections / patient responsibility",
            ["pos_collected", "patient_responsibility"],
        ),
        ("service-month cohort cash (run-out to date)", ["cohort_cash"]),
        ("denial write-offs (write-off month)", ["denial_write_offs"]),
    ]:
        checks.append(_compare(label, col, mart, ["payer_id", "month"], cols))

    # ratios from the truth's own parts, with the documented formulas
    t = col.with_columns(
        (pl.col("insurance_cash") + pl.col("recoupments") + pl.col("patient_cash")).alias("cash")
    )
    parts = ["cash", "gross_charges", "expected_allowed", "charity", "denial_write_offs", "bad_debt"]
    t12, t3 = _trailing(t, parts, 12), _trailing(t, parts, 3)
    tr = t12.join(t3, on=["payer_id", "month"]).with_columns(
        (pl.col("cash_12m") / pl.col("expected_allowed_12m")).alias("net_collection_rate_12m"),
        (pl.col("cash_3m") / pl.col("expected_allowed_3m")).alias("net_collection_rate_3m"),
        (pl.col("cash_12m") / pl.col("gross_charges_12m")).alias("gross_collection_rate_12m"),
        (pl.col("cash_3m") / (pl.col("expected_allowed_3m") - pl.col("charity_3m"))).alias(
            "cash_pct_npsr_3m"
        ),
        (pl.col("denial_write_offs_3m") / (pl.col("expected_allowed_3m") - pl.col("charity_3m"))).alias(
            "denial_write_off_pct_npsr_3m"
        ),
        (pl.col("bad_debt_3m") / pl.col("gross_charges_3m")).alias("bad_debt_pct_gross_3m"),
    )
    ratios = ["net_collection_rate_12m", "net_collection_rate_3m", "gross_collection_rate_12m", "cash_pct_npsr_3m",
              "denial_write_off_pct_npsr_3m", "bad_debt_pct_gross_3m"]  # fmt: skip
    tr = tr.with_columns(pl.col(r).fill_nan(None) for r in ratios)
    checks.append(_compare("NCR / GCR / cash % NPSR / write-off % NPSR / bad debt % (trailing)", tr,
                           mart, ["payer_id", "month"], ratios, tol=RATIO))  # fmt: skip

    # days in total A/R at the last month-end: the A/R truth over the truth's average daily charges
    last = as_of[:7]
    ar_tot = ar.group_by("payer_id").agg(
        (pl.col("open_balance") + pl.col("secondary_balance") + pl.col("patient_balance")).sum().alias("ar"),
        pl.col("credit_balance").sum().alias("credit"),
    )
    days3 = mart.filter(pl.col("month") == last).select("payer_id", "days_trailing_3m")
    d = (t3.filter(pl.col("month") == last).join(ar_tot, on="payer_id", how="full", coalesce=True)
         .join(days3, on="payer_id").fill_null(0)
         .with_columns((pl.col("ar") / (pl.col("gross_charges_3m") / pl.col("days_trailing_3m"))).alias("days_in_total_ar"),
                       (pl.col("credit") / (pl.col("gross_charges_3m") / pl.col("days_trailing_3m"))).alias("credit_balance_days"))
         .with_columns(pl.lit(last).alias("month")))  # fmt: skip
    checks.append(_compare(f"days in total A/R and credit-balance days ({last})", d,
                           mart.filter(pl.col("month") == last), ["payer_id", "month"],
                           ["days_in_total_ar", "credit_balance_days"], tol=RATIO))  # fmt: skip
    return checks


def format_table(checks: list[KpiCheck]) -> str:
    lines = ["| KPI | keys | truth Σ | mart Σ | mismatched keys |", "|---|---:|---:|---:|---:|"]
    for c in checks:
        lines.append(f"| {c.kpi} | {c.keys} | {c.truth_total:,.2f} | {c.mart_total:,.2f} | {c.mismatched} |")
    return "\n".join(lines)
