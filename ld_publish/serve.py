"""Serving the embedded store over HTTP with the Oxigraph server binary."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .errors import StoreError, UsageError
from .loaders.embedded import open_store


def oxigraph_binary() -> str:
    exe = shutil.which("oxigraph")
    if exe is None:
        raise UsageError("the Oxigraph server binary `oxigraph` is not installed",
                         hint="pip install 'ld-publish[server]' (the pip package \"oxigraph\")")
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


def serve(location: str | Path, host: str = "127.0.0.1", port: int = 7878,
          read_only: bool = False) -> int:
    """Run the server in the foreground until it stops; return its exit status."""
    check_store_free(location)
    try:
        return subprocess.call(serve_command(location, host, port, read_only))
    except KeyboardInterrupt:
        return 0
    except OSError as e:
        raise StoreError(f"cannot start the Oxigraph server: {e}") from None
