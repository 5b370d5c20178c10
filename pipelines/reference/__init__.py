"""Reference data the integrity rules need, read from the files users bring in their official layouts.

Kinds (docs/integrity.md, §5): CMS NCCI PTP edits, CMS MUE values, the OIG LEIE exclusion list, physician
time per HCPCS (CMS PFS "Physician Time" / RUC), and patient death dates (patient master / ADT or a
death-master match).  A file is recognised from its content, parsed into typed Parquet under
``reference/<kind>/<file_id>.parquet`` (file id = content hash, so loading twice is a no-op and a
new quarter is a new file beside the old ones) and read by dbt as the ``reference`` source.

Reference data must be complete to be trusted: a single bad row rejects the whole file, with the
file name and line in the error, and the file goes to quarantine with its reason.
"""

from pipelines.reference.layouts import RULE_INPUTS
from pipelines.reference.load import (
    KINDS,
    LoadResult,
    ReferenceFileError,
    detect_reference_kind,
    ensure_reference_layout,
    load_landed_reference,
    load_reference_file,
    parse_reference_file,
)

__all__ = [
    "KINDS",
    "RULE_INPUTS",
    "LoadResult",
    "ReferenceFileError",
    "detect_reference_kind",
    "ensure_reference_layout",
    "load_landed_reference",
    "load_reference_file",
    "parse_reference_file",
]
