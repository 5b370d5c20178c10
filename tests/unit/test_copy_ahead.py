"""`revcycle run` copies the published warehouse while it ingests; the build continues that copy only if it
is still of the warehouse published when the build starts."""

from __future__ import annotations

import os

from pipelines.warehouse.build import CopyAhead
from tests.conftest import make_settings


def _publish(settings, content: bytes) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    tmp = settings.warehouse_path.with_suffix(".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, settings.warehouse_path)  # as publish_build swaps a build in


def _left(settings) -> list[str]:
    return sorted(p.name for p in settings.home.glob(".warehouse.ahead-*"))


def test_the_copy_of_the_current_warehouse_is_taken(tmp_path):
    s = make_settings(tmp_path / "home")
    _publish(s, b"warehouse one" * 1000)
    copy = CopyAhead(s).take()
    assert copy is not None and copy.read_bytes() == s.warehouse_path.read_bytes()


def test_a_warehouse_published_meanwhile_voids_the_copy(tmp_path):
    s = make_settings(tmp_path / "home")
    _publish(s, b"warehouse one" * 1000)
    ahead = CopyAhead(s)
    _publish(s, b"warehouse two" * 1000)  # another build published while the run ingested
    assert ahead.take() is None
    assert _left(s) == []


def test_nothing_published_nothing_copied(tmp_path):
    s = make_settings(tmp_path / "home")
    s.home.mkdir(parents=True)
    ahead = CopyAhead(s)
    assert ahead.take() is None
    ahead.discard()
    assert _left(s) == []


def test_a_killed_runs_copy_is_removed_and_a_live_ones_kept(tmp_path):
    s = make_settings(tmp_path / "home")
    _publish(s, b"warehouse one")
    dead = s.home / ".warehouse.ahead-999999999.duckdb"  # no such process
    live = s.home / f".warehouse.ahead-{os.getppid()}.duckdb"  # a running process's copy in progress
    dead.write_bytes(b"partial")
    live.write_bytes(b"partial")
    ahead = CopyAhead(s)
    ahead.discard()
    assert _left(s) == [live.name]
