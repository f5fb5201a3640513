"""Serving the embedded store over HTTP with the Oxigraph server binary (``serve`` without
``--site``; with it, :mod:`ld_publish.site.server` serves in-process)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType

from .errors import StoreError, UsageError
from .loaders.embedded import open_store


def oxigraph_binary() -> str:
    # The pip package installs the binary beside this interpreter, which need not be on PATH
    # (`.venv/bin/ld-publish serve` without activating the environment).
    exe = shutil.which("oxigraph", path=os.path.dirname(sys.executable)) or shutil.which(
        "oxigraph")
    if exe is None:
        raise UsageError("the Oxigraph server binary `oxigraph` is not installed",
                         hint="reinstall ld-publish (the pip package \"oxigraph\", a dependency, "
                              "provides it), or serve a site in-process with --site DIR")
    return exe


def serve_command(location: str | Path, host: str = "127.0.0.1", port: int = 7878,
                  read_only: bool = False) -> list[str]:
    return [oxigraph_binary(), "serve-read-only" if read_only else "serve",
            "--location", str(location), "--bind", f"{host}:{port}"]


def check_store_free(location: str | Path) -> None:
    """Fail clearly if another process holds the store's lock (the server would only say
    'lock' in its own words after starting)."""
    if not Path(location).exists():
        raise UsageError(f"no store at {location}", hint="run `ld-publish load` first")
    store = open_store(location)
    del store


def check_port_free(host: str, port: int) -> None:
    """Fail clearly, before the server starts, if the address cannot be listened on (the
    server binary would only print its own error and exit 1)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {host} is in use",
                                 hint="stop the program using it, or choose another --port"
                                 ) from None
            raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}",
                             hint="check --host and --port") from None


def serve(location: str | Path, host: str = "127.0.0.1", port: int = 7878,
          read_only: bool = False) -> int:
    """Run the server in the foreground until it stops; return its exit status, 0 when it
    stopped because this process was asked to (SIGINT, SIGTERM).

    Both signals are passed on to the server and waited for, so stopping ``serve`` never leaves
    the server running on its own, holding the store's lock and the port."""
    check_store_free(location)
    check_port_free(host, port)
    try:
        child = subprocess.Popen(serve_command(location, host, port, read_only))
    except OSError as e:
        raise StoreError(f"cannot start the Oxigraph server: {e}") from None
    asked: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        asked.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        status = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child.poll() is None:  # only when wait() itself failed
            child.kill()
            child.wait()
    return 0 if asked else status
