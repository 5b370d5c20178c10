"""The ICD-10-CM code set the pre-bill scrubber checks diagnoses against, written once per data root from the
release the simple-icd-10-cm package ships (ICD-10-CM is published by CDC/CMS and in the public domain; the
package holds the files, so nothing is downloaded).

``reference/icd10cm/icd10cm-<package version>.parquet``: every category and code without its dot, whether it
is billable (a leaf: no code below it), whether its title says "unspecified", and, for an unspecified code,
whether a code beside it (same parent) is specified — the "unspecified when a specified code exists" edit.
"""

from __future__ import annotations

import functools
import os
from importlib.metadata import version
from pathlib import Path

import polars as pl

KIND = "icd10cm"
SCHEMA = pl.Schema({"code": pl.String, "is_billable": pl.Boolean, "is_unspecified": pl.Boolean,
                    "has_specified_sibling": pl.Boolean})  # fmt: skip


@functools.cache  # ~2 s: once per process, however many data roots it lays out (the test suite's many)
def icd10cm_frame() -> pl.DataFrame:
    import simple_icd_10_cm as icd

    codes = [c for c in icd.get_all_codes(with_dots=False) if "-" not in c and not c.isdigit()]
    leaf = {c: icd.is_leaf(c) for c in codes}
    unspecified = {c: "unspecified" in icd.get_description(c).lower() for c in codes}
    rows = []
    for c in codes:
        sibling = False
        parent = icd.get_parent(c).replace(".", "")
        if leaf[c] and unspecified[c] and "-" not in parent:  # beside it in its own category, not its block
            sibling = any(leaf.get(s.replace(".", "")) and not unspecified.get(s.replace(".", ""))
                          for s in icd.get_children(parent) if s.replace(".", "") != c)  # fmt: skip
        rows.append((c, leaf[c], unspecified[c], sibling))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def ensure_icd10cm(reference_dir: Path) -> Path:
    """The code set's file under the reference folder, written (aside, then renamed in) when missing."""
    folder = reference_dir / KIND
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"icd10cm-{version('simple-icd-10-cm')}.parquet"
    if not target.exists():
        tmp = folder / f".{target.name}.{os.getpid()}.tmp"
        icd10cm_frame().write_parquet(tmp)
        os.replace(tmp, target)
    return target
