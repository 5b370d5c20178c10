"""The Great Expectations gate on staged files: a file whose tables fail a suite is rejected whole.

GX costs ~0.1 s per validation call whatever the rows, so a group of files is validated together, one call
per table; when the group fails it is split in halves until the failing files are isolated, so a file is
rejected only for what fails on its own.  A file whose validation raises is rejected on its own too (the
traceback goes to the private error log).  Large staged tables are validated in slices, so memory stays
bounded.  Results hold counts, never the failing values.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from pipelines.ingest.extracts import EXTRACTS
from pipelines.ingest.outcome import DUPLICATE, NOT_LOADED, PARTIAL, REJECTED, Outcome
from pipelines.ingest.stage import GX_RESULT, staged_tables
from pipelines.privacy import log_error
from pipelines.runtime import trim_heap
from pipelines.settings import Settings

GX_TABLES = ("claims", "claim_lines", "remit_claims", "remit_lines", "remit_adjustments", *EXTRACTS)
SLICE_ROWS = 100_000  # rows of a large staged table per GX call (GX validates pandas frames)


def validate_staged(out: Outcome, settings: Settings) -> Outcome:
    return validate_staged_many([out], settings)[0]


def validate_staged_many(outcomes: list[Outcome], settings: Settings) -> list[Outcome]:
    pending = [o for o in outcomes if o.status not in (DUPLICATE, REJECTED, NOT_LOADED) and o.staged_dir]
    if pending:
        _validate_group(pending, settings)
    return outcomes


def _merge(a: dict, b: dict) -> dict:
    out = {"success": a["success"] and b["success"], "tables": dict(a["tables"])}
    for t, r in b["tables"].items():
        if t in out["tables"]:
            prev = out["tables"][t]
            out["tables"][t] = {"success": prev["success"] and r["success"], "rows": prev["rows"] + r["rows"],
                                "evaluated": r["evaluated"], "failed": prev["failed"] + r["failed"]}  # fmt: skip
        else:
            out["tables"][t] = r
    return out


def _validate(group: list[Outcome], kept: list) -> dict:
    from expectations.run import validate_tables  # GX import is heavy: only when a batch needs it

    # GX costs ~0.1 s a call whatever the rows: one call per table for the group's small tables; a large
    # staged table (an extract, a big X12 file) in slices, so memory stays near one slice
    eager: dict[str, list[pl.DataFrame]] = {t: [] for t in GX_TABLES}
    large = []
    for o in group:
        for t, staged in staged_tables(Path(o.staged_dir)).items():
            if t in GX_TABLES and staged.frame is not None:
                eager[t].append(staged.frame)
            elif t in GX_TABLES:
                large.append((t, staged))
    result = validate_tables({t: pl.concat(fs) for t, fs in eager.items() if fs}, kept)
    for t, staged in large:
        for part in staged.slices(SLICE_ROWS):
            result = _merge(result, validate_tables({t: part}, kept))
            trim_heap()  # pandas' freed slice back to the system (pipelines.runtime)
    return result


def _validate_group(group: list[Outcome], settings: Settings) -> None:
    from expectations.docs import keep_results

    kept: list = []
    try:
        result = _validate(group, kept)
    except Exception as e:  # noqa: BLE001 - a file that breaks the gate is rejected, the others carry on
        if len(group) > 1:
            mid = len(group) // 2
            _validate_group(group[:mid], settings)
            _validate_group(group[mid:], settings)
            return
        out = group[0]
        log = log_error(settings, f"validating {out.file_name} (file id {out.file_id})", e)
        out.status = REJECTED
        out.gx_success = False
        out.reasons.append(f"{out.file_name}: the data checks could not run on it ({type(e).__name__}); "
                           f"the details are in the private error log {log}")  # fmt: skip
        out.reason_counts["GX_ERROR"] = 1
        return
    if result["success"] or len(group) == 1:
        name = group[0].file_name + (f" and {len(group) - 1} more" if len(group) > 1 else "")
        keep_results(kept, settings, run_name=f"ingest {name}", build_docs=False)  # GX's record (Data Docs)
        for o in group:
            _record_gx(o, result, len(group))
        return
    mid = len(group) // 2
    _validate_group(group[:mid], settings)
    _validate_group(group[mid:], settings)


def _record_gx(out: Outcome, result: dict, group_size: int) -> None:
    if not result["success"] or out.status == PARTIAL:  # the result goes with the file to quarantine/
        staged = Path(out.staged_dir)
        staged.mkdir(parents=True, exist_ok=True)
        (staged / GX_RESULT).write_text(json.dumps({**result, "files_in_batch": group_size}, indent=2,
                                                   default=str))  # fmt: skip
    out.gx_success = result["success"]
    if not result["success"]:
        out.status = REJECTED
        for t, r in result["tables"].items():
            for f in r["failed"]:
                out.reasons.append(
                    f"{out.file_name}: GX {t}.{f['column']} {f['expectation']} failed "
                    f"({f['unexpected_count']} unexpected rows)"
                )
                out.reason_counts["GX_FAILED"] = out.reason_counts.get("GX_FAILED", 0) + 1
