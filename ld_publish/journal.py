"""The load journal: what an interrupted load already did, so the next run does only the rest.

A JSON Lines file. The first line names the target store; then one line per record graph the
run finished with (``{"g": graph, "h": hash, "s": "loaded"|"quarantined"}``), appended and
fsync'd once per batch; a last ``{"finished": ...}`` line closes a completed run. A run that
finds an unfinished journal for the same target resumes it (skipping graphs already loaded
with the same hash); a finished journal, or none, starts afresh. A torn last line from a kill
is ignored.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from .errors import OutputError, UsageError

FORMAT = "ld-publish/load-journal"
VERSION = 1


class LoadJournal:
    def __init__(self, path: Path, target: str) -> None:
        self.path = path
        self.target = target
        self.loaded: dict[str, str] = {}
        self.resumed = False
        previous = self._read()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if previous is not None:
                self.loaded = previous
                self.resumed = True
                self._fh: IO[str] = path.open("a", encoding="utf-8")
            else:
                self._fh = path.open("w", encoding="utf-8")
                self._write([{"journal": FORMAT, "version": VERSION, "target": target,
                              "started": _now()}])
        except OSError as e:
            raise OutputError(f"cannot write the load journal {path}: {e}") from None

    def _read(self) -> dict[str, str] | None:
        """Entries of an unfinished run for this target, or None to start afresh."""
        if not self.path.exists():
            return None
        lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        entries: list[dict[str, Any]] = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line torn by a kill mid-write
        if not entries or entries[0].get("journal") != FORMAT:
            raise UsageError(f"{self.path} is not an ld-publish load journal",
                             hint="give another --journal path")
        if entries[0].get("target") != self.target:
            if any("finished" in e for e in entries):
                return None
            raise UsageError(
                f"the journal {self.path} belongs to an unfinished load into "
                f"{entries[0].get('target')}, not {self.target}",
                hint="finish that load, or give another --journal path")
        if any("finished" in e for e in entries):
            return None
        return {e["g"]: e["h"] for e in entries[1:] if e.get("s") == "loaded" and "g" in e}

    def _write(self, entries: Iterable[dict[str, Any]]) -> None:
        for e in entries:
            self._fh.write(json.dumps(e, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def already_loaded(self, graph: str, content_hash: str) -> bool:
        return self.loaded.get(graph) == content_hash

    def record(self, graphs: list[tuple[str, str, str]]) -> None:
        """Record ``(graph, hash, status)`` for a finished batch."""
        try:
            self._write({"g": g, "h": h, "s": s} for g, h, s in graphs)
        except OSError as e:
            raise OutputError(f"cannot write the load journal {self.path}: {e}") from None
        for g, h, s in graphs:
            if s == "loaded":
                self.loaded[g] = h

    def finish(self, summary: dict[str, Any]) -> None:
        self._write([{"finished": _now(), "report": summary}])
        self.close()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
