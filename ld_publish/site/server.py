"""``ld-publish serve --site DIR``: the site folder and its SPARQL endpoint over HTTP, in this
process (standard library server, one thread per connection, no child process).

SIGINT and SIGTERM stop the server: the listening socket closes, connections in progress are
dropped with the process, and the command exits 0.
"""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import signal
import socket
import sys
import threading
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import IO, cast

import pyoxigraph as ox

from ..errors import InputError, StoreError, UsageError
from .paths import Manifest
from .response import Response, text
from .routes import Request, Site
from .sparql import MAX_REQUEST_BYTES, Endpoint

__all__ = ["open_query_store", "serve_site"]

DATASET_DUMP = "dataset.nq.gz"
_IDLE_SECONDS = 30  # an idle keep-alive connection gives its thread back after this


def open_query_store(folder: Path, store_path: Path | None, default_store: Path
                     ) -> tuple[ox.Store | None, str]:
    """The store ``/sparql`` queries and a phrase saying which it is: ``store_path`` opened
    read-only; else the default store if it exists; else the site's dump loaded in memory;
    else none."""
    path = store_path or (default_store if default_store.exists() else None)
    if path is not None:
        if not path.is_dir():
            raise UsageError(f"no store at {path}",
                             hint="load the records with `ld-publish load ... --store PATH`")
        try:
            return ox.Store.read_only(str(path)), f"the store at {path}"
        except OSError as e:
            raise StoreError(f"cannot open the store at {path} read-only: {e}",
                             hint="is it an Oxigraph store written by `ld-publish load`?"
                             ) from None
    dump = folder / DATASET_DUMP
    if not dump.is_file():
        return None, "no store (no --store, no default store, no dataset.nq.gz)"
    store = ox.Store()
    try:
        with gzip.open(dump, "rb") as stream:
            store.bulk_load(cast(IO[bytes], stream), format=ox.RdfFormat.N_QUADS)
    except (OSError, EOFError, zlib.error, SyntaxError, ValueError) as e:
        raise InputError(f"cannot read {dump}: {e}",
                         hint="rebuild the site, or give the store with --store PATH") from None
    return store, f"{dump} (loaded in memory)"


def _printable(value: str) -> str:
    # Request paths go to the log; control characters must not reach a terminal.
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)[:300]


def _handler(site: Site, say: Callable[[str], None], quiet: bool
             ) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = _IDLE_SECONDS

        def _answer(self) -> None:
            # http.server reads the request line as Latin-1; undo that so raw UTF-8 survives.
            target = self.path.encode("latin-1", "replace").decode("utf-8", "replace")
            body = b""
            # A body this server does not read would be taken for the next request.
            close = self.command not in ("GET", "HEAD", "POST")
            if self.command == "POST":
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    self._send(text(411, "send the body with a Content-Length"), close=True)
                    return
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = -1
                if length < 0 or length > MAX_REQUEST_BYTES:
                    self._send(text(413, f"a request body is at most {MAX_REQUEST_BYTES} "
                                         "bytes"), close=True)
                    return
                body = self.rfile.read(length)
            request = Request(self.command, target, self.headers.get("Accept"),
                              self.headers.get("Content-Type"), body)
            try:
                response = site.respond(request)
            except Exception as e:  # a bug: the client gets a 500, the server goes on
                say(f"error: internal error answering {_printable(self.path)}: "
                    f"{type(e).__name__}: {e}")
                response = text(500, "internal error; the server log says more")
            self._send(response, close)

        def _send(self, response: Response, close: bool = False) -> None:
            stream: IO[bytes] | None = None
            if isinstance(response.body, Path):
                try:
                    # Opened before the headers, and measured open: a rebuild may replace it.
                    stream = response.body.open("rb")
                except OSError:
                    response = text(404, "the file went away; try again")
            payload = response.body if isinstance(response.body, bytes) else b""
            try:
                size = os.fstat(stream.fileno()).st_size if stream else len(payload)
                self.send_response(response.status)
                for name, value in response.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(size))
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if self.command != "HEAD":
                    if stream is not None:
                        shutil.copyfileobj(stream, self.wfile)
                    else:
                        self.wfile.write(payload)
            finally:
                if stream is not None:
                    stream.close()
            if not quiet:
                say(f"{self.client_address[0]} {self.command} {_printable(self.path)} "
                    f"{response.status} {size}")

        do_GET = do_HEAD = do_POST = _answer
        do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _answer

        def version_string(self) -> str:
            return "ld-publish"

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass  # _send logs once the answer is out, with its size

        def log_error(self, format: str, *args: object) -> None:
            say(_printable(format % args))

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # stopping must not wait for a slow client or a running query

    def handle_error(self, request: object, client_address: object) -> None:
        # socketserver prints a traceback; a client that hangs up or stalls is not worth one.
        error = sys.exc_info()[1]
        client = client_address[0] if isinstance(client_address, tuple) else client_address
        print(f"connection from {client} ended: {type(error).__name__}: {error}",
              file=sys.stderr, flush=True)


class _Server6(_Server):
    address_family = socket.AF_INET6


def bind(host: str, port: int, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    cls = _Server6 if ":" in host else _Server
    try:
        return cls((host, port), handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is in use",
                             hint="stop the program using it, or choose another --port"
                             ) from None
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}",
                         hint="check --host and --port (ports below 1024 need privileges)"
                         ) from None


def serve_site(folder: Path, store_path: Path | None, default_store: Path, host: str = "127.0.0.1",
               port: int = 7878, quiet: bool = False, query_timeout: float = 30.0) -> int:
    """Serve until SIGINT or SIGTERM; return the exit status (0)."""
    manifest = Manifest.load(folder)
    store, source = open_query_store(folder, store_path, default_store)
    endpoint = Endpoint(store, timeout=query_timeout) if store is not None else None

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    site = Site(folder, manifest, endpoint)
    server = bind(host, port, _handler(site, say, quiet))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_address[1]}{site.prefix}"
    say(f"serving {folder} at {url} (base {manifest.base})")
    say(f"SPARQL: {url}sparql over {source}" if endpoint else f"SPARQL: off, {source}")

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    say("stopped")
    return 0
