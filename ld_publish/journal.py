"""The load journal: what an interrupted load already did, so the next run does only the rest.

A JSON Lines file. The first line names the target store; then one line per record graph the
run finished with (``{"g": graph, "h": hash, "s": "loaded"|"quarantined"}``), appended and
fsync'd once per batch; a last ``{"finished": ...}`` line closes a completed run. A run that
finds an unfinished journal for the same target resumes it (appending to it, and telling how
many graphs it had loaded; which graphs to skip the store's hashes decide, since a run without
the journal may have changed the store meanwhile); a finished journal, or none, starts
afresh. A torn last line from a kill is ignored.
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
            self._fh: IO[str] = path.open("a" if previous is not None else "w",
                                          encoding="utf-8")
        except OSError as e:
            raise self._failed(e) from None
        if previous is not None:
            self.loaded = previous
            self.resumed = True
        else:
            self._write([{"journal": FORMAT, "version": VERSION, "target": target,
                          "started": _now()}])

    def _failed(self, error: OSError) -> OutputError:
        return OutputError(
            f"cannot write the load journal {self.path}: {error.strerror or error}",
            hint="free space on its disk (or give another --journal path) and rerun: a run "
                 "resumes from what the journal holds, and the store's hashes catch the rest")

    def _read(self) -> dict[str, str] | None:
        """Entries of an unfinished run for this target, or None to start afresh."""
        if not self.path.exists():
            return None
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as e:
            raise UsageError(f"cannot read the load journal {self.path}: {e.strerror or e}",
                             hint="give another --journal path") from None
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
        try:
            for e in entries:
                self._fh.write(json.dumps(e, ensure_ascii=False) + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as e:
            raise self._failed(e) from None

    def already_loaded(self, graph: str, content_hash: str) -> bool:
        return self.loaded.get(graph) == content_hash

    def record(self, graphs: list[tuple[str, str, str]]) -> None:
        """Record ``(graph, hash, status)`` for a finished batch."""
        self._write({"g": g, "h": h, "s": s} for g, h, s in graphs)
        for g, h, s in graphs:
            if s == "loaded":
                self.loaded[g] = h

    def finish(self, summary: dict[str, Any]) -> None:
        self._write([{"finished": _now(), "report": summary}])
        self.close()

    def close(self) -> None:
        if not self._fh.closed:
            try:
                self._fh.close()
            except OSError as e:
                raise self._failed(e) from None


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
