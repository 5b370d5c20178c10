"""Tabular extracts (CSV or Parquet) checked against their documented input contracts.

Two extracts come from the practice-management system beside the X12 files:

* **encounters** — one row per encounter service line (what was done, before it was billed);
* **patient payments** — one row per payment a patient made (or refund paid back), which the 835 cannot
  carry: it holds payer money and the patient's *assigned* share only (docs/metrics.md, "What the files
  cannot say").

Rows are rejected, not files: a row that breaks the contract (a bad value, a missing required value, a key
seen twice, too many or too few fields, a last line cut off before its line break) is rejected with its row
number and the kind of problem — never the value — and the other rows load.  Only what makes the whole file
unreadable rejects the file: a required column missing, a header that names a column twice (also when only
the case differs), a nested Parquet column, a Parquet footer that cannot be read.  Files are read in
batches (CSV blocks, Parquet row groups), so memory does not grow with the file.  Both contracts are in
README.md ("Input contract").
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa

from pipelines.x12.schemas import MONEY

_DTYPES = {"str": pl.String, "npi": pl.String, "int": pl.Int64, "float": pl.Float64, "money": MONEY,
           "date": pl.Date, "adjustment": pl.String}  # fmt: skip
# patient-payments rows: cash (a payment, a refund as a negative amount) or a write-off of the patient's
# balance (positive amounts that are not cash: bad debt after collection efforts, charity care under the
# practice's financial-assistance policy, small balances under its threshold)
ADJUSTMENT_TYPES = ("payment", "refund", "bad_debt", "charity", "small_balance")
# what a row's reason says about a value of each type (the value itself is never repeated)
_EXPECTED = {
    "date": "not a date (expected YYYY-MM-DD)",
    "int": "not a whole number",
    "float": "not a number",
    "money": "not an amount (digits with up to 2 decimals)",
    "npi": "not a 10-digit NPI",
    "adjustment": f"not one of {', '.join(ADJUSTMENT_TYPES)}",
}
BATCH_ROWS = 100_000
KEY_HASH = "_key_hash"


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
# more than expected).  adjustment_type (optional, ADJUSTMENT_TYPES) tells cash from write-offs; without it
# a row is a payment (a refund when negative).  claim_id is the claim's patient control number (837 CLM01), which is how a payment
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
        "adjustment_type": ("adjustment", False),
    },
    key=("payment_id",),
    signature=frozenset({"payment_id", "payment_date"}),
)

# most specific first: a payments extract may carry an encounter_id column too
EXTRACTS: dict[str, Extract] = {e.kind: e for e in (PATIENT_PAYMENTS, ENCOUNTERS)}


class ExtractFileError(ValueError):
    """The whole file cannot be read as its extract; the message names the problem, never a value."""


def extract_for_columns(columns: list[str]) -> Extract | None:
    """The extract a header belongs to, or None."""
    cols = {str(c).strip().lower() for c in columns}
    return next((e for e in EXTRACTS.values() if e.signature <= cols), None)


# ---------------------------------------------------------------------------------------------- encoding
# bytes Windows-1252 leaves undefined: a file holding them is Latin-1 (ISO-8859-1) instead
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _chunks(source: Path | bytes, size: int = 1 << 24) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        for i in range(0, len(source), size):
            yield bytes(source[i : i + size])
        return
    with open(source, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


def detect_encoding(source: Path | bytes, configured: str = "auto") -> str:
    """UTF-8 (a byte-order mark is skipped) when every byte sequence is valid UTF-8, else Windows-1252 (what
    Excel and most practice systems on Windows write), else Latin-1; ``configured`` other than "auto" wins."""
    if configured and configured.lower() != "auto":
        try:
            return codecs.lookup(configured).name
        except LookupError as e:
            raise ExtractFileError(
                f"REVCYCLE_EXTRACT_ENCODING names an unknown encoding ({configured})"
            ) from e
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    seen: set[int] = set()
    utf8 = True
    for chunk in _chunks(source):
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not utf8:
            seen |= set(chunk) & _CP1252_UNDEFINED
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    return "latin-1" if seen else "cp1252"


# ---------------------------------------------------------------------------------------------- header
def _check_header(spec: Extract, header: list[str]) -> dict[str, str]:
    """Map contract column -> the header's own spelling; file-level problems raise ExtractFileError."""
    seen: dict[str, int] = {}
    for pos, name in enumerate(header, start=1):
        key = str(name).strip().lower()
        if key in seen:
            shown = f"'{key}'" if key in spec.contract else "a column"
            raise ExtractFileError(
                f"header names {shown} twice (columns {seen[key]} and {pos}; names are compared without case "
                "and surrounding spaces): the file is ambiguous"
            )
        seen[key] = pos
    missing = [c for c in spec.required if c not in seen]
    if missing:
        raise ExtractFileError(
            f"missing required column(s) {', '.join(missing)} (the header has {len(header)} columns)"
        )
    return {str(n).strip().lower(): n for n in header if str(n).strip().lower() in spec.contract}


# ---------------------------------------------------------------------------------------------- readers
@dataclass
class RawBatch:
    """Contract columns as text (absent optional columns null), row_number, and rows already rejected by
    the reader (ragged, truncated, damaged): (first row, last row, reason), no values."""

    rows: pl.DataFrame
    rejected: list[tuple[int, int, str]] = field(default_factory=list)


def _csv_batches(spec: Extract, source: Path | bytes, encoding: str, batch_rows: int) -> Iterator[RawBatch]:
    import pyarrow.csv as pacsv

    head = next(_chunks(source, 1 << 16), b"")
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first_line = text.splitlines()[0] if text else ""
    try:
        header = next(csv.reader([first_line]))
    except (StopIteration, csv.Error) as e:
        raise ExtractFileError("the first line is not a CSV header") from e
    columns = _check_header(spec, header)
    wanted = list(columns.values())
    if not text[len(first_line) :].strip():
        return  # a header and nothing else: an empty extract, accepted with zero rows
    invalid: list[tuple[int, int, int]] = []  # (record number, expected fields, actual fields)

    def on_invalid(row) -> str:
        invalid.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    data = source if isinstance(source, bytes) else None
    ends_with_break = (data[-1:] if data is not None else _last_byte(source)) in (b"\n", b"\r")
    reader = pacsv.open_csv(
        io.BytesIO(data) if data is not None else str(source),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 22, encoding=encoding),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            include_columns=wanted,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    # Records are numbered as a reader sees them: the header is 1, so record n is file line n unless a quoted
    # value spans lines.  The reader skips ragged records (reported in order through on_invalid); the others
    # are numbered by counting past them.  The last row is always held back until the end: it is rejected
    # when the file does not end with a line break (cut off mid-row by a copy still in progress).
    number, reported = 1, 0
    buffered: list[pl.DataFrame] = []
    held = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowInvalid as e:
            raise ExtractFileError("the file cannot be read as CSV past a point (unbalanced quotes?)") from e
        rows = pl.from_arrow(pa.Table.from_batches([batch])).rename({v: k for k, v in columns.items()})
        skipped = {n for n, _, _ in invalid[reported:]}
        numbers: list[int] = []
        while len(numbers) < rows.height:
            number += 1
            if number not in skipped:
                numbers.append(number)
        ragged = [(n, n, _ragged(e, a)) for n, e, a in invalid[reported:] if n <= number]
        reported += len(ragged)
        if ragged:
            yield RawBatch(_with_contract(spec, _no_rows(columns)), ragged)
        buffered.append(rows.with_columns(pl.Series("row_number", numbers, dtype=pl.Int64)))
        held += rows.height
        if held > batch_rows:
            rows = pl.concat(buffered)
            yield RawBatch(_with_contract(spec, rows.head(-1)))
            buffered, held = [rows.tail(1)], 1
    tail = [(n, n, _ragged(e, a)) for n, e, a in invalid[reported:]]
    rows = pl.concat(buffered) if buffered else _no_rows(columns)
    if not ends_with_break:
        cut = "the last row has no line break after it: cut off (file still being written?)"
        if rows.height and (not tail or tail[-1][0] < rows["row_number"][-1]):
            last = rows["row_number"][-1]
            tail.append((last, last, cut))
            rows = rows.head(-1)
        elif tail:
            first, last, why = tail[-1]
            tail[-1] = (first, last, f"{why}; {cut}")
    yield RawBatch(_with_contract(spec, rows), tail)


def _ragged(expected: int, actual: int) -> str:
    return f"row has {actual} fields, the header {expected}"


def _no_rows(columns: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(schema={**dict.fromkeys(columns, pl.String), "row_number": pl.Int64})


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(0, io.SEEK_END)
        if fh.tell() == 0:
            return b""
        fh.seek(-1, io.SEEK_END)
        return fh.read(1)


def _parquet_batches(spec: Extract, source: Path | bytes, batch_rows: int) -> Iterator[RawBatch]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        schema = pf.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as e:
        raise ExtractFileError(
            "damaged Parquet file: its footer (schema and row groups) cannot be read"
        ) from e
    columns = _check_header(spec, schema.names)
    for key, name in columns.items():
        t = schema.field(name).type
        if pa.types.is_nested(t) or (pa.types.is_dictionary(t) and pa.types.is_nested(t.value_type)):
            raise ExtractFileError(
                f"column '{key}' holds nested values (a list, struct or map); extracts must be flat tables"
            )
    first = 1  # Parquet rows have no header: row n is the n-th row of the file
    for group in range(pf.num_row_groups):
        n_rows = pf.metadata.row_group(group).num_rows
        try:
            for batch in pf.iter_batches(batch_size=batch_rows, row_groups=[group], columns=list(columns.values()),
                                         use_threads=False):  # fmt: skip
                rows = pl.from_arrow(pa.Table.from_batches([batch]))
                rows = rows.rename({v: k for k, v in columns.items()}).with_columns(
                    pl.all().cast(pl.String),
                    pl.int_range(first, first + rows.height, dtype=pl.Int64).alias("row_number"),
                )
                first += rows.height
                n_rows -= rows.height
                yield RawBatch(_with_contract(spec, rows))
        except (pa.ArrowException, OSError, ValueError, pl.exceptions.PolarsError):
            # the rest of this row group cannot be decoded: its rows are rejected, the other groups still load
            damaged = (
                f"row group {group + 1} of the Parquet file is damaged (rows {first}-{first + n_rows - 1})"
            )
            yield RawBatch(
                _with_contract(spec, pl.DataFrame(schema={"row_number": pl.Int64})),
                [(first, first + n_rows - 1, damaged)],
            )
            first += n_rows


def _with_contract(spec: Extract, rows: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in spec.contract if c not in rows.columns]
    return rows.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing).select(
        "row_number", *spec.contract
    )


# ---------------------------------------------------------------------------------------------- checks
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
    if t == "adjustment":
        return pl.when(col.str.to_lowercase().is_in(ADJUSTMENT_TYPES)).then(col.str.to_lowercase())
    return col


def _check(spec: Extract, raw: pl.DataFrame, file_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accepted typed rows with their key hash, rejected raw rows with a value-free reason)."""
    raw = raw.with_columns(pl.col(c).str.strip_chars() for c in spec.contract)
    blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == "") for c in spec.contract])
    raw = raw.filter(~blank)  # an empty line (or one of bare delimiters) is no row at all
    typed_exprs, problems = [], []
    for c, (t, req) in spec.contract.items():
        col = pl.col(c)
        typed = _typed(col, t)
        typed_exprs.append(typed.alias(c))
        present = col.is_not_null() & (col != "")
        if t in _EXPECTED:
            problems.append(pl.when(present & typed.is_null()).then(pl.lit(f"{c}: {_EXPECTED[t]}")))
        if req:
            problems.append(pl.when(~present).then(pl.lit(f"{c}: required value is missing")))
        if c in spec.non_negative:
            problems.append(pl.when(present & (typed < 0)).then(pl.lit(f"{c}: must not be negative")))
    checked = raw.with_columns(
        pl.concat_str(problems, separator="; ", ignore_nulls=True).alias("reason"),
        pl.struct(list(spec.key)).hash(seed=0).alias(KEY_HASH),
    ).with_columns(pl.when(pl.col("reason") == "").then(None).otherwise(pl.col("reason")).alias("reason"))
    rejected = checked.filter(pl.col("reason").is_not_null()).select("row_number", *spec.contract, "reason",
                                                                     KEY_HASH)  # fmt: skip
    accepted = (
        checked.filter(pl.col("reason").is_null())
        .select(["row_number", *typed_exprs, KEY_HASH])
        .with_columns(pl.lit(file_id).alias("file_id"))
        .select(*spec.schema.names(), KEY_HASH)
        .cast(dict(spec.schema))
    )
    return accepted, rejected


REJECTED_SCHEMA_EXTRA = {"reason": pl.String}


def _rejected_frame(spec: Extract, ranges: list[tuple[int, int, str]]) -> pl.DataFrame:
    """Rows the reader could not read at all (no values): one per row number in each range."""
    schema = {"row_number": pl.Int64, **dict.fromkeys(spec.contract, pl.String), "reason": pl.String}
    parts = [
        pl.DataFrame({"row_number": pl.int_range(a, b + 1, dtype=pl.Int64, eager=True)}).with_columns(
            *(pl.lit(None, pl.String).alias(c) for c in spec.contract), pl.lit(why).alias("reason")
        )
        for a, b, why in ranges
    ]
    return pl.concat(parts).select(list(schema)) if parts else pl.DataFrame(schema=schema)


class Sink:
    """Where checked rows go: accepted (typed, with the key hash) and rejected (text, with a reason)."""

    def accept(self, frame: pl.DataFrame) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def reject(self, frame: pl.DataFrame) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def drop_duplicates(self, hashes: pl.Series, reason: str) -> int:  # pragma: no cover - interface
        """Move accepted rows whose key hash is in ``hashes`` to the rejected rows; return how many."""
        raise NotImplementedError


@dataclass
class Counts:
    accepted: int = 0
    rejected: int = 0
    encoding: str = "utf-8"


def check_extract(spec: Extract, source: Path | bytes, file_id: str, sink: Sink, encoding: str = "auto",
                  batch_rows: int = BATCH_ROWS) -> Counts:  # fmt: skip
    """Read ``source`` (a path, or the bytes of a small file) batch by batch into ``sink``.  Raises
    ExtractFileError when the file as a whole cannot be read."""
    counts = Counts()
    is_parquet = (source[:4] if isinstance(source, bytes) else _head(source, 4)) == b"PAR1"
    if is_parquet:
        batches = _parquet_batches(spec, source, batch_rows)
    else:
        counts.encoding = detect_encoding(source, encoding)
        batches = _csv_batches(spec, source, counts.encoding, batch_rows)
    hashes: list[pl.Series] = []
    for raw in batches:
        if raw.rejected:
            unreadable = _rejected_frame(spec, raw.rejected)
            sink.reject(unreadable)
            counts.rejected += unreadable.height
        if raw.rows.height == 0:
            continue
        accepted, rejected = _check(spec, raw.rows, file_id)
        hashes += [accepted[KEY_HASH], rejected[KEY_HASH]]
        if accepted.height:
            sink.accept(accepted)
        if rejected.height:
            sink.reject(rejected.drop(KEY_HASH))
        counts.accepted += accepted.height
        counts.rejected += rejected.height
    if hashes:
        # sorted neighbours, not a hash table: a third of the memory on millions of rows
        ordered = pl.concat(hashes).sort()
        dups = ordered.filter(ordered == ordered.shift(1)).unique()
        if dups.len():
            moved = sink.drop_duplicates(dups, f"({', '.join(spec.key)}) appears more than once in the file")
            counts.accepted -= moved
            counts.rejected += moved
    return counts


def _head(path: Path, n: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


class MemorySink(Sink):
    """Keeps everything in memory (tests, small files)."""

    def __init__(self, spec: Extract):
        self.spec = spec
        self.accepted: list[pl.DataFrame] = []
        self.rejected: list[pl.DataFrame] = []

    def accept(self, frame: pl.DataFrame) -> None:
        self.accepted.append(frame)

    def reject(self, frame: pl.DataFrame) -> None:
        self.rejected.append(frame)

    def drop_duplicates(self, hashes: pl.Series, reason: str) -> int:
        frames = self.accepted
        self.accepted = [f.filter(~pl.col(KEY_HASH).is_in(hashes.implode())) for f in frames]
        moved = [f.filter(pl.col(KEY_HASH).is_in(hashes.implode())) for f in frames]
        for f in moved:
            if f.height:
                self.rejected.append(_as_rejected(self.spec, f, reason))
        return sum(f.height for f in moved)


def _as_rejected(spec: Extract, accepted: pl.DataFrame, reason: str) -> pl.DataFrame:
    """Accepted rows turned back into rejected ones (their values as text)."""
    return accepted.select(
        "row_number", *(pl.col(c).cast(pl.String) for c in spec.contract), pl.lit(reason).alias("reason")
    )


@dataclass
class ExtractResult:
    accepted: pl.DataFrame
    rejected: pl.DataFrame  # row_number + raw text columns + reason, ordered by row number
    encoding: str = "utf-8"


def parse_extract(
    spec: Extract, data: bytes, file_name: str, file_id: str, encoding: str = "auto"
) -> ExtractResult:
    """One extract held in memory, checked whole (tests and small files; the ingest streams from disk)."""
    sink = MemorySink(spec)
    counts = check_extract(spec, data, file_id, sink, encoding)
    accepted = pl.concat(sink.accepted).drop(KEY_HASH) if sink.accepted else spec.empty()
    rejected = (
        pl.concat(sink.rejected, how="vertical_relaxed").sort("row_number")
        if sink.rejected
        else _rejected_frame(spec, [])
    )
    return ExtractResult(accepted.sort("row_number"), rejected, counts.encoding)
