"""`revcycle docs`: the dbt docs (target/) and Great Expectations' Data Docs (<home>/gx/.../local_site) from one
local address — dbt's own `docs serve` serves target/ alone, and the Data quality page links to both."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

from pipelines.settings import Settings

GX_PREFIX = "/gx/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, dbt_target: Path, gx_dir: Path, **kwargs):
        self.gx_dir = gx_dir
        super().__init__(*args, directory=str(dbt_target), **kwargs)

    def translate_path(self, path: str) -> str:
        if path.startswith(GX_PREFIX):
            # the same path handling, rooted in the GX site instead of dbt's target/
            rest = super().translate_path("/" + path[len(GX_PREFIX) :])
            return str(self.gx_dir / Path(rest).relative_to(self.directory))
        return super().translate_path(path)

    def log_message(self, format, *args):
        pass


def make_server(settings: Settings, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """The server for both sites (port 0: any free port)."""
    handler = functools.partial(_Handler, dbt_target=settings.dbt_target_dir, gx_dir=settings.data_docs_dir)
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve until interrupted."""
    with make_server(settings, host, port) as httpd:
        shown = "localhost" if host == "127.0.0.1" else host
        print(f"dbt docs: http://{shown}:{port}/   Great Expectations Data Docs: http://{shown}:{port}{GX_PREFIX}"
              "  (Ctrl-C stops)", flush=True)  # fmt: skip
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
