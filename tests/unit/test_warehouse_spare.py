"""The spare warehouse: the file a publish replaced is kept and brought up to date block by block as the next
build's starting point.  What must hold: the result is the published file byte for byte (on the DuckDB this
project pins), only differing blocks are copied, and a spare that someone else may still read or that has
another name is never written."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb

from pipelines.warehouse.build import REPLACED_PREFIX, CopyAhead, prepare_build, publish_build
from pipelines.warehouse.spare import SPARE_NAME, copy_published, spare_path, sync_blocks
from tests.conftest import make_settings


def _database(path, rows: int, seed: int = 0) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table claims as select range as id, md5((range + {seed})::varchar) as k, "
                    f"range * 1.5 as amount from range({rows})")  # fmt: skip
        con.execute("create table lines as select range as id, range % 97 as code from range(200000)")
        con.execute("checkpoint")


def _change(path) -> None:
    """What a day's incremental build does: delete and insert rows, replace one table, add another."""
    with duckdb.connect(str(path)) as con:
        con.execute("delete from claims where id % 50 = 0")
        con.execute("insert into claims select range + 10000000, md5(range::varchar), 1 from range(30000)")
        con.execute(
            "create or replace table lines as select range as id, range % 89 as code from range(180000)"
        )
        con.execute("create table findings as select range as id from range(5000)")
        con.execute("checkpoint")


def test_a_spare_a_day_behind_becomes_the_published_file_copying_only_what_changed(tmp_path):
    published, spare = tmp_path / "warehouse.duckdb", tmp_path / "spare.duckdb"
    _database(published, 400000)
    spare.write_bytes(published.read_bytes())
    _change(published)

    report = sync_blocks(published, spare)

    assert spare.read_bytes() == published.read_bytes()
    assert report.how == "spare" and 0 < report.blocks_copied < report.blocks
    with duckdb.connect(str(spare), read_only=True) as con:
        assert con.execute("select count(*) from findings").fetchone() == (5000,)


def test_any_file_is_a_valid_spare(tmp_path):
    published, spare = tmp_path / "warehouse.duckdb", tmp_path / "spare.duckdb"
    _database(published, 100000)
    _database(spare, 600000, seed=7)  # an unrelated, larger warehouse: everything differs, the tail is cut
    sync_blocks(published, spare)
    assert spare.read_bytes() == published.read_bytes()


def test_publish_keeps_the_replaced_warehouse_and_the_next_build_starts_from_it(tmp_path):
    s = make_settings(tmp_path / "home")
    s.home.mkdir(parents=True)
    _database(s.build_warehouse_path, 100000)
    publish_build(s)
    _database(s.build_warehouse_path, 100000, seed=1)
    publish_build(s)
    assert spare_path(s.warehouse_path).exists()  # the first warehouse, kept

    ahead = CopyAhead(s)
    copy = ahead.take()

    assert copy is not None and copy.read_bytes() == s.warehouse_path.read_bytes()
    assert ahead.report.how == "spare"
    assert not spare_path(s.warehouse_path).exists()  # taken: it is the build file now


def test_a_spare_a_reader_still_holds_is_left_alone(tmp_path):
    published, dest = tmp_path / "warehouse.duckdb", tmp_path / "build.duckdb"
    _database(published, 50000)
    spare = spare_path(published)
    _database(spare, 50000, seed=3)
    before = spare.read_bytes()
    hold = "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); sys.stdin.read()"
    reader = subprocess.Popen([sys.executable, "-c", hold, str(spare)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert reader.stdout.readline().strip() == "open"
        report = copy_published(published, dest)
    finally:
        reader.communicate("")
    assert report.how == "copy" and dest.read_bytes() == published.read_bytes()
    assert spare.read_bytes() == before


def test_a_spare_this_process_reads_is_left_alone(tmp_path):
    published, dest = tmp_path / "warehouse.duckdb", tmp_path / "build.duckdb"
    _database(published, 50000)
    spare = spare_path(published)
    _database(spare, 50000, seed=3)
    with duckdb.connect(str(spare), read_only=True):
        assert copy_published(published, dest).how == "copy"
    assert spare.exists()


def test_a_replaced_warehouse_with_another_name_is_not_kept(tmp_path):
    s = make_settings(tmp_path / "home")
    s.home.mkdir(parents=True)
    _database(s.build_warehouse_path, 50000)
    publish_build(s)
    snapshot = tmp_path / "snapshot.duckdb"
    os.link(s.warehouse_path, snapshot)  # a backup by hard link: writing the spare would change it
    _database(s.build_warehouse_path, 50000, seed=1)
    publish_build(s)
    assert not spare_path(s.warehouse_path).exists()


def test_no_spare_when_turned_off(tmp_path):
    s = make_settings(tmp_path / "home", spare_warehouse=False)
    s.home.mkdir(parents=True)
    for seed in (0, 1):
        _database(s.build_warehouse_path, 50000, seed=seed)
        publish_build(s)
    assert not spare_path(s.warehouse_path).exists()


def test_each_publish_keeps_the_warehouse_it_replaced_the_older_spare_deleted(tmp_path):
    s = make_settings(tmp_path / "home")
    s.home.mkdir(parents=True)
    for seed in (0, 1, 2):
        _database(s.build_warehouse_path, 50000, seed=seed)
        publish_build(s)
    with duckdb.connect(str(spare_path(s.warehouse_path)), read_only=True) as con:
        assert con.execute("select k from claims where id = 0").fetchone()[0] == md5_of(
            1
        )  # the second, not the first
    deadline = time.monotonic() + 30  # the superseded spare is deleted in the background
    while [p for p in s.home.iterdir() if p.name.startswith(REPLACED_PREFIX)] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(p.name for p in s.home.iterdir()) == sorted(["warehouse.duckdb", SPARE_NAME])


def test_a_failed_builds_file_is_kept_as_the_spare_when_there_is_none(tmp_path):
    s = make_settings(tmp_path / "home")
    s.batches_dir.mkdir(parents=True)
    _database(s.build_warehouse_path, 50000)
    with duckdb.connect(str(s.build_warehouse_path)) as con:  # the build ledger: no raw batch loaded
        con.execute("create table int_build_batches (_source_batch varchar)")
    publish_build(s)
    _database(s.build_warehouse_path, 50000, seed=4)  # a build that failed: its file left behind
    published = s.warehouse_path.read_bytes()
    path, started_from = prepare_build(s)
    assert path.read_bytes() == published
    assert started_from.startswith("spare warehouse brought up to date")


def md5_of(seed: int) -> str:
    import hashlib

    return hashlib.md5(str(seed).encode()).hexdigest()


def test_a_spare_that_cannot_be_brought_up_to_date_gives_way_to_a_whole_copy(tmp_path):
    published, dest = tmp_path / "warehouse.duckdb", tmp_path / "build.duckdb"
    published.write_bytes(b"not a database" * 1000)
    _database(spare_path(published), 1000)
    report = copy_published(published, dest)
    assert report.how == "copy" and dest.read_bytes() == published.read_bytes()
