"""Encounter extracts (CSV or Parquet) checked against the documented input contract.

One row per encounter service line.  Rows that break the contract are rejected with a reason and go
to quarantine; the rows that pass load.  A file missing a required column is rejected whole, with the
missing column named.  The contract is documented in README.md ("Input contract").
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

from pipelines.x12.schemas import MONEY

# column -> (type, required)
CONTRACT: dict[str, tuple[str, bool]] = {
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
}
REQUIRED = [c for c, (_, req) in CONTRACT.items() if req]

ENCOUNTER_SCHEMA = pl.Schema(
    {
        "file_id": pl.String,
        "row_number": pl.Int64,
        **{
            c: {
                "str": pl.String,
                "npi": pl.String,
                "int": pl.Int64,
                "float": pl.Float64,
                "money": MONEY,
                "date": pl.Date,
            }[t]
            for c, (t, _) in CONTRACT.items()
        },
    }
)


class EncounterFileError(ValueError):
    pass


@dataclass
class EncounterResult:
    accepted: pl.DataFrame
    rejected: pl.DataFrame  # raw string columns + row_number + reason


def looks_like_encounters(columns: list[str]) -> bool:
    return "encounter_id" in [c.strip().lower() for c in columns]


def _read_raw(data: bytes, file_name: str) -> pl.DataFrame:
    if data[:4] == b"PAR1":
        df = pl.read_parquet(io.BytesIO(data))
        return df.select(pl.all().cast(pl.String))
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as e:
        raise EncounterFileError(f"{file_name}: cannot be read as CSV: {e}") from e


def parse_encounters(data: bytes, file_name: str, file_id: str) -> EncounterResult:
    raw = _read_raw(data, file_name)
    raw = raw.rename({c: c.strip().lower() for c in raw.columns})
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise EncounterFileError(
            f"{file_name}: missing required column(s) {', '.join(missing)} (header has: {', '.join(raw.columns)})"
        )
    for c in CONTRACT:
        if c not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    # Header is line 1, so data row n is file line n + 1: that is what a user sees in an editor.
    raw = (
        raw.select(list(CONTRACT))
        .with_row_index("row_number", offset=2)
        .with_columns(pl.col(c).str.strip_chars() for c in CONTRACT)
    )

    typed_exprs, problems = [], []
    for c, (t, req) in CONTRACT.items():
        col = pl.col(c)
        if t == "date":
            typed = col.str.to_date("%Y-%m-%d", strict=False)
        elif t == "int":
            typed = col.cast(pl.Int64, strict=False)
        elif t == "float":
            typed = col.cast(pl.Float64, strict=False)
        elif t == "money":
            typed = pl.when(col.str.contains(r"^-?\d+(\.\d{1,2})?$")).then(col).cast(MONEY, strict=False)
        elif t == "npi":
            typed = pl.when(col.str.contains(r"^\d{10}$")).then(col)
        else:
            typed = col
        typed_exprs.append(typed.alias(c))
        present = col.is_not_null() & (col != "")
        bad_type = present & typed.is_null()
        problems.append(pl.when(bad_type).then(pl.format(f"{c}: invalid {t} value '{{}}'", col)))
        if req:
            problems.append(pl.when(~present).then(pl.lit(f"{c}: required value is missing")))
        if c in ("units", "charge_amount"):
            problems.append(pl.when(present & (typed < 0)).then(pl.lit(f"{c}: must not be negative")))

    checked = raw.with_columns(pl.concat_str(problems, separator="; ", ignore_nulls=True).alias("reason"))
    dup = checked.select(["encounter_id", "line_number"]).is_duplicated()
    checked = checked.with_columns(
        pl.when(dup)
        .then(
            pl.concat_str(
                [pl.col("reason"), pl.lit("(encounter_id, line_number) appears more than once")],
                separator="; ",
                ignore_nulls=True,
            )
        )
        .otherwise(pl.col("reason"))
        .alias("reason")
    ).with_columns(pl.when(pl.col("reason") == "").then(None).otherwise(pl.col("reason")).alias("reason"))

    rejected = checked.filter(pl.col("reason").is_not_null())
    accepted = (
        checked.filter(pl.col("reason").is_null())
        .select(["row_number", *typed_exprs])
        .with_columns(pl.lit(file_id).alias("file_id"), pl.col("row_number").cast(pl.Int64))
        .select(list(ENCOUNTER_SCHEMA.names()))
        .cast(dict(ENCOUNTER_SCHEMA))
    )
    return EncounterResult(accepted=accepted, rejected=rejected)


def empty_encounters() -> pl.DataFrame:
    return pl.DataFrame(schema=ENCOUNTER_SCHEMA)
