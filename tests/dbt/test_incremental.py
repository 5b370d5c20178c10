"""Incremental staging: building after each new drop of files gives exactly the warehouse a full refresh
builds from all the raw batches (every base table, row for row)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.build import FINGERPRINT_TABLE, build_warehouse
from pipelines.generate import Config, generate
from pipelines.ingest import ingest_paths
from pipelines.settings import PROJECT_ROOT
from tests.conftest import make_settings


def _tables(path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main' "
            "and table_type = 'BASE TABLE' and table_name <> ? order by 1", [FINGERPRINT_TABLE]).fetchall()]  # fmt: skip
        out = {}
        for n in names:
            if n == "int_touched_chains":  # this build's work list: empty after a build from nothing
                continue
            df = pl.from_arrow(con.sql(f'select * from "{n}"').to_arrow_table())
            # which build wrote a row is lineage, not content: the rows themselves must be equal
            df = df.drop([c for c in ("_build_seq", "build_seq") if c in df.columns])
            out[n] = df.sort(df.columns, nulls_last=True) if df.height else df
        return out
    finally:
        con.close()


def test_incremental_builds_equal_a_full_refresh(tmp_path):
    cfg = Config(out=tmp_path / "world", claims=1500, seed=11, months=3, start=date(2024, 1, 1))
    generate(cfg, progress=False)
    s = make_settings(tmp_path / "home")
    s.ensure_dirs()
    files = sorted(p for p in (cfg.out / "landing").rglob("*") if p.is_file())
    # three drops: claims of the first weeks, then more, then the rest (chains span the drops)
    drops = [
        files[: len(files) // 3],
        files[len(files) // 3 : 2 * len(files) // 3],
        files[2 * len(files) // 3 :],
    ]
    for drop in drops:
        ingest_paths(drop, s)
        build_warehouse(s)
    compiled = (PROJECT_ROOT / "dbt_project" / "target" / "compiled" / "revcycle" / "models" / "staging" / "x12"
                / "stg_x12__claim_lines.sql").read_text()  # fmt: skip
    assert "not in ('g-" in compiled  # the last build skipped the batches it had already loaded
    incremental = _tables(s.warehouse_path)

    build_warehouse(s, full_refresh=True)
    full = _tables(s.warehouse_path)
    assert incremental.keys() == full.keys()
    assert incremental["stg_x12__claim_lines"].height > 0
    for name in full:
        assert incremental[name].equals(full[name]), name

    # raw data removed since the last build: appending cannot take rows out, so the build starts over
    gone = next(p for p in sorted(s.batches_dir.iterdir()) if p.name.startswith("g-"))
    import shutil

    shutil.rmtree(gone)
    build_warehouse(s)
    after = _tables(s.warehouse_path)["stg_x12__claim_lines"]
    assert gone.name not in set(after["_source_batch"])
    assert 0 < after.height < full["stg_x12__claim_lines"].height


def test_the_build_knows_every_incremental_model(settings):
    from pipelines.build import incremental_models

    models = PROJECT_ROOT / "dbt_project" / "models"
    texts = {p.stem: p.read_text() for p in models.rglob("*.sql")}
    batch_keyed = {m for m, t in texts.items() if "materialized='incremental'" in t or "chain_model_config()" in t}
    assert batch_keyed == set(incremental_models(settings))
    assert {"stg_x12__claims", "int_build_batches", "int_remit_adjustments_classified"} <= batch_keyed
