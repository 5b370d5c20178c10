"""What keeps patient data where it belongs: private files under the data root, file names and messages that
carry no data values, a private error log, and CSV cells that cannot run as formulas.

The rules (README "Security and PHI"):

* everything under the data root is owner-only: folders 0700, files 0600 (``private_umask`` is set by the
  CLI and every Airflow task before they write there; ``make_private`` repairs a home laid out before);
* a reason, a log line or anything on screen names the file, row, column or segment position and the kind of
  problem, never the value (``safe_name`` for file names, which users control too);
* tracebacks, which may quote data, go only to ``runs/errors.log`` under the data root (``log_error``);
* every CSV revcycle writes neutralises cells a spreadsheet would run as a formula (``csv_safe_frame``).
"""

from __future__ import annotations

import logging
import os
import re
import traceback
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
ERROR_LOG = "errors.log"

log = logging.getLogger(__name__)


def private_umask() -> int:
    """New files and folders owner-only from here on (returns the previous mask)."""
    return os.umask(PRIVATE_UMASK)


def make_private(path: Path) -> None:
    """Owner-only permissions on one existing folder or file (a home laid out by an older version)."""
    try:
        mode = PRIVATE_DIR_MODE if path.is_dir() and not path.is_symlink() else PRIVATE_FILE_MODE
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (a mount point, another owner): the umask still covers what we create


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_name(name: str | os.PathLike, limit: int = 160) -> str:
    """A file name fit for a log line, a JSON reason or a screen: bytes that are not UTF-8 (os.fsdecode's
    surrogates) shown as \\xNN, control and bidi characters as '?', so no name can forge a log line or
    reorder what a reader sees; long names shortened in the middle."""
    text = os.fspath(name)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: an undecodable byte of the original name
            out.append(f"\\x{code - 0xDC00:02x}")
        elif _UNSAFE.match(ch) or unicodedata.category(ch) in ("Cs", "Co", "Cn"):
            out.append("?")
        else:
            out.append(ch)
    shown = "".join(out)
    if len(shown) > limit:
        half = (limit - 1) // 2
        shown = shown[:half] + "…" + shown[-half:]
    return shown or "?"


def append_private(path: Path, text: str, max_bytes: int | None = None, backups: int = 3) -> None:
    """Append ``text`` to a log under the data root, owner-only whatever the process's umask (a triggerer or a
    dashboard may write one), after rotating it when it would grow past ``max_bytes`` (``path.1`` ...
    ``path.<backups>``, the oldest dropped; default Settings.run_log_max_bytes).  logging's RotatingFileHandler
    rotates the same way but cannot create the file 0600."""
    if max_bytes is None:
        from pipelines.settings import get_settings

        max_bytes = get_settings().run_log_max_bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        grown = path.stat().st_size + len(text.encode("utf-8", "backslashreplace")) > max_bytes
    except FileNotFoundError:
        grown = False
    if grown:
        for i in range(backups - 1, 0, -1):
            older = path.with_name(f"{path.name}.{i}")
            if older.exists():
                os.replace(older, path.with_name(f"{path.name}.{i + 1}"))
        os.replace(path, path.with_name(f"{path.name}.1"))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace") as fh:
        fh.write(text)


def log_error(settings_or_runs_dir, context: str, exc: BaseException) -> Path:
    """Append a traceback to the private error log under the data root; return its path for the reason.

    ``context`` is a safe, value-free description (a safe file name and file id).  The traceback may quote
    data, which is why it goes here (0600) and never to stdout, reasons or Airflow's task log."""
    runs_dir = getattr(settings_or_runs_dir, "runs_dir", settings_or_runs_dir)
    path = Path(runs_dir) / ERROR_LOG
    try:
        append_private(path, f"--- {datetime.now(UTC).isoformat(timespec='seconds')} {context}\n"
                       + "".join(traceback.format_exception(exc)))  # fmt: skip
    except OSError:
        log.debug("could not write the private error log", exc_info=True)
    return path


# OWASP "CSV injection": a cell a spreadsheet would evaluate starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value):
    """One cell: text a spreadsheet would evaluate is prefixed with an apostrophe (shown, not run)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_safe_frame(df):
    """A polars or pandas frame whose text columns are safe to write as CSV; numbers are left as they are
    (a negative amount is a number, not a formula)."""
    try:
        import polars as pl
    except ImportError:  # pragma: no cover - polars is a dependency
        pl = None
    if pl is not None and isinstance(df, pl.DataFrame):
        starts = "|".join(re.escape(s) for s in _FORMULA_START)
        return df.with_columns(
            pl.when(pl.col(c).str.contains(f"^(?:{starts})"))
            .then(pl.lit("'") + pl.col(c))
            .otherwise(pl.col(c))
            .alias(c)
            for c, t in df.schema.items()
            if t == pl.String
        )
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(csv_safe)
    return out


def write_csv_safe(df, path: Path) -> None:
    """The one way revcycle writes a CSV file: formula-safe cells (polars frames)."""
    csv_safe_frame(df).write_csv(path)


def excel_bytes(df, sheet: str) -> bytes:
    """An .xlsx of a polars frame in which no cell can run as a formula or become a link: the workbook is
    told to keep every string a string (xlsxwriter would otherwise turn "=..." into a formula)."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False}) as workbook:
        df.write_excel(workbook=workbook, worksheet=sheet[:31])
    return buffer.getvalue()
