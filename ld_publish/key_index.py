"""Run-long memory of record keys that stays flat however many records a run has.

A run must know, for every record, whether an earlier record had its key (to publish each key
once: :mod:`ld_publish.keys`). Held in Python sets and dicts this cost about 230 bytes a
record, 230 MB for a million records, which outgrew the rest of the process many times over.
Two structures replace them:

* :class:`KeyFilter`, a scalable Bloom filter: "maybe met before" or "certainly new" in about
  3 bytes a key. Where a maybe is enough (marking a record *held*: a held record that turns
  out to be first is published all the same, only by the main process) it is all that is kept.
* :class:`KeyTable`, the exact map from a key to its first record's place, kept in a private
  temporary SQLite file with a bounded page cache; the filter in front of it answers "new" for
  nearly every record without a disk read, and small runs never create the file.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator

__all__ = ["KeyFilter", "KeyTable"]

# The first layer's capacity; each later layer doubles it with half the error rate, so the
# filter's false-positive rate stays under twice the first layer's however many keys come.
_FIRST_CAPACITY = 1 << 16
_ERROR = 0.001


class _Layer:
    __slots__ = ("bits", "capacity", "count", "hashes", "size")

    def __init__(self, capacity: int, error: float) -> None:
        self.capacity = capacity
        self.count = 0
        self.size = max(64, math.ceil(-capacity * math.log(error) / math.log(2) ** 2))
        self.hashes = max(1, round(self.size / capacity * math.log(2)))
        self.bits = bytearray((self.size + 7) // 8)

    def positions(self, h1: int, h2: int) -> Iterator[int]:
        size = self.size
        for i in range(self.hashes):
            yield (h1 + i * h2) % size

    def __contains__(self, hashed: tuple[int, int]) -> bool:
        bits = self.bits
        return all(bits[p >> 3] >> (p & 7) & 1 for p in self.positions(*hashed))

    def add(self, hashed: tuple[int, int]) -> None:
        bits = self.bits
        for p in self.positions(*hashed):
            bits[p >> 3] |= 1 << (p & 7)
        self.count += 1


def _hashed(digest: bytes) -> tuple[int, int]:
    # Digests are BLAKE2b output, uniform already: two halves give the double hashing
    # (Kirsch and Mitzenmacher) its two independent values. An odd step visits distinct bits.
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:16], "little") | 1


class KeyFilter:
    """A scalable Bloom filter of key digests (16-byte BLAKE2b values, see
    :func:`~ld_publish.keys.key_digest`): ``digest in f`` is True for every digest added and,
    wrongly, for under 0.2 % of the others."""

    def __init__(self, capacity: int | None = None, error: float | None = None) -> None:
        capacity = _FIRST_CAPACITY if capacity is None else capacity
        error = _ERROR if error is None else error
        self._layers = [_Layer(capacity, error / 2)]
        self._error = error / 2

    def __contains__(self, digest: bytes) -> bool:
        hashed = _hashed(digest)
        return any(hashed in layer for layer in self._layers)

    def add(self, digest: bytes) -> None:
        layer = self._layers[-1]
        if layer.count >= layer.capacity:
            self._error /= 2
            layer = _Layer(layer.capacity * 2, self._error)
            self._layers.append(layer)
        layer.add(_hashed(digest))

    @property
    def bytes_used(self) -> int:
        return sum(len(layer.bits) for layer in self._layers)


Entry = bytes
_FLUSH = 4096  # entries buffered in memory before they go to the table in one transaction


class KeyTable:
    """An exact map from key digests to small byte strings, on disk past a few thousand keys.

    Lookups of keys never stored (nearly all of them) are answered by a :class:`KeyFilter`;
    the rest look in the buffer of recent entries, then in SQLite. The database is SQLite's
    private temporary file (deleted when closed) with a 2 MiB page cache.
    """

    def __init__(self, buffer: int = _FLUSH) -> None:
        self._filter = KeyFilter()
        self._buffer = buffer
        self._pending: dict[bytes, Entry] = {}
        self._db: sqlite3.Connection | None = None

    def get(self, digest: bytes) -> Entry | None:
        if digest not in self._filter:
            return None
        found = self._pending.get(digest)
        if found is not None or self._db is None:
            return found
        row = self._db.execute("SELECT entry FROM first WHERE digest = ?", (digest,)).fetchone()
        return None if row is None else bytes(row[0])

    def __setitem__(self, digest: bytes, entry: Entry) -> None:
        self._filter.add(digest)
        self._pending[digest] = entry
        if len(self._pending) >= self._buffer:
            self._flush()

    def _flush(self) -> None:
        if self._db is None:
            # "" is SQLite's private temporary database: a file only once its cache spills,
            # removed when the connection closes. The run reads it from one thread at a time,
            # not always the one that opened it.
            self._db = sqlite3.connect("", check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("PRAGMA cache_size = -2048")
            self._db.execute(
                "CREATE TABLE first (digest BLOB PRIMARY KEY, entry BLOB NOT NULL) WITHOUT ROWID")
        # Sorted: B-tree inserts in key order touch each page once.
        rows = sorted(self._pending.items())
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO first VALUES (?, ?)", rows)
        self._db.execute("COMMIT")
        self._pending.clear()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._pending.clear()
