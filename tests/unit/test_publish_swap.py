"""publish_build swaps a finished build over the published warehouse; the replaced file is deleted after the
swap, not in it, and a reader that opened it before keeps reading it."""

from __future__ import annotations

import os
import time

import duckdb

from pipelines.warehouse.build import REPLACED_PREFIX, publish_build, replaced_path
from tests.conftest import make_settings


def _build(settings, value: int) -> None:
    con = duckdb.connect(str(settings.build_warehouse_path))
    con.execute("create or replace table t as select ? as v", [value])
    con.close()


def _replaced_files(settings) -> list[str]:
    return sorted(p.name for p in settings.home.glob(f"{REPLACED_PREFIX}*"))


def _wait_for_own_delete(settings) -> None:
    """publish_build deletes the files it replaced after the swap, in the background: wait (a while) for them."""
    deadline = time.monotonic() + 30
    while any(settings.home.glob(f"{REPLACED_PREFIX}{os.getpid()}.*")) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_swap_publishes_the_build_and_deletes_the_replaced_file(tmp_path):
    s = make_settings(
        tmp_path / "home", spare_warehouse=False
    )  # else kept as the spare (test_warehouse_spare.py)
    s.home.mkdir(parents=True)
    _build(s, 1)
    publish_build(s)  # nothing published before: nothing to delete
    reader = duckdb.connect(str(s.warehouse_path), read_only=True)  # a dashboard's reader on build one
    _build(s, 2)
    publish_build(s)
    _wait_for_own_delete(s)
    assert _replaced_files(s) == []
    assert not s.build_warehouse_path.exists()
    assert reader.execute("select v from t").fetchall() == [(1,)]  # the open file lives on for its reader
    reader.close()
    with duckdb.connect(str(s.warehouse_path), read_only=True) as con:
        assert con.execute("select v from t").fetchall() == [(2,)]


def test_publishes_in_one_process_keep_what_they_replaced_under_names_of_their_own(tmp_path):
    """A second publish must not take the name of a file the first is still deleting (it would delete that
    file inside its own swap)."""
    s = make_settings(tmp_path / "home")
    first, second = replaced_path(s.warehouse_path), replaced_path(s.warehouse_path)
    assert first != second
    assert first.name.startswith(f"{REPLACED_PREFIX}{os.getpid()}.")


def test_a_killed_publishs_replaced_file_is_removed(tmp_path):
    s = make_settings(tmp_path / "home")
    s.home.mkdir(parents=True)
    dead = s.home / f"{REPLACED_PREFIX}999999999.duckdb"  # no such process
    live = s.home / f"{REPLACED_PREFIX}{os.getppid()}.duckdb"  # a running process still deleting its own
    dead.write_bytes(b"old")
    live.write_bytes(b"old")
    _build(s, 1)
    publish_build(s)
    _wait_for_own_delete(s)
    assert _replaced_files(s) == [live.name]
