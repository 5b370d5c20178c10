"""Great Expectations' own record of every check: validation results kept in a file-backed context under the data
root (``<home>/gx``) and its Data Docs site rebuilt after each build.

The validations themselves run in the fast in-memory context (expectations.run); their result objects are then
stored here, so the two never disagree.  Results carry counts, never values (expectations.run.RESULT_FORMAT):
the site holds no patient data beyond what the suites themselves name (value sets, ranges).  Writers take a
file lock: Airflow's mapped ingest tasks store results at the same time, and GX's stores are not safe for that.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from pathlib import Path

from pipelines.locks import file_lock
from pipelines.settings import Settings


def data_docs_index(settings: Settings) -> Path:
    return settings.data_docs_dir / "index.html"


@functools.cache
def _file_context_at(home: str):
    """One per process and data root: opening the context and writing the suites costs ~0.5 s, paid once."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from expectations.marts import MART_SUITES
    from expectations.suites import SUITES

    ctx = gx.get_context(mode="file", project_root_dir=home)
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    # the suites as they are now: the site's expectation pages, and what each stored result names
    for build in (*SUITES.values(), *MART_SUITES.values()):
        ctx.suites.add_or_update(build())
    return ctx


def keep_results(
    results: list[tuple[str, object]], settings: Settings, run_name: str, build_docs: bool
) -> list:
    """Store these (table, validation result) pairs under one run; with build_docs, render them, the pages
    stored since the last rendering, and the index.  Returns the stored keys.  The record is a report: a
    failure here is logged privately and never fails the ingest or the build that called it."""
    from pipelines.privacy import log_error

    try:
        return _keep(results, settings, run_name, build_docs)
    except Exception as e:  # noqa: BLE001
        log_error(settings, f"keeping the data checks of {run_name} for the Data Docs", e)
        return []


def _keep(results: list[tuple[str, object]], settings: Settings, run_name: str, build_docs: bool) -> list:
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    if not results and not build_docs:
        return []
    run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
    pending = settings.gx_dir / "uncommitted" / "not_rendered.jsonl"  # stored since the site was built
    with file_lock(settings.home / ".gx.lock"):
        ctx = _file_context_at(str(settings.home))
        keys = []
        for i, (table, result) in enumerate(results):
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
                run_id=run_id,
                batch_identifier=f"{table}-{i}",
            )
            ctx.validation_results_store.set(key, result)
            keys.append(key)
        if not build_docs:
            with open(pending, "a") as fh:
                fh.writelines(json.dumps(list(k.to_tuple())) + "\n" for k in keys)
            return keys
        earlier = [
            ValidationResultIdentifier.from_tuple(tuple(json.loads(line)))
            for line in (pending.read_text().splitlines() if pending.exists() else [])
            if line.strip()
        ]
        # only the pages not on disk yet, and the index: the site's cost does not grow with its history
        ctx.build_data_docs(resource_identifiers=[*earlier, *keys] or None)
        pending.unlink(missing_ok=True)
    return keys
