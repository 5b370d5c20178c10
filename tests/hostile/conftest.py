"""Files a billing office really receives, and what revcycle must do with each: load it completely, or
quarantine it with a reason that names the place and kind of problem — and never stop the other files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli.main import main
from tests.conftest import DEMO

REMIT = DEMO / "remit_835_medicare_20240126.x12"
REMIT_BCBS = DEMO / "remit_835_bcbs_20240202.x12"
CLAIMS = DEMO / "claims_837p_20240105.x12"
ENCOUNTERS = DEMO / "encounters_202401.csv"


def published(settings, table: str) -> pl.DataFrame:
    return pl.read_parquet(settings.batches_dir / "*" / f"{table}.parquet")


def reasons(settings) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(settings.quarantine_dir.glob("*/reason.json"))]


def ingest(settings, capsys, *paths) -> tuple[int, str, str]:
    rc = main(["ingest", *map(str, paths)])
    out = capsys.readouterr()
    return rc, out.out, out.err


def land(settings, *sources: Path, names: list[str] | None = None) -> list[Path]:
    """Copy files into landing/ (optionally under other names)."""
    landed = []
    for i, src in enumerate(sources):
        dest = settings.landing_dir / (names[i] if names else src.name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        landed.append(dest)
    return landed


@pytest.fixture
def good_files(settings) -> list[Path]:
    """Three good files that must load whatever else is in the same drop."""
    return land(settings, REMIT, CLAIMS, ENCOUNTERS)


def assert_good_files_loaded(settings) -> None:
    ids = set(published(settings, "files")["file_name"])
    assert {REMIT.name, CLAIMS.name, ENCOUNTERS.name} <= ids
    assert published(settings, "remit_claims").height >= 3
