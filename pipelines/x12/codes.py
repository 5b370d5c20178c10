"""The X12 code lists the parsers validate against, read from the dbt seeds that label them in the warehouse:
one file per list, so the Python engine, the compiled core (which compiles the same files in, lib.rs) and the
marts never disagree on what a valid CLP02, CAS01, CLM05-3 or IK501/AK901 is."""

from __future__ import annotations

import csv
from functools import cache

from pipelines.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


@cache
def seed_codes(seed: str, where: str | None = None) -> frozenset[str]:
    """The first column of ``seeds/<seed>.csv``; with ``where``, only rows whose column of that name is true."""
    with open(SEEDS / f"{seed}.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    key = next(iter(rows[0]))
    return frozenset(r[key] for r in rows if where is None or r[where].strip().lower() == "true")


CLP_STATUS_CODES = seed_codes("claim_status")  # CLP02 (X12 code list 1029, the codes 005010 uses)
# CAS01; CR (corrections and reversals) existed only in 4010: 5010 reversals resend the original groups
CAS_GROUP_CODES = seed_codes("cas_group")
FREQUENCY_CODES = seed_codes("claim_frequency")  # CLM05-3 (NUBC)
# IK501 (set) and AK901 (group; P, partially accepted, is a group's only)
GROUP_STATUS_CODES = seed_codes("ack_status")
SET_STATUS_CODES = GROUP_STATUS_CODES - seed_codes("ack_status", where="group_only")
REJECTED_STATUS_CODES = seed_codes("ack_status", where="is_rejected")
