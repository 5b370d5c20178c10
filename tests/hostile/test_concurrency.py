"""Two ingests on one home, and a disk that fills up: no crash, no double load, nothing published half."""

from __future__ import annotations

import errno
import json
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


def _ingest_cli(home, drop, **env) -> dict:
    cmd = [sys.executable, "-m", "pipelines.cli.main", "ingest", "--json", str(drop)]
    proc = subprocess.run(cmd, check=False, env={**os.environ, "REVCYCLE_HOME": str(home), **env}, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert "Traceback" not in proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_an_ingest_over_worker_processes_loads_what_one_process_loads(tmp_path):
    """`revcycle ingest` spreads groups of files over processes: the same files published, the same rows, the
    same quarantine, duplicates in different groups loaded once (whichever copy's group publishes first),
    outcomes in the order of the files."""
    drop = tmp_path / "drop"
    drop.mkdir()
    for f in sorted(DEMO.iterdir()):
        for copy in range(3):  # the same bytes under three names, in different groups of two
            shutil.copyfile(f, drop / f"{copy}_{f.name}")
    (drop / "9_broken.x12").write_text("ISA*00*garbage")
    one = _ingest_cli(tmp_path / "one", drop, REVCYCLE_INGEST_WORKERS="1", REVCYCLE_INGEST_GROUP_FILES="2")
    two = _ingest_cli(tmp_path / "two", drop, REVCYCLE_INGEST_WORKERS="2", REVCYCLE_INGEST_GROUP_FILES="2")
    names = sorted(p.name for p in drop.iterdir())
    assert [f["file_name"] for f in two["files"]] == [f["file_name"] for f in one["files"]] == names

    def by_content(run):  # the statuses of the three copies of each file, in any order
        out = {}
        for f in run["files"]:
            out.setdefault(f["file_name"].split("_", 1)[1], []).append(f["status"])
        return {name: sorted(statuses) for name, statuses in out.items()}

    assert by_content(two) == by_content(one)
    assert all(s.count("accepted") == 1 for name, s in by_content(two).items() if name != "broken.x12")
    for table in ("files", "claims", "claim_lines", "remit_claims", "remit_adjustments", "encounters"):
        a = pl.read_parquet(tmp_path / "one" / "raw" / "batches" / "*" / f"{table}.parquet")
        b = pl.read_parquet(tmp_path / "two" / "raw" / "batches" / "*" / f"{table}.parquet")
        assert b.height == a.height > 0, table
    files = pl.read_parquet(tmp_path / "two" / "raw" / "batches" / "*" / "files.parquet")
    assert files.height == files["file_id"].n_unique() == len(list(DEMO.iterdir()))
    assert len(list((tmp_path / "two" / "quarantine").glob("*/reason.json"))) == 1
    assert len({f["status"] for f in two["files"]} - {"accepted", "duplicate", "rejected"}) == 0


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
