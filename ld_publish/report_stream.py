"""``report.json`` written as the run goes, so memory does not grow with the input, and still
written whole when the run stops early (a full disk, an interrupt, a failed write).

Two things make the early stop safe:

* every entry is one line written straight to the file (no buffer), and the offset after the
  last entry that reached the disk in full is kept: a stopped run cuts the file back to it, so
  a half-written entry never makes the report unreadable;
* a little disk space is set aside when the run starts (a reserve file) and given back when it
  stops: a run stopped by a full disk can still close its report.

The totals at the end may hold a :class:`Spool`: entries kept in a temporary file until the
report closes (export's ``merges``, one per work merged from several sources, are known only
at the end of the run, and there may be a million).
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import OutputError
from .layout import temporary_name

# Enough for the closing totals, with the failed sources, many times over.
RESERVE_BYTES = 256 * 1024


class ReportStream:
    """The report of one run, at ``temporary_name(final)`` until :meth:`close` publishes it."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.tmp = temporary_name(final)
        self.reserve = final.with_name(f".reserve.{os.getpid()}.tmp")
        self._fd = -1
        self._good = 0
        self._count = 0
        try:
            _set_aside(self.reserve, RESERVE_BYTES)
            self._fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            self._write(b'{\n  "records": [')
        except OSError as exc:
            self.discard()
            raise OutputError(f"cannot write to {final.parent}: {exc.strerror}",
                              hint="check free disk space and permissions of the output "
                                   "folder") from None
        self._good = len(b'{\n  "records": [')

    def add(self, line: bytes) -> None:
        """Append one entry (one line of JSON)."""
        self._write((b",\n    " if self._count else b"\n    ") + line)
        self._count += 1
        self._good = os.lseek(self._fd, 0, os.SEEK_CUR)

    def close(self, totals: dict[str, Any]) -> None:
        """End the report with ``totals`` (a value may be a :class:`Spool`) and rename it into
        place."""
        if not any(isinstance(value, Spool) for value in totals.values()):
            text = json.dumps(totals, ensure_ascii=False, indent=2)[1:]
            self._write(b"\n  ]," + text.encode("utf-8") + b"\n")
        else:
            # What json.dumps(totals, indent=2) writes, a spooled list streamed into it.
            pending = [b"\n  ],"]
            for n, (name, value) in enumerate(totals.items()):
                head = f"{',' if n else ''}\n  {json.dumps(name, ensure_ascii=False)}: "
                if isinstance(value, Spool):
                    pending.append(head.encode("utf-8"))
                    for piece in value.json_pieces():
                        pending.append(piece)
                        if len(pending) >= 4096:
                            self._write(b"".join(pending))
                            pending.clear()
                else:
                    text = json.dumps(value, ensure_ascii=False, indent=2)
                    pending.append((head + text.replace("\n", "\n  ")).encode("utf-8"))
            pending.append(b"\n}\n")
            self._write(b"".join(pending))
        os.close(self._fd)
        self._fd = -1
        os.replace(self.tmp, self.final)
        self.reserve.unlink(missing_ok=True)

    def close_early(self, totals: dict[str, Any]) -> bool:
        """End the report of a run that stopped: drop any half-written entry, give back the
        reserve, write ``totals``. False (and no report) when even that cannot be written."""
        self.reserve.unlink(missing_ok=True)
        try:
            os.ftruncate(self._fd, self._good)
            os.lseek(self._fd, self._good, os.SEEK_SET)
            self.close(totals)
            return True
        except OSError:
            self.discard()
            return False

    def discard(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self.tmp.unlink(missing_ok=True)
        self.reserve.unlink(missing_ok=True)

    def _write(self, data: bytes) -> None:
        # os.write may write part of the data when the disk fills: loop until all is written
        # or the next write raises (ENOSPC).
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]


class Spool:
    """A list of JSON objects for the report's totals, in a temporary file (in memory up to
    1 MiB) rather than in memory: each entry as json.dumps(indent=2) writes it."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115
        self._end = 0
        self._count = 0

    def append(self, entry: dict[str, Any]) -> None:
        text = json.dumps(entry, ensure_ascii=False, indent=2).encode("utf-8")
        self._file.seek(self._end)
        self._file.write(len(text).to_bytes(8, "little") + text)
        self._end += 8 + len(text)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def _texts(self) -> Iterator[bytes]:
        at = 0
        while at < self._end:
            self._file.seek(at)
            size = int.from_bytes(self._file.read(8), "little")
            yield self._file.read(size)
            at += 8 + size

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for text in self._texts():
            yield json.loads(text)

    def json_pieces(self) -> Iterator[bytes]:
        """The list as json.dumps(indent=2) writes it as a value of a top-level object."""
        if not self._count:
            yield b"[]"
            return
        for n, text in enumerate(self._texts()):
            yield (b",\n    " if n else b"[\n    ") + text.replace(b"\n", b"\n    ")
        yield b"\n  ]"

    def close(self) -> None:
        self._file.close()


def _set_aside(path: Path, size: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            os.posix_fallocate(fd, 0, size)
        except OSError as exc:
            if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL):  # not supported here: write
                raise
            os.write(fd, bytes(size))
    finally:
        os.close(fd)
