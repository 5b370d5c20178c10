"""Tabular extracts (CSV or Parquet) checked against their documented input contracts.

Two extracts come from the practice-management system beside the X12 files:

* **encounters** — one row per encounter service line (what was done, before it was billed);
* **patient payments** — one row per payment a patient made (or refund paid back), which the 835 cannot
  carry: it holds payer money and the patient's *assigned* share only (DOMAIN.md §0.4).

Rows that break a contract are rejected with a reason and go to quarantine; the rows that pass load.  A
file missing a required column is rejected whole, with the missing column named.  Both contracts are
documented in README.md ("Input contract").
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

from pipelines.x12.schemas import MONEY

_DTYPES = {"str": pl.String, "npi": pl.String, "int": pl.Int64, "float": pl.Float64, "money": MONEY,
           "date": pl.Date}  # fmt: skip


@dataclass(frozen=True)
class Extract:
    kind: str  # detect.py's kind and the published table's name
    noun: str  # what a row is, for messages ("encounter lines")
    finding_prefix: str  # parser finding codes: <prefix>_CONTRACT, <prefix>_ROW_REJECTED
    contract: dict[str, tuple[str, bool]]  # column -> (type, required)
    key: tuple[str, ...]  # unique within a file
    non_negative: tuple[str, ...] = ()
    signature: frozenset[str] = frozenset()  # header columns that identify the extract

    @property
    def required(self) -> list[str]:
        return [c for c, (_, req) in self.contract.items() if req]

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema(
            {
                "file_id": pl.String,
                "row_number": pl.Int64,
                **{c: _DTYPES[t] for c, (t, _) in self.contract.items()},
            }
        )

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)


ENCOUNTERS = Extract(
    kind="encounters",
    noun="encounter lines",
    finding_prefix="ENC",
    contract={
        "encounter_id": ("str", True),
        "line_number": ("int", True),
        "patient_id": ("str", True),
        "service_date": ("date", True),
        "rendering_npi": ("npi", True),
        "billing_npi": ("npi", False),
        "location_id": ("str", False),
        "payer_id": ("str", False),
        "place_of_service": ("str", False),
        "procedure_code": ("str", True),
        "modifiers": ("str", False),
        "units": ("float", True),
        "charge_amount": ("money", True),
        "diagnosis_codes": ("str", False),
        "claim_id": ("str", False),
    },
    key=("encounter_id", "line_number"),
    non_negative=("units", "charge_amount"),
    signature=frozenset({"encounter_id"}),
)

# A refund is a negative amount (money paid back to the patient, e.g. a credit balance after the payer paid
# more than expected).  claim_id is the claim's patient control number (837 CLM01), which is how a payment
# applies to a claim chain; encounter_id is the fallback for point-of-service payments taken before billing.
PATIENT_PAYMENTS = Extract(
    kind="patient_payments",
    noun="patient payments",
    finding_prefix="PAY",
    contract={
        "payment_id": ("str", True),
        "patient_id": ("str", True),
        "payment_date": ("date", True),
        "amount": ("money", True),
        "claim_id": ("str", False),
        "encounter_id": ("str", False),
        "method": ("str", False),
    },
    key=("payment_id",),
    signature=frozenset({"payment_id", "payment_date"}),
)

# most specific first: a payments extract may carry an encounter_id column too
EXTRACTS: dict[str, Extract] = {e.kind: e for e in (PATIENT_PAYMENTS, ENCOUNTERS)}


class ExtractFileError(ValueError):
    pass


@dataclass
class ExtractResult:
    accepted: pl.DataFrame
    rejected: pl.DataFrame  # raw string columns + row_number + reason


def extract_for_columns(columns: list[str]) -> Extract | None:
    """The extract a header belongs to, or None."""
    cols = {c.strip().lower() for c in columns}
    return next((e for e in EXTRACTS.values() if e.signature <= cols), None)


def _read_raw(data: bytes, file_name: str) -> pl.DataFrame:
    if data[:4] == b"PAR1":
        df = pl.read_parquet(io.BytesIO(data))
        return df.select(pl.all().cast(pl.String))
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as e:
        raise ExtractFileError(f"{file_name}: cannot be read as CSV: {e}") from e


def _typed(col: pl.Expr, t: str) -> pl.Expr:
    if t == "date":
        return col.str.to_date("%Y-%m-%d", strict=False)
    if t == "int":
        return col.cast(pl.Int64, strict=False)
    if t == "float":
        return col.cast(pl.Float64, strict=False)
    if t == "money":
        return pl.when(col.str.contains(r"^-?\d+(\.\d{1,2})?$")).then(col).cast(MONEY, strict=False)
    if t == "npi":
        return pl.when(col.str.contains(r"^\d{10}$")).then(col)
    return col


def parse_extract(spec: Extract, data: bytes, file_name: str, file_id: str) -> ExtractResult:
    raw = _read_raw(data, file_name)
    raw = raw.rename({c: c.strip().lower() for c in raw.columns})
    missing = [c for c in spec.required if c not in raw.columns]
    if missing:
        raise ExtractFileError(
            f"{file_name}: missing required column(s) {', '.join(missing)} (header has: {', '.join(raw.columns)})"
        )
    for c in spec.contract:
        if c not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    # Header is line 1, so data row n is file line n + 1: that is what a user sees in an editor.
    raw = (
        raw.select(list(spec.contract))
        .with_row_index("row_number", offset=2)
        .with_columns(pl.col(c).str.strip_chars() for c in spec.contract)
    )

    typed_exprs, problems = [], []
    for c, (t, req) in spec.contract.items():
        col = pl.col(c)
        typed = _typed(col, t)
        typed_exprs.append(typed.alias(c))
        present = col.is_not_null() & (col != "")
        problems.append(
            pl.when(present & typed.is_null()).then(pl.format(f"{c}: invalid {t} value '{{}}'", col))
        )
        if req:
            problems.append(pl.when(~present).then(pl.lit(f"{c}: required value is missing")))
        if c in spec.non_negative:
            problems.append(pl.when(present & (typed < 0)).then(pl.lit(f"{c}: must not be negative")))
    dup = pl.struct(list(spec.key)).is_duplicated()
    problems.append(pl.when(dup).then(pl.lit(f"({', '.join(spec.key)}) appears more than once")))

    checked = raw.with_columns(pl.concat_str(problems, separator="; ", ignore_nulls=True).alias("reason"))
    checked = checked.with_columns(
        pl.when(pl.col("reason") == "").then(None).otherwise(pl.col("reason")).alias("reason")
    )
    rejected = checked.filter(pl.col("reason").is_not_null())
    accepted = (
        checked.filter(pl.col("reason").is_null())
        .select(["row_number", *typed_exprs])
        .with_columns(pl.lit(file_id).alias("file_id"), pl.col("row_number").cast(pl.Int64))
        .select(list(spec.schema.names()))
        .cast(dict(spec.schema))
    )
    return ExtractResult(accepted=accepted, rejected=rejected)
