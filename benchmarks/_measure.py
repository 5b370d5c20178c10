"""Run a command in a subprocess and report wall time and peak RSS of its whole process tree."""

from __future__ import annotations

import subprocess
import threading
import time

import psutil


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Return (seconds, peak RSS in MB summed over the process and its children, completed process)."""
    t0 = time.perf_counter()
    proc = psutil.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            try:
                procs = [proc, *proc.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in procs if p.is_running())
                peak = max(peak, rss / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, err = proc.communicate()
    stop.set()
    t.join()
    secs = time.perf_counter() - t0
    return secs, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def python_script(code: str, *args: str) -> list[str]:
    """A command running `code` from a file, never `python -c`: with the [spark] extra installed, importing
    Great Expectations imports pyspark.sql.connect, whose check_dependencies() takes a main module without a
    __file__ (`-c`) for a doctest run and calls sys.exit(0) — the script would silently do nothing."""
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".py", prefix="revcycle-bench-", delete=False) as fh:
        fh.write(code)
    return [sys.executable, fh.name, *args]


# The bare X12 core on a list of files in one process: prints the seconds spent parsing (imports excluded).
_PARSE_ALL = """
import sys, time
from pathlib import Path
from pipelines.x12.parser import parse_file
files = [Path(p) for p in Path(sys.argv[1]).read_text().splitlines()]
t0 = time.perf_counter()
for p in files:
    parse_file(p)
print(time.perf_counter() - t0)
"""


# the way staging calls the core: its size limits, small files several to a call, larger ones alone
_PARSE_TOGETHER = """
import hashlib, sys, time
from pathlib import Path
from pipelines.ingest.stage import PARSE_TOGETHER_FILE_BYTES as ALONE
from pipelines.settings import get_settings
from pipelines.x12.parser import parse_file, parse_files
CALL = get_settings().parse_together_mb * 2**20
files = [Path(p) for p in Path(sys.argv[1]).read_text().splitlines()]
t0 = time.perf_counter()
group, size = [], 0
for p in files + [None]:
    n = p.stat().st_size if p is not None else 0
    if p is None or size + n > CALL or n > ALONE:
        parse_files(group)
        group, size = [], 0
    if p is None:
        break
    if n > ALONE:
        parse_file(p)
        continue
    with p.open("rb") as fh:
        group.append((p, hashlib.file_digest(fh, "sha256").hexdigest()[:20]))
    size += n
print(time.perf_counter() - t0)
"""


def bare_parse_command(files: list, listing, together: bool = False) -> list[str]:
    """The command that parses ``files`` with the bare X12 core (their list written to ``listing``): each
    file in a call of its own, or (``together``) small files several to a call as the ingest's staging
    does.  Its stdout's last word is the parse time in seconds (parse_seconds)."""
    from pathlib import Path

    Path(listing).write_text("\n".join(map(str, files)))
    return python_script(_PARSE_TOGETHER if together else _PARSE_ALL, str(listing))


def parse_seconds(stdout: str) -> float:
    return float(stdout.split()[-1])
