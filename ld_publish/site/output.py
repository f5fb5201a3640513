"""Writing a site folder incrementally: only files whose bytes change are written.

A rebuild after one record changed must not touch the thousands of other files (web servers,
rsync and CDNs see their modification times). Every entry's documents are hashed together;
an entry whose path and digest equal those in the old ``site.json`` and whose files are all
there is skipped without reading them. Any other file is compared with the bytes on disk and
written (atomically: temporary name, then rename) only when they differ. Documents of IRIs
the new build no longer has are removed, with the folders they leave empty.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import OutputError
from ..layout import atomic_write
from .paths import DOCUMENT_FORMATS, MANIFEST, Entry, Manifest

EXTENSIONS = tuple(ext for ext, _media in DOCUMENT_FORMATS)


@dataclass
class WriteCounts:
    written: int = 0  # files whose bytes changed (or that are new)
    unchanged: int = 0  # files left as they were
    removed: int = 0  # files of IRIs no longer in the site


def digest(documents: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for ext in sorted(documents):
        data = documents[ext]
        h.update(f"{ext}\0{len(data)}\0".encode())
        h.update(data)
    return "sha256:" + h.hexdigest()


class SiteWriter:
    """Writes entries and site-wide files under ``root``, against the old manifest."""

    def __init__(self, root: Path, old: Manifest | None, manifest: Manifest) -> None:
        self.root = root
        self.old = old
        self.manifest = manifest
        self.counts = WriteCounts()
        self._files: set[str] = set()  # every file this build wrote or kept, relative
        # While set, entries are listed but their files not written yet: a record page the
        # old build published merged, and its nodes (see :meth:`hold`).
        self.holding: str | None = None
        self._held: dict[str, list[tuple[str, dict[str, bytes]]]] = {}

    def entry(self, key: str, kind: Literal["record", "resource"], path: str,
              documents: dict[str, bytes], *, again: bool = False) -> Entry:
        """Write one IRI's documents (``{extension: bytes}``) at ``path`` and list it.
        ``again``: this build may have written other documents there already (a merged
        work's), so the files are compared, not the old manifest's digest."""
        entry = Entry(kind, path, digest(documents))
        self.manifest.entries[key] = entry
        names = [path + ext for ext in documents]
        self._files.update(names)
        previous = self.old.entries.get(key) if self.old else None
        if self.holding is not None:
            self._held.setdefault(self.holding, []).append((path, documents))
            return entry
        if (not again and previous is not None and previous.path == path
                and previous.digest == entry.digest
                and all((self.root / name).is_file() for name in names)):
            self.counts.unchanged += len(names)
            return entry
        for ext, data in documents.items():
            self.file(path + ext, data, listed=True)
        return entry

    def file(self, name: str, data: bytes, *, listed: bool = False) -> None:
        """Write ``name`` (relative, ``/``-separated) unless it already holds ``data``."""
        if not listed:
            self._files.add(name)
        target = self.root / name
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                self.counts.unchanged += 1
                return
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot read {target}: {exc.strerror}",
                              hint="check the permissions of the site folder") from None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot make the folder {target.parent}: {exc.strerror}",
                              hint="check free disk space and permissions of the site folder"
                              ) from None
        atomic_write(target, data)
        self.counts.written += 1

    def hold(self, page: str) -> bool:
        """Whether the entries of record page ``page`` (key) are to be held: the old build
        published the page merged, so the record read first is likely to be merged again at
        the end of the stream, and writing its documents now would only rewrite files that
        the merged ones then restore. Held files are written by :meth:`release` or, when
        the page is not merged this time, by :meth:`finish`."""
        return self.old is not None and page in self.old.merged

    def release(self, page: str) -> None:
        """Forget the held documents of ``page``: the merged record's replace them."""
        self._held.pop(page, None)

    def drop(self, key: str) -> None:
        """Unlist an IRI this build wrote (a node of a merged work's first graph that the
        merged graph does not have) and remove its documents."""
        entry = self.manifest.entries.pop(key, None)
        if entry is None:
            return
        for ext in EXTENSIONS:
            name = entry.path + ext
            self._files.discard(name)
            self._remove(name)

    def kept(self, name: str) -> None:
        """``name`` was written by other means (the dataset dump) and belongs to the site."""
        self._files.add(name)

    def finish(self) -> None:
        """Write what is still held, remove the documents of IRIs this build no longer has;
        write ``site.json``."""
        for held in self._held.values():
            for path, documents in held:
                for ext, data in documents.items():
                    self.file(path + ext, data, listed=True)
        self._held.clear()
        if self.old is not None:
            for old in self.old.entries.values():
                for ext in EXTENSIONS:
                    name = old.path + ext
                    if name not in self._files:
                        self._remove(name)
        self.file(MANIFEST, self.manifest.to_bytes())

    def _remove(self, name: str) -> None:
        target = self.root / name
        try:
            target.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise OutputError(f"cannot remove {target}: {exc.strerror}",
                              hint="check the permissions of the site folder") from None
        self.counts.removed += 1
        # Folders the removal leaves empty go too (never the site folder itself).
        folder = target.parent
        while folder != self.root and self.root in folder.parents:
            try:
                os.rmdir(folder)
            except OSError:
                break
            folder = folder.parent
