"""What the CLI prints while it ingests: a progress bar on a terminal, the files that need attention, and one
line for the lot.  Every file's outcome also goes to ``runs/ingest.jsonl`` (one JSON object per file, no data
values: pipelines.ingest.outcome), which `-v` prints as it goes."""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.x12.findings import plural

if TYPE_CHECKING:  # the ingest package imports polars and the parser: not for `revcycle --version`
    from pipelines.ingest.outcome import Outcome
    from pipelines.settings import Settings

# 837 and 835 files count claims; a 999 answers transaction sets, a 277CA claims; extracts count rows
_CLAIM_TYPES = ("837P", "837I", "835", "277CA")


def print_failed(outcomes: list[Outcome]) -> int:
    """Each file that was rejected, partly loaded or could not be finished, with its first reasons, on stderr;
    1 if there was any."""
    bad = 0
    for o in outcomes:
        if not o.failed:
            continue
        bad += 1
        print(o.summary_line(), file=sys.stderr)
        for r in o.reasons[:10]:
            print(f"  {r}", file=sys.stderr)
        if len(o.reasons) > 10:
            print(f"  ... {len(o.reasons) - 10} more (see {o.quarantine_dir}/reason.json)", file=sys.stderr)
        if o.quarantine_dir:
            print(f"  quarantined: {o.quarantine_dir}", file=sys.stderr)
    return 1 if bad else 0


def print_each(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        if not o.failed:
            print(o.summary_line())


def summary_line(outcomes: list[Outcome]) -> str:
    """One line for a whole ingest: files by status, megabytes, claims (X12) and rows (extracts)."""
    status = Counter(o.status for o in outcomes)
    mb = sum(o.size_bytes for o in outcomes) / 1e6
    counts = [
        f"{status[s]:,} {label}"
        for s, label in (
            ("accepted", "accepted"),
            ("partial", "partly loaded"),
            ("rejected", "quarantined"),
            ("duplicate", "already loaded"),
            ("not_loaded", "left for the next run"),
        )
        if status[s]
    ]
    loaded = [o for o in outcomes if o.status in ("accepted", "partial")]
    rows = sum(o.lines for o in loaded if o.kind in ("encounters", "patient_payments"))
    by_type = (
        (("837P", "837I"), "billed (837)"),
        (("835",), "in remittances (835)"),
        (("277CA",), "acknowledged (277CA)"),
    )
    what = []
    for types, label in by_type:
        n = sum(o.claims for o in loaded if o.file_type in types)
        if n:
            what.append(f"{plural(n, 'claims')} {label}")
    if rows:
        what.append(f"{plural(rows, 'rows')} of extracts")
    return f"ingest: {plural(len(outcomes), 'files')} ({mb:,.1f} MB): {', '.join(counts)}" + (
        f"; {', '.join(what)}" if what else ""
    )


def log_outcomes(outcomes: list[Outcome], settings: Settings) -> Path:
    """Append every file's outcome to runs/ingest.jsonl (the record -v prints and scripts read)."""
    from pipelines.privacy import append_private

    path = settings.runs_dir / "ingest.jsonl"
    at = datetime.now(UTC).isoformat(timespec="seconds")
    append_private(path, "".join(json.dumps({"at": at, **o.to_dict()}) + "\n" for o in outcomes),
                   settings.run_log_max_bytes)  # fmt: skip
    return path


@contextmanager
def ingest_progress(enabled: bool):
    """A rich progress bar over the files about to be ingested (files, MB, claims, rejects), on stderr and only
    on a terminal.  Yields (on_scan, on_staged) for pipelines.ingest.load_landing / ingest_paths."""
    if not enabled or not sys.stderr.isatty():
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "{task.fields[mb]:,.0f} MB  {task.fields[claims]:,} claims  {task.fields[rejects]:,} rejected"
        ),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("ingest", total=None, mb=0.0, claims=0, rejects=0)
    seen = {"mb": 0.0, "claims": 0, "rejects": 0}

    def on_scan(paths: list[Path]) -> None:
        progress.update(task, total=len(paths))

    def on_staged(o: Outcome) -> None:
        seen["mb"] += o.size_bytes / 1e6
        seen["claims"] += o.claims if o.file_type in _CLAIM_TYPES else 0
        seen["rejects"] += o.status == "rejected"
        progress.update(task, advance=1, **seen)

    with progress:
        yield on_scan, on_staged
