"""The records a run keeps to merge, out of memory past a few hundred.

A later valid record of a published key from another source is kept until the run ends, when
it is merged into the key's first record (:mod:`ld_publish.merge_run`,
docs/decisions/0009-merging-sources.md). Most runs keep a handful; a run of two complete
copies of one corpus (a Crossref dump and the same works as BibTeX) keeps the whole second
copy, ~7 KB a compact record as Python objects: gigabytes at a million works. So the groups
live in a :class:`MergeStore`: in memory while they hold fewer than :func:`spill_threshold`
records, then, for the rest of the run, in SQLite's private temporary database (as the key
table, :mod:`ld_publish.key_index`), each record pickled (~2 KB; ``Work`` is a frozen dataclass
that pickles as it does for Dask).

A group is numbered in the order it was met in the stream (``seq``): the merge phase gives the
merges in that order (report.json and stderr list them so), while it reads the first records in
input order. A first record read ahead of its turn is kept in its group (:meth:`keep_read`)
until its turn comes; a group leaves the store when it is merged (:meth:`take`).
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .keys import Place
    from .model import Work

__all__ = ["SPILL_VARIABLE", "MergeGroup", "MergeStore", "spill_threshold"]

#: How many records to merge (kept later records and first records read ahead of their turn)
#: the store holds in memory before it moves them all to disk: ~7 KB each for compact
#: records, 15 KB for rich ones, so a few MB.
SPILL = 512
#: The environment variable that overrides :data:`SPILL` (0: on disk from the first record;
#: the tests make it small to run the disk side with few records).
SPILL_VARIABLE = "LD_PUBLISH_MERGE_SPILL"


def spill_threshold() -> int:
    """:data:`SPILL`, or the number in ``LD_PUBLISH_MERGE_SPILL``."""
    value = os.environ.get(SPILL_VARIABLE, "").strip()
    if not value:
        return SPILL
    if not value.isdigit():
        raise UsageError(f"{SPILL_VARIABLE}={value!r} is not a number of records",
                         hint=f"unset it, or give a whole number (default {SPILL})")
    return int(value)


@dataclass(eq=False, slots=True)
class MergeGroup:
    """The records of one key to merge: the published first one's place (it is read again at
    the end of the run, not kept during the stream) and the later valid records of other
    sources, in input order; ``read``: the first record once read again, if ahead of its
    turn."""

    key: str
    first: Place
    later: list[Work] = field(default_factory=list)
    read: Work | None = None

    def from_source(self, path: str) -> bool:
        return path == self.first[0] or any(r.source.path == path for r in self.later)


class MergeStore:
    """The run's merge groups by key and by their first record's place, in the order met.

    In memory (dicts of :class:`MergeGroup`) until they hold more than ``spill`` records
    (default :func:`spill_threshold`), then in SQLite for the rest of the run: lookups by key
    during the stream, by place while the first records are read again, by ``seq`` to give
    them in turn.
    """

    def __init__(self, spill: int | None = None) -> None:
        self.spill = spill_threshold() if spill is None else spill
        self._count = 0  # groups made: the next group's seq
        self._held = 0  # records in memory
        self._groups: dict[int, MergeGroup] = {}  # by seq (in memory only)
        self._seq: dict[str, int] = {}  # key -> seq
        self._unread: dict[Place, int] = {}  # first place -> seq, until it is read again
        self._db: sqlite3.Connection | None = None
        self._paths: dict[str, int] = {}  # on disk a path is its index: one per input file
        self._path_list: list[str] = []

    @property
    def spilled(self) -> bool:
        """Whether the groups are on disk."""
        return self._db is not None

    def __len__(self) -> int:
        """The groups not taken yet."""
        if self._db is None:
            return len(self._groups)
        return int(self._db.execute("SELECT count(*) FROM groups").fetchone()[0])

    def __bool__(self) -> bool:
        return self._count > 0 and len(self) > 0

    # -- during the stream ------------------------------------------------------------------

    def add(self, key: str, first: Place, record: Work) -> bool:
        """Keep ``record`` to merge into the record of ``key`` published at ``first``; False
        (nothing kept) when the key's group has a record of its source already (the first
        one's included: within one source a repeated key is a duplicate)."""
        path = record.source.path
        if self._db is None:
            seq = self._seq.get(key)
            group = MergeGroup(key, first) if seq is None else self._groups[seq]
            if group.from_source(path):
                return False
            if seq is None:
                seq = self._new_seq()
                self._groups[seq] = group
                self._seq[key] = seq
                self._unread[first] = seq
            group.later.append(record)
            self._held += 1
            if self._held > self.spill:
                self._spill()
            return True
        db = self._db
        found = db.execute("SELECT seq, path FROM groups WHERE key = ?",
                           (_key_bytes(key),)).fetchone()
        path_id = self._path_id(path)
        if found is None:
            if path == first[0]:
                return False
            seq = self._new_seq()
            self._insert_group(seq, key, first, None)
        else:
            seq, first_path = found
            if first_path == path_id or db.execute(
                    "SELECT 1 FROM later WHERE seq = ? AND path = ? LIMIT 1",
                    (seq, path_id)).fetchone():
                return False
        db.execute("INSERT INTO later (seq, path, record) VALUES (?, ?, ?)",
                   (seq, path_id, _pickled(record)))
        return True

    # -- the merge phase --------------------------------------------------------------------

    def unread_paths(self) -> dict[str, int]:
        """Per source path, how many first records are still to read again there."""
        if self._db is None:
            return dict(Counter(path for path, _, _ in self._unread))
        rows = self._db.execute(
            "SELECT path, count(*) FROM groups WHERE read IS NULL GROUP BY path ORDER BY path")
        return {self._path_list[path]: count for path, count in rows}

    def unread(self, place: Place) -> int | None:
        """The seq of the group whose first record is at ``place``, if not read again yet."""
        if self._db is None:
            return self._unread.get(place)
        path, line, position = place
        path_id = self._paths.get(path)
        if path_id is None:
            return None
        found = self._db.execute(
            "SELECT seq FROM groups WHERE path = ? AND line = ? AND position = ? "
            "AND read IS NULL", (path_id, _line(line), position)).fetchone()
        return None if found is None else int(found[0])

    def keep_read(self, seq: int, record: Work) -> None:
        """Keep the first record of group ``seq``, read again ahead of its turn."""
        if self._db is None:
            group = self._groups[seq]
            group.read = record
            del self._unread[group.first]
            self._held += 1
            if self._held > self.spill:
                self._spill()
            return
        self._db.execute("UPDATE groups SET read = ? WHERE seq = ?", (_pickled(record), seq))

    def take(self, seq: int, read_only: bool = False) -> MergeGroup | None:
        """Group ``seq`` out of the store (None when it is not there: taken already, or with
        ``read_only`` when its first record was not read again yet)."""
        if self._db is None:
            group = self._groups.get(seq)
            if group is None or (read_only and group.read is None):
                return None
            del self._groups[seq]
            del self._seq[group.key]
            self._unread.pop(group.first, None)
            self._held -= len(group.later) + (group.read is not None)
            return group
        group = self._group_at(seq, read_only)
        if group is not None:
            self._db.execute("DELETE FROM groups WHERE seq = ?", (seq,))
            self._db.execute("DELETE FROM later WHERE seq = ?", (seq,))
        return group

    def in_turn(self, found: Iterable[tuple[int, Work]]
                ) -> Iterator[tuple[MergeGroup, Work | None]]:
        """Each group in the order met, taken out of the store, with its first record read
        again (None: not found). ``found`` gives first records as they are read, in input
        order, each with its group's seq (:meth:`unread` of its place, asked as it comes);
        which is the groups' order when the later copies followed the first ones' order, and
        otherwise a first record read ahead of its turn waits in the store."""
        turn = 0  # the seq of the group to give next
        for seq, first in found:
            if seq != turn:
                self.keep_read(seq, first)
                continue
            group = self.take(seq)
            assert group is not None
            yield group, first
            turn += 1
            while (group := self.take(turn, read_only=True)) is not None:
                yield group, group.read
                turn += 1
        # The groups after one whose first record was not found, and those not found.
        for seq in range(turn, self._count):
            group = self.take(seq)
            if group is not None:
                yield group, group.read

    def groups(self) -> Iterator[MergeGroup]:
        """The groups not taken, in the order met (what the store holds; nothing is taken)."""
        if self._db is None:
            yield from list(self._groups.values())  # made in seq order, so kept in it
            return
        for (seq,) in self._db.execute("SELECT seq FROM groups ORDER BY seq").fetchall():
            group = self._group_at(seq)
            assert group is not None
            yield group

    def close(self) -> None:
        """Let go of every group (the temporary database is deleted)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self._groups.clear()
        self._seq.clear()
        self._unread.clear()
        self._held = 0
        self._count = 0

    # -- on disk ----------------------------------------------------------------------------

    def _new_seq(self) -> int:
        self._count += 1
        return self._count - 1

    def _path_id(self, path: str) -> int:
        found = self._paths.get(path)
        if found is None:
            found = self._paths[path] = len(self._path_list)
            self._path_list.append(path)
        return found

    def _spill(self) -> None:
        """Move every group to a new temporary database; the store stays there."""
        # "" is SQLite's private temporary database: deleted when the connection closes.
        # The run uses it from one thread at a time, not always the one that opened it.
        db = self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1024"):
            db.execute(f"PRAGMA {pragma}")
        # A record is a pickled Work; a path the index of its file in _path_list; a line
        # one more than the record's (0: a format without lines). Rowid tables: rows hold
        # records of kilobytes.
        db.execute("CREATE TABLE groups (seq INTEGER PRIMARY KEY, key BLOB NOT NULL UNIQUE, "
                   "path INTEGER NOT NULL, line INTEGER NOT NULL, position INTEGER NOT NULL, "
                   "read BLOB)")
        db.execute("CREATE INDEX groups_place ON groups (path, line, position)")
        db.execute("CREATE TABLE later (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
                   "path INTEGER NOT NULL, record BLOB NOT NULL)")
        db.execute("CREATE INDEX later_seq ON later (seq, path)")
        db.execute("BEGIN")
        for seq, group in self._groups.items():
            self._insert_group(seq, group.key, group.first, group.read)
            db.executemany("INSERT INTO later (seq, path, record) VALUES (?, ?, ?)",
                           [(seq, self._path_id(r.source.path), _pickled(r))
                            for r in group.later])
        db.execute("COMMIT")
        self._groups.clear()
        self._seq.clear()
        self._unread.clear()
        self._held = 0

    def _insert_group(self, seq: int, key: str, first: Place, read: Work | None) -> None:
        assert self._db is not None
        path, line, position = first
        self._db.execute(
            "INSERT INTO groups (seq, key, path, line, position, read) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, _key_bytes(key), self._path_id(path), _line(line), position,
             None if read is None else _pickled(read)))

    def _group_at(self, seq: int, read_only: bool = False) -> MergeGroup | None:
        assert self._db is not None
        row = self._db.execute("SELECT key, path, line, position, read FROM groups "
                               "WHERE seq = ?", (seq,)).fetchone()
        if row is None or (read_only and row[4] is None):
            return None
        key, path, line, position, read = row
        later = [pickle.loads(record) for (record,) in self._db.execute(
            "SELECT record FROM later WHERE seq = ? ORDER BY id", (seq,))]
        first = (self._path_list[path], None if line == 0 else line - 1, position)
        return MergeGroup(bytes(key).decode("utf-8", "surrogatepass"), first, later,
                          None if read is None else pickle.loads(read))


def _pickled(record: Work) -> bytes:
    return pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)


def _key_bytes(key: str) -> bytes:
    # surrogatepass: what keys.key_digest does (such a key never merges: it is quarantined).
    return key.encode("utf-8", "surrogatepass")


def _line(line: int | None) -> int:
    return 0 if line is None else line + 1
