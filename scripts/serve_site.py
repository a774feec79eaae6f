#!/usr/bin/env python3
"""Serve the built site (``site/``) on 127.0.0.1 with the headers the in-browser runtime wants.

* ``Cross-Origin-Opener-Policy: same-origin`` + ``Cross-Origin-Embedder-Policy: require-corp`` make the page
  cross-origin isolated, so Pyodide can use a SharedArrayBuffer to interrupt a running cell;
* ``Cache-Control``: pages, scripts and styles are revalidated on every load (``no-cache``; the server answers
  304 when nothing changed, so a rebuild shows at once), while large immutable runtime files (``.wasm``, fonts,
  anything under a ``pyodide`` folder) may be cached for a day, so a reload does not download Pyodide again.

Usage: ``python scripts/serve_site.py [--dir site] [--host 127.0.0.1] [--port 8000]``.
Tests import :func:`start_server`, which serves a folder from a background thread on a free port.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LONG_CACHE_SUFFIXES = {".wasm", ".woff2", ".woff", ".ttf", ".otf", ".zip", ".tar"}


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with isolation and caching headers; quiet unless ``verbose`` is set on the class."""

    verbose = False
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".whl": "application/zip",
        ".ipynb": "application/x-ipynb+json",
        ".svg": "image/svg+xml",
        ".woff2": "font/woff2",
        ".otf": "font/otf",
    }

    def end_headers(self) -> None:
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if Path(path).suffix in LONG_CACHE_SUFFIXES or "/pyodide" in path:
            self.send_header("Cache-Control", "public, max-age=86400")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Like static hosts, answer a missing page with the site's own 404.html (status 404 all the same).
        page = Path(self.directory) / "404.html"
        if code != 404 or self.command != "GET" or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if self.verbose:
            super().log_message(format, *args)


def make_server(directory: Path | str, host: str = "127.0.0.1", port: int = 8000,
                verbose: bool = False) -> http.server.ThreadingHTTPServer:
    """A server for ``directory`` bound to ``host:port`` (port 0 picks a free one); call serve_forever() on it."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise ValueError(f"{directory} holds no index.html: build the site first (scripts/build_site)")
    handler = functools.partial(type("Handler", (SiteRequestHandler,), {"verbose": verbose}), directory=str(directory))
    return http.server.ThreadingHTTPServer((host, port), handler)


def start_server(directory: Path | str, host: str = "127.0.0.1", port: int = 0) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` from a daemon thread; returns (server, base URL ending in '/'). Stop with server.shutdown()."""
    server = make_server(directory, host, port)
    thread = threading.Thread(target=server.serve_forever, name="nnlib-site-server", daemon=True)
    thread.start()
    return server, f"http://{host}:{server.server_address[1]}/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=str(ROOT / "site"), help="folder to serve (default: site/)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    try:
        server = make_server(args.dir, args.host, args.port, args.verbose)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    print(f"Serving {args.dir} at http://{host}:{port}/  (English: http://{host}:{port}/en/, "
          f"中文: http://{host}:{port}/zh/). Press Ctrl+C to stop.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
