"""One published record per key: the first *valid* record with a key is published; later ones
are quarantined with their own findings.

Two records with one key would write the same files and the same named graph, the later
silently replacing the earlier. Which record is the first valid one is known only after
validation, in the workers. So the main process marks every record whose key it has seen
before as *held* when it sends it out: a worker processes a held record in full (its findings
are shown whatever happens) but keeps its documents in memory instead of writing them, and
:func:`publish_once` writes them here only if no earlier record of the key was published.
Keys are remembered as 16-byte digests in :mod:`ld_publish.key_index`, so memory stays flat
however many and however long the keys are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from .formats import rdf_formats
from .key_index import KeyTable
from .layout import atomic_write, file_name

__all__ = ["FirstOfKey", "key_digest", "publish_once", "write_documents"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .model import Source
    from .pipeline import Options, Outcome


def key_digest(key: str) -> bytes:
    """What a run remembers of a record key: 16 bytes however long it is."""
    # surrogatepass: a key with an unpaired surrogate (quarantined by the mapping) still hashes.
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def write_documents(key: str, documents: dict[str, bytes], folder: str) -> tuple[str, ...]:
    """Write a record's documents (format name → bytes) into ``folder``; their file names."""
    stem = file_name(key)
    names = []
    for fmt, data in documents.items():
        name = f"{stem}.{rdf_formats.get(fmt).extension}"
        atomic_write(Path(folder) / name, data)
        names.append(name)
    return tuple(names)


def publish_once(outcomes: Iterator[Outcome], options: Options) -> Iterator[Outcome]:
    """``outcomes`` (in input order) with every key published at most once."""
    firsts = FirstOfKey()
    try:
        for outcome in outcomes:
            outcome, publish_held = firsts.decide(outcome)
            if publish_held and options.write_to is not None:
                files = write_documents(outcome.key, outcome.documents, options.write_to)
                outcome = replace(outcome, documents={}, files=files)
            yield outcome
    finally:
        firsts.close()


class FirstOfKey:
    """What :func:`publish_once` remembers of the keys met so far (also the cluster merge's).

    One entry per key for the whole run, so it is kept out of memory: entries live in a
    :class:`~ld_publish.key_index.KeyTable` (on disk past a few thousand keys), each the first
    record's place packed into one integer (its file as an index into the files met, its line
    and position) with whether it was published; the label is rebuilt only for the message of
    a duplicate. A cluster merge, which learns places as labels, keeps those as they come.
    The files met are kept in memory: one entry per input file, not per record.
    """

    _BITS = 40  # lines and positions below 2**40

    def __init__(self) -> None:
        self.first = KeyTable()
        self._paths: dict[str, int] = {}
        self._path_list: list[str] = []

    def _pack(self, source: Source, published: bool) -> bytes:
        line = 0 if source.line is None else source.line + 1
        if line >= 1 << self._BITS or not 0 <= source.position < 1 << self._BITS:
            return _label_entry(source.label(), published)
        index = self._paths.get(source.path)
        if index is None:
            index = self._paths[source.path] = len(self._path_list)
            self._path_list.append(source.path)
        packed = ((index << self._BITS | line) << self._BITS | source.position) << 1 | published
        return b"\x01" + packed.to_bytes((packed.bit_length() + 7) // 8 or 1, "little")

    def _unpack(self, entry: bytes) -> tuple[str, bool]:
        """(the first record's source label, whether it was published)."""
        if entry[0] == 0:
            return entry[2:].decode("utf-8", "surrogatepass"), bool(entry[1])
        packed = int.from_bytes(entry[1:], "little")
        published = bool(packed & 1)
        packed >>= 1
        position = packed & ((1 << self._BITS) - 1)
        packed >>= self._BITS
        line = packed & ((1 << self._BITS) - 1)
        path = self._path_list[packed >> self._BITS]
        where = path if line == 0 else f"{path}:{line - 1}"
        return f"{where} #{position}", published

    def decide(self, outcome: Outcome) -> tuple[Outcome, bool]:
        """The outcome as published (in input order), and whether it is a held record whose
        documents the caller must now write."""
        if not outcome.from_work:  # a reader's rejection: its "key" is only a place
            return outcome, False
        digest = key_digest(outcome.key)
        found = self.first.get(digest)
        if found is not None:
            earlier, earlier_published = self._unpack(found)
            # The same record read twice (one file named twice) is published twice, identically.
            if earlier_published and earlier != outcome.source.label():
                return _duplicate(outcome, earlier), False
        if outcome.quarantined:
            if found is None:
                self.first[digest] = self._pack(outcome.source, False)
            return outcome, False
        self.first[digest] = self._pack(outcome.source, True)
        if outcome.record is not None:  # held by the worker, with the record for _duplicate
            return replace(outcome, record=None), True
        return outcome, False

    def settled(self, digest: bytes, label: str, published: bool) -> None:
        """Note a record that was first of its key everywhere (a cluster partition wrote it)."""
        if self.first.get(digest) is None:
            self.first[digest] = _label_entry(label, published)

    def close(self) -> None:
        self.first.close()


def _label_entry(label: str, published: bool) -> bytes:
    return b"\x00" + bytes((published,)) + label.encode("utf-8", "surrogatepass")


def _duplicate(outcome: Outcome, earlier: str) -> Outcome:
    if outcome.quarantined:  # its own findings first; the duplicate is a footnote
        return replace(outcome, reason=f"{outcome.reason}; besides, another record of this run "
                                       f"with the same key ({earlier}) was published")
    return replace(
        outcome, documents={}, files=(), nquads=None, graph=None,
        reason=f"another record of this run has the same key {outcome.key!r} ({earlier}); it "
               "was published, this one was not",
        hint="publish the two descriptions in separate runs (the later run replaces the "
             "earlier one's graph) or drop one")
