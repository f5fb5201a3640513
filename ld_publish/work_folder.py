"""Where the workers of ``load --cluster`` and ``site --cluster`` hand their shards to the
driver: a folder every worker sees, or (``load --work-dir s3://bucket/prefix``) a prefix on
object storage.

What the work folder holds fits object storage where an output folder does not: each shard is
written once, whole, by one task, under a name of its own, and read by the driver only after
that task has returned; nothing is renamed into place, locked or compared by time. In a
folder a shard is written under a temporary name and renamed; as an object it is uploaded,
and an upload is published only when it completes, so a reader never sees half of one, a
killed task leaves nothing (its multipart upload is never completed) and a rerun uploads the
same bytes under the same name. Standard input is copied into the work folder for the
workers, as an object too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .layout import temporary_name
from .locations import is_remote, open_bytes

__all__ = ["WorkFolder"]


@dataclass(frozen=True, slots=True)
class WorkFolder:
    """A run's work folder: an absolute path, or an object-storage URL (a prefix)."""

    location: str

    @classmethod
    def at(cls, location: str | Path) -> WorkFolder:
        text = str(location)
        return cls(text.rstrip("/") if is_remote(text) else os.path.abspath(text))

    @property
    def remote(self) -> bool:
        return is_remote(self.location)

    def path(self, name: str) -> str:
        """Where the file ``name`` of the folder is (a path or a URL)."""
        return f"{self.location}/{name}"

    def fresh(self) -> None:
        """Empty, and there: what a killed run left is removed."""
        self.remove()
        if not self.remote:
            Path(self.location).mkdir(parents=True)

    def remove(self) -> None:
        if self.remote:
            from .remote import remove

            remove(self.location + "/", recursive=True)
        else:
            shutil.rmtree(self.location, ignore_errors=True)

    @contextmanager
    def writing(self, name: str) -> Iterator[BinaryIO]:
        """The file ``name``, there whole when the block ends, or not at all."""
        if self.remote:
            from .remote import writing

            with writing(self.path(name)) as stream:
                yield stream
            return
        target = Path(self.path(name))
        tmp = temporary_name(target)
        try:
            with open(tmp, "wb") as stream:
                yield stream
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def reading(self, name: str) -> BinaryIO:
        return open_bytes(self.path(name))

    def unlink(self, name: str) -> None:
        if self.remote:
            from .remote import remove

            remove(self.path(name))
        else:
            Path(self.path(name)).unlink(missing_ok=True)
