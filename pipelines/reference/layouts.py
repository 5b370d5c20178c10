"""Parsers for the official reference-file layouts, one function per kind.

Each returns a polars frame in the kind's schema or raises ReferenceFileError naming the file and the
line.  Layout notes are the *why*: the quirks of the files as CMS and OIG publish them.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import polars as pl

NCCI_PTP = "ncci_ptp"
MUE = "mue"
LEIE = "leie"
PHYSICIAN_TIME = "physician_time"
PATIENT_DEATHS = "patient_deaths"
CARC = "carc"
RARC = "rarc"
PFS_RVU = "pfs_rvu"
PAYER_POLICY = "payer_policy"
# The kinds the integrity rules read, with the name the Compliance page and `revcycle doctor` use.
RULE_INPUTS = {
    NCCI_PTP: "NCCI PTP edits",
    MUE: "MUE values",
    LEIE: "LEIE exclusions",
    PHYSICIAN_TIME: "Physician time",
    PATIENT_DEATHS: "Patient death dates",
}

_SOURCE = {"source_file": pl.String, "file_id": pl.String, "line_number": pl.Int64}
SCHEMAS: dict[str, pl.Schema] = {
    NCCI_PTP: pl.Schema(
        {
            "column_1_code": pl.String,
            "column_2_code": pl.String,
            "effective_date": pl.Date,
            "deletion_date": pl.Date,
            "modifier_indicator": pl.String,
            "setting": pl.String,
            "rationale": pl.String,
            **_SOURCE,
        }
    ),
    MUE: pl.Schema(
        {
            "hcpcs": pl.String,
            "mue_value": pl.Int64,
            "adjudication_indicator": pl.String,
            "table_type": pl.String,
            "effective_from": pl.Date,
            "rationale": pl.String,
            **_SOURCE,
        }
    ),
    LEIE: pl.Schema(
        {
            "last_name": pl.String,
            "first_name": pl.String,
            "middle_name": pl.String,
            "business_name": pl.String,
            "general": pl.String,
            "specialty": pl.String,
            "upin": pl.String,
            "npi": pl.String,
            "birth_date": pl.Date,
            "address": pl.String,
            "city": pl.String,
            "state": pl.String,
            "zip": pl.String,
            "exclusion_type": pl.String,
            "exclusion_date": pl.Date,
            "reinstatement_date": pl.Date,
            "waiver_date": pl.Date,
            "waiver_state": pl.String,
            "snapshot_date": pl.Date,
            **_SOURCE,
        }
    ),
    PHYSICIAN_TIME: pl.Schema(
        {
            "hcpcs": pl.String,
            "total_minutes": pl.Float64,
            "intra_minutes": pl.Float64,
            "per_unit": pl.Boolean,
            "pfs_year": pl.Int64,
            **_SOURCE,
        }
    ),
    PFS_RVU: pl.Schema(
        {
            "hcpcs": pl.String,
            "modifier": pl.String,
            "status_code": pl.String,
            "work_rvu": pl.Float64,
            "nonfacility_pe_rvu": pl.Float64,
            "facility_pe_rvu": pl.Float64,
            "mp_rvu": pl.Float64,
            "nonfacility_total_rvu": pl.Float64,
            "facility_total_rvu": pl.Float64,
            "conversion_factor": pl.Float64,
            "pfs_year": pl.Int64,
            **_SOURCE,
        }
    ),
    CARC: pl.Schema(
        {
            "code": pl.String,
            "description": pl.String,
            "start_date": pl.Date,
            "stop_date": pl.Date,
            **_SOURCE,
        }
    ),
    RARC: pl.Schema(
        {
            "code": pl.String,
            "description": pl.String,
            "start_date": pl.Date,
            "stop_date": pl.Date,
            **_SOURCE,
        }
    ),
    PAYER_POLICY: pl.Schema(
        {
            "scope": pl.String,
            "key": pl.String,
            "timely_filing_days": pl.Int64,
            "appeal_window_days": pl.Int64,
            "expected_days_to_pay": pl.Int64,
            "loaded_at": pl.Datetime("us", "UTC"),
            **_SOURCE,
        }
    ),
    PATIENT_DEATHS: pl.Schema(
        {
            "member_id": pl.String,
            "birth_date": pl.Date,
            "last_name": pl.String,
            "first_name": pl.String,
            "death_date": pl.Date,
            "death_source": pl.String,
            **_SOURCE,
        }
    ),
}


class ReferenceFileError(ValueError):
    """A reference file that cannot be trusted; the message names the file and the line."""

    def __init__(self, file_name: str, line: int | None, message: str):
        self.file_name, self.line = file_name, line
        where = f"{file_name}, line {line}" if line else file_name
        self.message_without_file = f"line {line}: {message}" if line else message
        super().__init__(f"{where}: {message}")


_CODE = re.compile(r"^[0-9A-Z]{4}[0-9A-Z]$")
_YMD = re.compile(r"^\d{8}$")


def _ymd(value: str, file_name: str, line: int, what: str, none_values: tuple[str, ...] = ()) -> date | None:
    v = value.strip()
    if v in none_values or v == "":
        return None
    if not _YMD.match(v):
        raise ReferenceFileError(file_name, line, f"{what} is not a YYYYMMDD date")
    try:
        return date(int(v[:4]), int(v[4:6]), int(v[6:]))
    except ValueError:
        raise ReferenceFileError(file_name, line, f"{what} is not a calendar date") from None


def _frame(kind: str, rows: list[dict]) -> pl.DataFrame:
    return (
        pl.DataFrame(rows, schema=SCHEMAS[kind], orient="row") if rows else pl.DataFrame(schema=SCHEMAS[kind])
    )


# ---------------------------------------------------------------- CMS NCCI PTP
def parse_ncci_ptp(text: str, file_name: str, file_id: str, setting: str) -> pl.DataFrame:
    """Tab-delimited CMS PTP file.

    CMS puts notice lines and a two-line column header (text wrapped over two rows) before the edits;
    the deletion date is '*' when the edit is active and the prior-to-1996 flag column is usually empty.
    Everything before the first edit row is header; after it every non-blank line must be an edit.
    """
    rows: list[dict] = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        f = [x.strip() for x in raw.split("\t")]
        is_edit = len(f) >= 6 and _CODE.match(f[0] or "") and _CODE.match(f[1] or "") and _YMD.match(f[3])
        if not is_edit:
            if rows:
                raise ReferenceFileError(file_name, n, "expected an edit row: column 1, column 2, *, effective "
                                         "date, deletion date, modifier indicator (tab-separated)")  # fmt: skip
            continue
        if f[5] not in ("0", "1", "9"):
            raise ReferenceFileError(file_name, n, "the modifier indicator is not 0, 1 or 9")
        eff = _ymd(f[3], file_name, n, "effective date")
        dele = _ymd(f[4], file_name, n, "deletion date", none_values=("*",))
        rows.append(
            {
                "column_1_code": f[0],
                "column_2_code": f[1],
                "effective_date": eff,
                "deletion_date": dele,
                "modifier_indicator": f[5],
                "setting": setting,
                "rationale": f[6] if len(f) > 6 and f[6] else None,
                "source_file": file_name,
                "file_id": file_id,
                "line_number": n,
            }
        )
    if not rows:
        raise ReferenceFileError(file_name, None, "no NCCI PTP edit rows found")
    return _frame(NCCI_PTP, rows)


# ---------------------------------------------------------------- CMS MUE
_MAI = re.compile(r"^\s*([123])\b")


def parse_mue(text: str, file_name: str, file_id: str, effective_from: date | None) -> pl.DataFrame:
    """CMS MUE CSV: the AMA CPT notice comes first (quoted, sometimes spanning lines), then the header row
    'HCPCS/CPT Code, <Practitioner|Outpatient Hospital|DME Supplier> Services MUE Values, MUE Adjudication
    Indicator, MUE Rationale'.  The indicator is text ('3 Date of Service Edit: Clinical'); its digit is
    what adjudication uses."""
    reader = csv.reader(io.StringIO(text))
    header_at, table_type, rows = None, None, []
    for rec in reader:
        n = reader.line_num
        cells = [c.strip() for c in rec]
        if header_at is None:
            if (
                cells
                and cells[0].upper().startswith("HCPCS")
                and len(cells) >= 3
                and "MUE" in cells[1].upper()
            ):
                header_at = n
                table_type = (
                    re.sub(r"\s*services\s+mue\s+values?\s*$", "", cells[1], flags=re.IGNORECASE)
                    .strip()
                    .lower()
                )
                table_type = table_type.replace(" ", "_") or "practitioner"
            continue
        if not any(cells):
            continue
        if len(cells) < 3 or not _CODE.match(cells[0]):
            raise ReferenceFileError(file_name, n, "expected HCPCS, MUE value, adjudication indicator")
        if not cells[1].isdigit():
            raise ReferenceFileError(file_name, n, "the MUE value is not a whole number")
        m = _MAI.match(cells[2])
        if not m:
            raise ReferenceFileError(
                file_name, n, "the MUE adjudication indicator does not start with 1, 2 or 3"
            )
        rows.append(
            {
                "hcpcs": cells[0],
                "mue_value": int(cells[1]),
                "adjudication_indicator": m.group(1),
                "table_type": table_type,
                "effective_from": effective_from,
                "rationale": cells[3] if len(cells) > 3 and cells[3] else None,
                "source_file": file_name,
                "file_id": file_id,
                "line_number": n,
            }
        )
    if header_at is None:
        raise ReferenceFileError(file_name, None, "no 'HCPCS/CPT Code, ... MUE Values, ...' header row found")
    return _frame(MUE, rows)


# ---------------------------------------------------------------- OIG LEIE
LEIE_COLUMNS = ["LASTNAME", "FIRSTNAME", "MIDNAME", "BUSNAME", "GENERAL", "SPECIALTY", "UPIN", "NPI", "DOB",
                "ADDRESS", "CITY", "STATE", "ZIP", "EXCLTYPE", "EXCLDATE", "REINDATE", "WAIVERDATE",
                "WVRSTATE"]  # fmt: skip


def parse_leie(text: str, file_name: str, file_id: str, snapshot_date: date | None = None) -> pl.DataFrame:
    """OIG UPDATED.csv: 18 columns; dates YYYYMMDD with 00000000 for none; NPI 0000000000 when OIG has
    none (most rows: match those by name + date of birth).

    Each file is a snapshot of the whole list.  OIG drops reinstated people from it (REINDATE is blank in
    the monthly file), so the snapshot's date matters: someone listed in one snapshot and missing from a
    later one was reinstated by then.  The date is snapshot_date (`revcycle reference --as-of`, else a date
    in the file name: parse_reference_file), else the latest exclusion or reinstatement date in the file
    (the list is at least that current)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip().upper() for h in header] != LEIE_COLUMNS:
        raise ReferenceFileError(file_name, 1, f"header is not the 18 LEIE columns {','.join(LEIE_COLUMNS)}")
    rows = []
    none = ("00000000",)
    for rec in reader:
        n = reader.line_num
        if not any(c.strip() for c in rec):
            continue
        if len(rec) != 18:
            raise ReferenceFileError(file_name, n, f"{len(rec)} columns, expected 18")
        c = [x.strip() for x in rec]
        npi = c[7] if c[7] and set(c[7]) != {"0"} else None
        if npi is not None and not (len(npi) == 10 and npi.isdigit()):
            raise ReferenceFileError(file_name, n, "the NPI is not 10 digits")
        excl = _ymd(c[14], file_name, n, "EXCLDATE", none)
        if excl is None:
            raise ReferenceFileError(file_name, n, "EXCLDATE is missing")
        rows.append(
            {
                "last_name": c[0] or None,
                "first_name": c[1] or None,
                "middle_name": c[2] or None,
                "business_name": c[3] or None,
                "general": c[4] or None,
                "specialty": c[5] or None,
                "upin": c[6] or None,
                "npi": npi,
                "birth_date": _ymd(c[8], file_name, n, "DOB", none),
                "address": c[9] or None,
                "city": c[10] or None,
                "state": c[11] or None,
                "zip": c[12] or None,
                "exclusion_type": c[13] or None,
                "exclusion_date": excl,
                "reinstatement_date": _ymd(c[15], file_name, n, "REINDATE", none),
                "waiver_date": _ymd(c[16], file_name, n, "WAIVERDATE", none),
                "waiver_state": c[17] or None,
                "snapshot_date": None,
                "source_file": file_name,
                "file_id": file_id,
                "line_number": n,
            }
        )
    snapshot = snapshot_date
    if snapshot is None:
        acted = [d for r in rows for d in (r["exclusion_date"], r["reinstatement_date"]) if d is not None]
        snapshot = max(acted) if acted else None
    for r in rows:
        r["snapshot_date"] = snapshot
    return _frame(LEIE, rows)


# ---------------------------------------------------------------- physician time
def _find(header: list[str], *needles: str) -> int | None:
    for i, h in enumerate(header):
        hl = h.lower()
        if all(nd in hl for nd in needles):
            return i
    return None


def parse_physician_time(text: str, file_name: str, file_id: str, pfs_year: int | None) -> pl.DataFrame:
    """Minutes per HCPCS: the CMS PFS physician-time file (columns named HCPCS ... total time, optionally
    intra-service time) or the synthetic two-column hcpcs,total_minutes.  Time is per service; codes
    whose descriptor is per unit (e.g. each 15 minutes) carry per_unit = true when a 'per unit' column
    says so, else the units on the line multiply the time (the conservative reading for timed codes)."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    i_code = _find(header, "hcpcs")
    i_total = _find(header, "total") or _find(header, "physician time")
    if i_code is None or i_total is None:
        raise ReferenceFileError(file_name, 1, "header needs an HCPCS column and a total-time column")
    i_intra = _find(header, "intra")
    i_unit = _find(header, "per", "unit")
    rows = []
    for rec in reader:
        n = reader.line_num
        if not any(c.strip() for c in rec):
            continue
        try:
            total = float(rec[i_total])
            intra = float(rec[i_intra]) if i_intra is not None and rec[i_intra].strip() else None
        except (ValueError, IndexError):
            raise ReferenceFileError(file_name, n, "the minutes are not numbers") from None
        code = rec[i_code].strip()
        if not _CODE.match(code):
            raise ReferenceFileError(file_name, n, "the HCPCS code is not 5 characters")
        per_unit = True if i_unit is None else rec[i_unit].strip().lower() in ("1", "y", "yes", "true")
        rows.append(
            {
                "hcpcs": code,
                "total_minutes": total,
                "intra_minutes": intra,
                "per_unit": per_unit,
                "pfs_year": pfs_year,
                "source_file": file_name,
                "file_id": file_id,
                "line_number": n,
            }
        )
    return _frame(PHYSICIAN_TIME, rows)


# ---------------------------------------------------------------- physician fee schedule (RVUs)
# CMS publishes the national PFS Relative Value File (PPRRVUyy_<release>.csv in the RVUyyX zip) with a few
# title rows above the header: HCPCS, MOD, DESCRIPTION, STATUS CODE, ..., WORK RVU, NON-FAC PE RVU,
# FACILITY PE RVU, MP RVU, NON-FACILITY TOTAL, FACILITY TOTAL, ..., CONV FACTOR.  The national amount is
# total RVU x conversion factor; a locality's amount also needs the GPCI file (not applied here: the
# contract terms are written against the national amount, docs/metrics.md).  Descriptions are AMA text and
# are not kept.
_PFS_COLUMNS = {
    "status_code": ("status",),
    "work_rvu": ("work", "rvu"),
    "nonfacility_pe_rvu": ("non", "fac", "pe", "rvu"),
    "mp_rvu": ("mp", "rvu"),
    "nonfacility_total_rvu": ("non", "facility", "total"),
    "conversion_factor": ("conv", "factor"),
}


def _pfs_header(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:40]):
        cells = [c.strip().upper() for c in row]
        if "HCPCS" in cells and any("WORK" in c and "RVU" in c for c in cells):
            return i
    return None


def parse_pfs_rvu(text: str, file_name: str, file_id: str, pfs_year: int | None) -> pl.DataFrame:
    """National RVUs and conversion factor per HCPCS + modifier (the CMS PFS Relative Value File, CSV)."""
    rows = list(csv.reader(io.StringIO(text)))
    at = _pfs_header(rows)
    if at is None:
        raise ReferenceFileError(file_name, None, "no header row with HCPCS and WORK RVU columns")
    header = [h.strip() for h in rows[at]]
    cols = {name: _find(header, *needles) for name, needles in _PFS_COLUMNS.items()}
    # "FACILITY PE RVU" / "FACILITY TOTAL" also match their NON-FAC twins: take the column without "non"
    cols["facility_pe_rvu"] = next((i for i, h in enumerate(header) if "facility pe rvu" in h.lower()
                                    and "non" not in h.lower()), None)  # fmt: skip
    cols["facility_total_rvu"] = next((i for i, h in enumerate(header) if "facility total" in h.lower()
                                       and "non" not in h.lower()), None)  # fmt: skip
    i_code, i_mod = _find(header, "hcpcs"), _find(header, "mod")
    missing = [n for n, i in cols.items() if i is None and n != "status_code"]
    if missing or i_mod is None:
        raise ReferenceFileError(file_name, at + 1, f"header lacks column(s) {', '.join(missing or ['MOD'])}")
    out = []
    for n, rec in enumerate(rows[at + 1 :], start=at + 2):
        if not any(c.strip() for c in rec):
            continue
        code = rec[i_code].strip() if i_code < len(rec) else ""
        if not _CODE.match(code):
            raise ReferenceFileError(file_name, n, "the HCPCS code is not 5 characters")
        values = {}
        for name, i in cols.items():
            cell = rec[i].strip() if i is not None and i < len(rec) else ""
            if name == "status_code":
                values[name] = cell or None
                continue
            try:
                values[name] = float(cell) if cell else None
            except ValueError:
                raise ReferenceFileError(file_name, n, f"{header[i]} is not a number") from None
        if values["conversion_factor"] is None:
            raise ReferenceFileError(file_name, n, f"no conversion factor for {code}")
        out.append({"hcpcs": code, "modifier": rec[i_mod].strip() or None, **values, "pfs_year": pfs_year,
                    "source_file": file_name, "file_id": file_id, "line_number": n})  # fmt: skip
    return _frame(PFS_RVU, out)


# ---------------------------------------------------------------- patient death dates
PATIENT_DEATH_COLUMNS = ("member_id", "birth_date", "death_date")


def parse_patient_deaths(text: str, file_name: str, file_id: str) -> pl.DataFrame:
    """Patient master / ADT export: member_id, birth_date, death_date (ISO dates) and optionally
    last_name, first_name, death_source.  Keyed like the 837 identifies a patient: member id + birth date."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in PATIENT_DEATH_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceFileError(file_name, 1, f"missing column(s) {', '.join(missing)}")
    rows = []
    for rec in reader:
        n = reader.line_num
        dob = _any_date(rec["birth_date"], file_name, n, "birth_date")
        dod = _any_date(rec["death_date"], file_name, n, "death_date")
        if dob is None or dod is None:
            raise ReferenceFileError(file_name, n, "birth_date and death_date are required")
        if not (rec["member_id"] or "").strip():
            raise ReferenceFileError(file_name, n, "member_id is empty")
        if dod < dob:
            raise ReferenceFileError(file_name, n, "death_date is before birth_date")
        rows.append(
            {
                "member_id": rec["member_id"].strip(),
                "birth_date": dob,
                "last_name": (rec.get("last_name") or "").strip() or None,
                "first_name": (rec.get("first_name") or "").strip() or None,
                "death_date": dod,
                "death_source": (rec.get("death_source") or "").strip() or "patient_master",
                "source_file": file_name,
                "file_id": file_id,
                "line_number": n,
            }
        )
    return _frame(PATIENT_DEATHS, rows)


# ---------------------------------------------------------------- X12 CARC / RARC code lists (user-licensed)
_CARC_CODE = re.compile(r"^(\d{1,3}|[A-DPWY]\d{1,2})$")
_RARC_CODE = re.compile(r"^(M|N|MA)\d{1,3}$")


def _any_date(value: str | None, file_name: str, line: int, what: str) -> date | None:
    """The X12 list pages give dates as MM/DD/YYYY; ISO dates are accepted too."""
    v = (value or "").strip()
    if not v:
        return None
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", v)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        return date.fromisoformat(v)
    except ValueError:
        raise ReferenceFileError(
            file_name, line, f"{what} is not a date (MM/DD/YYYY or YYYY-MM-DD)"
        ) from None


def looks_like_code_list(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return "code" in low and "description" in low


def code_list_kind(text: str) -> str | None:
    """CARC or RARC, from the codes themselves (RARCs are M/N/MA + digits; CARCs digits or A-D/P/W/Y + digits)."""
    reader = csv.DictReader(io.StringIO(text))
    key = next((f for f in reader.fieldnames or [] if f.strip().lower() == "code"), None)
    codes = [(r.get(key) or "").strip() for r in reader] if key else []
    codes = [c for c in codes if c]
    if not codes:
        return None
    if sum(bool(_RARC_CODE.match(c)) for c in codes) >= 0.8 * len(codes):
        return RARC
    if sum(bool(_CARC_CODE.match(c)) for c in codes) >= 0.8 * len(codes):
        return CARC
    return None


def parse_code_list(text: str, file_name: str, file_id: str, kind: str) -> pl.DataFrame:
    """A CARC or RARC list as the licensee exports it: Code, Description, and optional Start / Stop dates
    (the X12 code-list pages' columns).  revcycle ships codes with its own categories only; descriptions
    come from the user's own copy and stay in their warehouse."""
    reader = csv.DictReader(io.StringIO(text))
    cols = {f.strip().lower(): f for f in reader.fieldnames or []}
    if "code" not in cols or "description" not in cols:
        raise ReferenceFileError(file_name, 1, "header needs Code and Description columns")
    start = next((cols[c] for c in cols if c.startswith("start")), None)
    stop = next((cols[c] for c in cols if c.startswith(("stop", "deactivat"))), None)
    pattern = _RARC_CODE if kind == RARC else _CARC_CODE
    rows = []
    for rec in reader:
        n = reader.line_num
        code = (rec[cols["code"]] or "").strip()
        if not code:
            continue
        if not pattern.match(code):
            raise ReferenceFileError(file_name, n, f"the code is not a {kind.upper()} code")
        rows.append(
            {
                "code": code,
                "description": (rec[cols["description"]] or "").strip() or None,
                "start_date": _any_date(rec.get(start) if start else None, file_name, n, "start date"),
                "stop_date": _any_date(rec.get(stop) if stop else None, file_name, n, "stop date"),
                "source_file": file_name,
                "file_id": file_id,
                "line_number": n,
            }
        )
    if not rows:
        raise ReferenceFileError(file_name, None, f"no {kind.upper()} codes found")
    return _frame(kind, rows)


# ---------------------------------------------------------------- payer policy (the user's contract terms)
POLICY_DAYS = ("timely_filing_days", "appeal_window_days", "expected_days_to_pay")
POLICY_SCOPES = ("payer", "financial_class", "default")
# Longest span a contract term can sensibly have: beyond ten years a cell is a typo (a date, an amount).
_MAX_POLICY_DAYS = 3650


def looks_like_payer_policy(header: list[str]) -> bool:
    low = {h.strip().lower() for h in header}
    return any(d in low for d in POLICY_DAYS) and bool(low & {"payer_id", "financial_class", "scope"})


def parse_payer_policy(
    text: str, file_name: str, file_id: str, loaded_at: datetime, financial_classes: tuple[str, ...]
) -> pl.DataFrame:
    """The user's payer policy: the seed's columns (scope, key, days...) or a row per payer (payer_id,
    days...) or per financial class (financial_class, days...).  Any of the three day columns may be
    left out or blank: that term falls through to the next level (payer -> financial class -> default).
    A financial class must be one revcycle assigns (seed financial_class), or the row would silently
    match nothing."""
    reader = csv.DictReader(io.StringIO(text))
    cols = {f.strip().lower(): f for f in reader.fieldnames or []}
    days = [d for d in POLICY_DAYS if d in cols]
    if not days:
        raise ReferenceFileError(file_name, 1, f"header needs one of {', '.join(POLICY_DAYS)}")
    if "scope" in cols and "key" not in cols:
        raise ReferenceFileError(file_name, 1, "a scope column needs a key column beside it")
    rows, seen = [], {}
    for rec in reader:
        n = reader.line_num
        cell = {k: (rec.get(f) or "").strip() for k, f in cols.items()}
        if not any(cell.values()):
            continue
        if "scope" in cols:
            scope, key = cell["scope"].lower(), cell["key"]
        elif cell.get("payer_id"):
            scope, key = "payer", cell["payer_id"]
        elif cell.get("financial_class"):
            scope, key = "financial_class", cell["financial_class"]
        else:
            raise ReferenceFileError(file_name, n, "neither a payer id nor a financial class")
        if scope not in POLICY_SCOPES:
            raise ReferenceFileError(file_name, n, f"the scope is not one of {', '.join(POLICY_SCOPES)}")
        if scope == "default":
            key = "default"
        if not key:
            raise ReferenceFileError(file_name, n, "the key (payer id or financial class) is empty")
        if scope == "financial_class" and key not in financial_classes:
            raise ReferenceFileError(
                file_name, n, f"unknown financial class; one of {', '.join(financial_classes)}"
            )
        if (scope, key) in seen:
            raise ReferenceFileError(file_name, n, f"a second row for the same {scope} (first on line "
                                     f"{seen[scope, key]})")  # fmt: skip
        seen[scope, key] = n
        values = {}
        for d in POLICY_DAYS:
            v = cell.get(d, "")
            if v and not (v.isdigit() and int(v) <= _MAX_POLICY_DAYS):
                raise ReferenceFileError(file_name, n, f"{d} is not a whole number of days from 0 to "
                                         f"{_MAX_POLICY_DAYS}")  # fmt: skip
            values[d] = int(v) if v else None
        if all(v is None for v in values.values()):
            raise ReferenceFileError(file_name, n, "no days given")
        rows.append({"scope": scope, "key": key, **values, "loaded_at": loaded_at, "source_file": file_name,
                     "file_id": file_id, "line_number": n})  # fmt: skip
    if not rows:
        raise ReferenceFileError(file_name, None, "no payer policy rows found")
    return _frame(PAYER_POLICY, rows)
