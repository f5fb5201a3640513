"""An exclusive lock on a folder for the length of a run, so two runs never write into one
output folder at once (they would interleave ``dataset.nq`` and ``report.json``).

``flock`` on ``<folder>/.ld-publish.lock``: held by the open file, so a run that dies (even by
SIGKILL) releases it with its process, and a stale lock file never blocks the next run.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BusyError, OutputError

LOCK_FILE = ".ld-publish.lock"


@contextmanager
def folder_lock(folder: Path, what: str) -> Iterator[None]:
    """Hold ``folder``'s lock, or fail at once with :class:`BusyError` naming ``what``."""
    path = folder / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot create {path}: {exc.strerror}",
                          hint="check the output folder's permissions") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(f"another ld-publish {what} is writing to {folder}",
                            hint="wait for it to finish, or give this run another folder "
                                 "with -o") from None
        yield
    finally:
        os.close(fd)  # releases the lock
