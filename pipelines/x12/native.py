"""The compiled X12 core (native/x12core, Rust with std only) loaded through ctypes.

The library is built by ``make setup`` (``pipelines.x12.native.build``) with the rustc already on these
machines; crates.io is unreachable here, so it uses no crates and no PyO3: plain C ABI, and its column
buffers are wrapped as Arrow arrays without a copy, then handed to polars.  When no library is built
(no Rust toolchain), revcycle falls back to the Python reference engine — same output, slower — and
says so once in the log.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pyarrow as pa

from pipelines.x12.schemas import TABLES, empty_frame

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "native" / "x12core" / "src" / "lib.rs"
LIBRARY = Path(__file__).resolve().parent / "libx12core.so"
_KINDS = {"str": 0, "int": 1, "money": 2, "date": 3, "float": 4}
_ARROW = {0: pa.string_view(), 1: pa.int64(), 2: pa.decimal128(18, 2), 3: pa.date32(), 4: pa.float64()}
_POLARS = {0: pl.String, 1: pl.Int64, 2: pl.Decimal(18, 2), 3: pl.Date, 4: pl.Float64}


class _ColumnView(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_uint8),
        ("len", ctypes.c_uint64),
        ("validity", ctypes.c_void_p),
        ("validity_len", ctypes.c_uint64),
        ("values", ctypes.c_void_p),
        ("values_len", ctypes.c_uint64),
        ("offsets", ctypes.c_void_p),  # string views for strings
        ("offsets_len", ctypes.c_uint64),
        (
            "mode",
            ctypes.c_uint8,
        ),  # 0 buffers hold every row, 1 all null, 2 one value repeated (buffers: 1 row)
    ]


_MATERIAL, _NULLS, _CONST = 0, 1, 2


def rustc() -> str | None:
    found = shutil.which("rustc")
    if found:
        return found
    home = Path.home() / ".cargo" / "bin" / "rustc"
    return str(home) if home.exists() else None


def build(force: bool = False) -> Path:
    """Compile the core (a few seconds); a no-op when the library is newer than its source and the code-list
    seeds it compiles in (pipelines.x12.codes)."""
    from pipelines.x12.codes import SEEDS

    inputs = [SOURCE, *SEEDS.glob("*.csv")]
    if not force and LIBRARY.exists() and LIBRARY.stat().st_mtime >= max(p.stat().st_mtime for p in inputs):
        return LIBRARY
    compiler = rustc()
    if compiler is None:
        raise RuntimeError("rustc not found: install Rust (rustup) to build the X12 core")
    tmp = LIBRARY.with_suffix(f".{os.getpid()}.tmp")
    cmd = [compiler, "--edition", "2021", "-C", "opt-level=3", "-C", "codegen-units=1", "--crate-type",
           "cdylib", str(SOURCE), "-o", str(tmp)]  # fmt: skip
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"building the X12 core failed:\n{done.stderr}")
    tmp.replace(LIBRARY)  # atomic: a concurrent reader sees the old or the new library, never half of one
    return LIBRARY


_lib = None
_warned = False


def load():
    """The loaded library, or None (and one warning) when it is not built."""
    global _lib, _warned
    if _lib is not None:
        return _lib
    if os.environ.get("REVCYCLE_X12_ENGINE", "").lower() == "python" or not LIBRARY.exists():
        if not _warned and os.environ.get("REVCYCLE_X12_ENGINE", "").lower() != "python":
            log.warning("X12 core not built (%s): using the slower Python reference engine", LIBRARY)
        _warned = True
        return None
    lib = ctypes.CDLL(str(LIBRARY))
    lib.x12_parse_bytes.restype = ctypes.c_void_p
    lib.x12_parse_bytes.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
    lib.x12_parse_path.restype = ctypes.c_void_p
    lib.x12_parse_path.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.x12_column.restype = ctypes.c_int
    lib.x12_column.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.POINTER(_ColumnView)]
    lib.x12_free.argtypes = [ctypes.c_void_p]
    lib.x12_parse_paths.restype = ctypes.c_void_p
    lib.x12_parse_paths.argtypes = [
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.c_size_t,
    ]
    lib.x12_rows.restype = ctypes.POINTER(ctypes.c_uint64)
    lib.x12_rows.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
    lib.x12_schema.restype = ctypes.c_char_p
    lib.schema = native_schema(lib.x12_schema().decode())
    _check_schema(lib.schema)
    _lib = lib
    return lib


def native_schema(spec: str) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for table in spec.split(";"):
        name, _, cols = table.partition(":")
        out[name] = [(c.rsplit(":", 1)[0], int(c.rsplit(":", 1)[1])) for c in cols.split(",")]
    return out


def _check_schema(native: dict[str, list[tuple[str, int]]]) -> None:
    for name, cols in TABLES.items():
        if name == "findings":
            continue
        want = [(c, _KINDS[k]) for c, k in cols]
        if native.get(name) != want:
            raise RuntimeError(f"X12 core schema for {name} differs from schemas.py: rebuild it (make setup)")


class _Owner:
    """Keeps the Rust output alive while any Arrow buffer points into it; frees it afterwards."""

    def __init__(self, lib, ptr):
        self.lib, self.ptr = lib, ptr

    def __del__(self):
        if self.ptr:
            self.lib.x12_free(self.ptr)
            self.ptr = None


def _frames(lib, ptr) -> dict[str, pl.DataFrame]:
    owner = _Owner(lib, ptr)
    view = _ColumnView()
    out = {}
    # the library's table order; the published tables' columns are checked against schemas.py at load,
    # the internal ones (_findings, _summaries) are the library's own
    for t, (name, spec) in enumerate(lib.schema.items()):
        cols = [c for c, _ in spec]
        if lib.x12_column(ptr, t, 0, ctypes.byref(view)):
            raise RuntimeError(f"X12 core has no table {t}")
        if view.len == 0 and name in TABLES:
            out[name] = empty_frame(name)  # most tables of a file are empty: skip the Arrow round trip
            continue
        arrays, names, scalars = [], [], {}
        for c in range(len(cols)):
            if lib.x12_column(ptr, t, c, ctypes.byref(view)):
                raise RuntimeError(f"X12 core has no column {t}.{c}")
            if view.mode == _NULLS:
                scalars[cols[c]] = None
                continue
            arr = _array(view, owner)
            if view.mode == _CONST:
                scalars[cols[c]] = arr[0].as_py()
            else:
                arrays.append(arr)
                names.append(cols[c])
        out[name] = _frame(arrays, names, scalars, spec, view.len)
    return out


def _array(view: _ColumnView, owner: _Owner) -> pa.Array:
    n = view.len if view.mode == _MATERIAL else 1
    validity = pa.foreign_buffer(view.validity or 0, view.validity_len, base=owner)
    values = pa.foreign_buffer(view.values or 0, view.values_len, base=owner)
    if view.kind == 0:
        views = pa.foreign_buffer(view.offsets, view.offsets_len, base=owner)
        return pa.Array.from_buffers(_ARROW[0], n, [validity, views, values])
    return pa.Array.from_buffers(_ARROW[view.kind], n, [validity, values])


def _frame(arrays: list, names: list[str], scalars: dict, spec, height: int) -> pl.DataFrame:
    """Columns that are all null or one value become polars scalar columns: no per-row memory until a
    consumer needs the rows (polars broadcasts them lazily)."""
    if arrays:
        df = pl.from_arrow(pa.table(arrays, names=names), rechunk=False)
    else:  # every column constant (a one-row table): a throwaway row index gives the height
        df = pl.DataFrame({"__rows": pl.int_range(height, eager=True)})
    if not arrays:
        df = df.with_columns(_lit(c, scalars[c], _POLARS[k]) for c, k in spec if c in scalars)
        return df.select(c for c, _ in spec)
    # one select, not with_columns + select, and the literal expressions cached (most constants — nulls, the
    # file's envelope values — repeat from file to file): polars' per-call overhead, not the data, was most of
    # the time of a small file
    return df.select(pl.col(c) if c not in scalars else _lit(c, scalars[c], _POLARS[k]) for c, k in spec)


@functools.lru_cache(maxsize=16_384)
def _lit(column: str, value, dtype) -> pl.Expr:
    return pl.lit(value, dtype=dtype).alias(column)


def parse_native(lib, data: bytes, file_id: str) -> dict[str, pl.DataFrame]:
    ptr = lib.x12_parse_bytes(data, len(data), file_id.encode())
    return _frames(lib, ptr)


def parse_native_paths(lib, files: list[tuple[Path, str]]) -> list[dict[str, pl.DataFrame] | None]:
    """Several files, each parsed on its own, in one call: one frame per table for all of them, each file's
    frames a slice of it (None for a file that could not be opened).  Building polars frames costs about
    the same for ten rows as for ten thousand, so a group of small files (999s, 277CAs, a day's small
    837s) spends most of its parse time there when each file gets its own (docs/performance.md).  The
    caller keeps a call's files to a few tens of MB: string views address their bytes with 32 bits."""
    n = len(files)
    paths = (ctypes.c_char_p * n)(*[os.fsencode(p) for p, _ in files])  # the bytes of the name
    ids = (ctypes.c_char_p * n)(*[file_id.encode() for _, file_id in files])
    ptr = lib.x12_parse_paths(paths, ids, n)
    size = ctypes.c_size_t()
    counts = lib.x12_rows(ptr, ctypes.byref(size))[: size.value]
    frames = _frames(lib, ptr)
    names = list(lib.schema)
    out: list[dict[str, pl.DataFrame] | None] = []
    at = dict.fromkeys(names, 0)
    for f in range(n):
        rows = counts[f * len(names) : (f + 1) * len(names)]
        if rows[0] == 2**64 - 1:
            out.append(None)
            continue
        mine = {}
        for name, k in zip(names, rows, strict=True):
            mine[name] = frames[name].slice(at[name], k)
            at[name] += k
        out.append(mine)
    return out


def parse_native_path(lib, path: Path, file_id: str) -> dict[str, pl.DataFrame]:
    ptr = lib.x12_parse_path(os.fsencode(path), file_id.encode())  # the bytes of the name, whatever they are
    if not ptr:
        raise FileNotFoundError(path)
    return _frames(lib, ptr)
