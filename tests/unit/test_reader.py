"""The dashboard's shared read-only connection (pipelines.warehouse.read.Reader) against the build's swap."""

from __future__ import annotations

import os

from pipelines.settings import duckdb_connect
from pipelines.warehouse.read import Reader
from tests.conftest import make_settings


def _publish(settings, value: int) -> None:
    """What the build does: write a new file beside the published one, then swap it over."""
    new = settings.warehouse_path.with_suffix(".new")
    with duckdb_connect(new, settings=settings) as con:
        con.execute("create table t as select ? as v", [value])
    os.replace(new, settings.warehouse_path)


def test_a_reader_opened_after_a_swap_reads_the_new_file(tmp_path):
    s = make_settings(tmp_path / "home")
    s.ensure_dirs()
    _publish(s, 1)
    old = Reader(s)
    assert old.query("select v from t").item() == 1
    _publish(s, 2)
    # the old file is still open in this process: a connection by path would be handed its instance
    new = Reader(s)
    assert new.query("select v from t").item() == 2
    assert new.version == s.warehouse_path.stat().st_mtime
    assert old.query("select v from t").item() == 1  # a reader keeps the build it opened


def test_a_reader_has_the_project_limits(tmp_path):
    s = make_settings(tmp_path / "home", duckdb_memory_limit="512MiB")
    s.ensure_dirs()
    _publish(s, 1)
    limit = Reader(s).query("select current_setting('memory_limit') as m").item()
    assert limit == "512.0 MiB"


def test_queries_from_several_threads(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    s = make_settings(tmp_path / "home")
    s.ensure_dirs()
    _publish(s, 7)
    r = Reader(s)
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda i: r.query("select v + ? as w from t", [i]).item(), range(40)))
    assert got == [7 + i for i in range(40)]
