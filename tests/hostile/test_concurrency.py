"""Two ingests on one home, and a disk that fills up: no crash, no double load, nothing published half."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys

import polars as pl

from pipelines.ingest import ingest_paths, load_landing
from tests.conftest import DEMO
from tests.hostile.conftest import CLAIMS, REMIT, land, published


def test_two_ingests_on_one_home_load_every_file_once(settings, tmp_path):
    """Two `revcycle ingest` processes over the same drop at the same time (each has its own staging area;
    publishing is under one lock): both finish cleanly, every file is published exactly once."""
    drop = tmp_path / "drop"
    drop.mkdir()
    for f in DEMO.iterdir():
        for copy in range(3):  # the same bytes under several names too
            shutil.copyfile(f, drop / f"{copy}_{f.name}")
    env = {**os.environ, "REVCYCLE_HOME": str(settings.home)}
    cmd = [sys.executable, "-m", "pipelines.cli.main", "ingest", str(drop)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]  # fmt: skip
    results = [p.communicate(timeout=300) for p in procs]
    for (out, err), p in zip(results, procs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in out + err
    files = published(settings, "files")
    assert files.height == len(list(DEMO.iterdir()))
    assert files["file_id"].n_unique() == files.height
    assert (
        published(settings, "remit_claims")["remit_claim_key"].n_unique()
        == published(settings, "remit_claims").height
    )
    assert not any(p for p in settings.staging_dir.iterdir() if any(p.iterdir()))  # nothing left staged


def test_a_full_disk_publishes_nothing_and_keeps_the_files(settings, monkeypatch, capsys):
    from pipelines.cli.main import main

    land(settings, REMIT, CLAIMS)
    real = pl.DataFrame.write_parquet

    def full(self, file, *args, **kwargs):
        if "batch-" in str(file):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real(self, file, *args, **kwargs)

    import pyarrow.parquet as pq

    from pipelines.ingest import ensure_layout

    ensure_layout(settings)
    before = sorted(p.name for p in settings.batches_dir.iterdir())
    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    monkeypatch.setattr(pq, "ParquetWriter", _FullWriter)
    assert main(["ingest", str(settings.landing_dir)]) == 1
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    assert "the disk is full (writing under" in cap.err and str(settings.batches_dir) in cap.err
    assert sorted(p.name for p in settings.batches_dir.iterdir()) == before  # nothing half-published
    assert sorted(p.name for p in settings.landing_dir.iterdir() if p.is_file()) == sorted(
        [REMIT.name, CLAIMS.name]
    )
    monkeypatch.undo()
    # space again: the next run loads them
    landed = load_landing(settings)
    assert sorted(o.status for o in landed.outcomes) == ["accepted", "accepted"]


class _FullWriter:
    def __init__(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))


def test_a_file_removed_between_listing_and_reading_is_not_a_failure(settings):
    [gone] = land(settings, REMIT)
    staged_paths = [gone]
    gone.unlink()
    [out] = ingest_paths(staged_paths, settings)
    assert out.status == "not_loaded" and "no such file" in out.reasons[0]
