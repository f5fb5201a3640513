"""One published record per key: the first *valid* record with a key is published; later ones
of its source are quarantined with their own findings, later ones of other sources merged.

Two records with one key would write the same files and the same named graph, the later
silently replacing the earlier. Which record is the first valid one is known only after
validation, in the workers. So the main process marks every record whose key it has seen
before as *held* when it sends it out: a worker processes a held record in full (its findings
are shown whatever happens) but keeps its documents in memory instead of writing them, and
:func:`publish_once` writes them here only if no earlier record of the key was published.
Keys are remembered as 16-byte digests in :mod:`ld_publish.key_index`, so memory stays flat
however many and however long the keys are.

A later valid record of a published key from *another source* is, when the caller merges
(export, load, site, validate), not a duplicate: it is kept (:mod:`ld_publish.merge_store`, on
disk past a few hundred) and merged into the first when the run ends
(:mod:`ld_publish.merge_run`, docs/decisions/0009-merging-sources.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from .formats import rdf_formats
from .key_index import KeyTable
from .layout import atomic_write, file_name
from .merge_store import MergeGroup, MergeStore

__all__ = ["FirstOfKey", "MergeGroup", "Place", "key_digest", "place_label", "publish_once",
           "write_documents"]

TYPE_CHECKING = False
if TYPE_CHECKING:
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


def publish_once(outcomes: Iterator[Outcome], options: Options,
                 firsts: FirstOfKey | None = None) -> Iterator[Outcome]:
    """``outcomes`` (in input order) with every key published at most once. ``firsts``: the
    caller's, when it merges records of one key from several sources (it holds the merges,
    and the caller closes it)."""
    own = firsts is None
    decider = FirstOfKey() if firsts is None else firsts
    try:
        for outcome in outcomes:
            outcome, publish_held = decider.decide(outcome)
            if publish_held and options.write_to is not None:
                files = write_documents(outcome.key, outcome.documents, options.write_to)
                outcome = replace(outcome, documents={}, files=files)
            yield outcome
    finally:
        if own:
            decider.close()


# Where a record was read: its source's path (label), line (None: no lines), position.
Place = tuple[str, int | None, int]


def place_label(place: Place) -> str:
    """What :meth:`Source.label` says of the record at ``place``."""
    path, line, position = place
    return f"{path if line is None else f'{path}:{line}'} #{position}"


class FirstOfKey:
    """What :func:`publish_once` remembers of the keys met so far (also the cluster merge's).

    One entry per key for the whole run, so it is kept out of memory: entries live in a
    :class:`~ld_publish.key_index.KeyTable` (on disk past a few thousand keys), each the first
    record's place packed into one integer (its file as an index into the files met, its line
    and position) with whether it was published; the label is rebuilt only for the message of
    a duplicate or a merge. A cluster merge, which learns places as they come, keeps those.
    The files met are kept in memory: one entry per input file, not per record.

    With ``merging``, a later valid record of a key published from *another* source (another
    file, so another reader or another description) is kept in :attr:`merges` (a
    :class:`~ld_publish.merge_store.MergeStore`) instead of being quarantined: the run merges it
    with the first at its end (:mod:`ld_publish.merge_run`).
    Within one source a repeated key stays a duplicate (two records of one file with one DOI
    are a data error, not two descriptions).
    """

    _BITS = 40  # lines and positions below 2**40

    def __init__(self, merging: bool = False) -> None:
        self.first = KeyTable()
        self._paths: dict[str, int] = {}
        self._path_list: list[str] = []
        self.merging = merging
        self.merges = MergeStore()  # by key, in the order merges were met

    def _pack(self, place: Place, published: bool) -> bytes:
        path, line_or_none, position = place
        line = 0 if line_or_none is None else line_or_none + 1
        if line >= 1 << self._BITS or not 0 <= position < 1 << self._BITS:
            return _place_entry(place, published)
        index = self._paths.get(path)
        if index is None:
            index = self._paths[path] = len(self._path_list)
            self._path_list.append(path)
        packed = ((index << self._BITS | line) << self._BITS | position) << 1 | published
        return b"\x01" + packed.to_bytes((packed.bit_length() + 7) // 8 or 1, "little")

    def _unpack(self, entry: bytes) -> tuple[Place, bool]:
        """(the first record's place, whether it was published)."""
        if entry[0] == 0:
            where, at_line, at = entry[2:].decode("utf-8", "surrogatepass").split("\0")
            return (where, int(at_line) if at_line else None, int(at)), bool(entry[1])
        packed = int.from_bytes(entry[1:], "little")
        published = bool(packed & 1)
        packed >>= 1
        position = packed & ((1 << self._BITS) - 1)
        packed >>= self._BITS
        line = packed & ((1 << self._BITS) - 1)
        path = self._path_list[packed >> self._BITS]
        return (path, None if line == 0 else line - 1, position), published

    def decide(self, outcome: Outcome) -> tuple[Outcome, bool]:
        """The outcome as published (in input order), and whether it is a held record whose
        documents the caller must now write."""
        if not outcome.from_work:  # a reader's rejection: its "key" is only a place
            return outcome, False
        digest = key_digest(outcome.key)
        found = self.first.get(digest)
        source = outcome.source
        if found is not None:
            place, earlier_published = self._unpack(found)
            earlier = place_label(place)
            # The same record read twice (one file named twice) is published twice, identically.
            if earlier_published and earlier != source.label():
                if not outcome.quarantined and self._merges(outcome, place):
                    return _merged(outcome, earlier), False
                return _duplicate(outcome, earlier), False
        place = (source.path, source.line, source.position)
        if outcome.quarantined:
            if found is None:
                self.first[digest] = self._pack(place, False)
            return outcome, False
        self.first[digest] = self._pack(place, True)
        if outcome.record is not None:  # held by the worker, with the record for _duplicate
            return replace(outcome, record=None), True
        return outcome, False

    def _merges(self, outcome: Outcome, first: Place) -> bool:
        """Keep ``outcome``'s record to merge, if it is of another source than the key's
        other records (and the first can be read again: standard input cannot)."""
        if not self.merging or outcome.record is None or first[0] == STDIN:
            return False
        return self.merges.add(outcome.key, first, outcome.record)

    def settled(self, digest: bytes, place: Place, published: bool) -> None:
        """Note a record that was first of its key everywhere (a cluster partition wrote it)."""
        if self.first.get(digest) is None:
            self.first[digest] = _place_entry(place, published)

    def close_keys(self) -> None:
        """Let go of the key table when the stream ends (the records to merge stay, for the
        merge phase)."""
        self.first.close()

    def close(self) -> None:
        """Let go of the key table and of the records to merge."""
        self.first.close()
        self.merges.close()


STDIN = "<stdin>"  # the label of standard input (ld_publish.sources), which is read once


def _place_entry(place: Place, published: bool) -> bytes:
    # A path holds no NUL; the place is kept whole (the merge phase reads the record again).
    path, line, position = place
    text = f"{path}\0{'' if line is None else line}\0{position}"
    return b"\x00" + bytes((published,)) + text.encode("utf-8", "surrogatepass")


def _merged(outcome: Outcome, earlier: str) -> Outcome:
    return replace(outcome, documents={}, files=(), nquads=None, graph=None, record=None,
                   merged_into=earlier)


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
