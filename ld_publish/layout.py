"""Where export puts things under the output folder, and how files are written safely."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .errors import OutputError

RECORDS = "records"
QUARANTINE = "quarantine"
DATASET = "dataset.nq"
CONTEXT = "context.jsonld"
REPORT = "report.json"


def file_name(key: str) -> str:
    """The record key made file-safe, plus a short hash so two keys never share a file."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._")[:80] or "record"
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{safe}-{digest}"


def temporary_name(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place: hidden, and unique to this
    process, so two writers never share one (``.<name>.<pid>.tmp``)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def atomic_write(path: Path, data: bytes) -> None:
    """Write in full to a temporary name, then rename: a crash never leaves half a file."""
    tmp = temporary_name(path)
    try:
        # os-level calls: one write of bytes needs no buffered file object (called twice for
        # every record).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)  # never leave a half-written temporary behind
        raise OutputError(f"cannot write {path}: {exc.strerror}",
                          hint="check free disk space and permissions of the output folder"
                          ) from None


def remove_temporaries(folder: Path) -> None:
    """Delete what killed runs left: ``.<name>.<pid>.tmp`` files (never read as output)."""
    for stale in folder.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
