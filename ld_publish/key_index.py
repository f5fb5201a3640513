"""Run-long memory of record keys that stays flat however many records a run has.

A run must know, for every record, whether an earlier record had its key (to publish each key
once: :mod:`ld_publish.keys`), and where that first record was. Held in a Python set and dict
this cost about 230 bytes a record: 230 MB for a million records, 35 GB for Crossref's 150
million. :class:`KeyTable` keeps them in a private temporary SQLite file instead, with a 1 MiB
page cache and a small buffer of recent entries, so memory stays flat and the disk holds about
40 bytes a key. Small runs never create the file.

A Bloom filter in front was tried and dropped: a million keys cost it 4-5 MB (it grows with
the run, 300 MB at Crossref's size) where one indexed lookup costs a few microseconds, against
about a millisecond a record costs to process.
"""

from __future__ import annotations

import sqlite3

__all__ = ["KeyTable"]


Entry = bytes
_FLUSH = 4096  # entries buffered in memory before they go to the table in one transaction


class KeyTable:
    """An exact map from key digests to small byte strings, on disk past a few thousand keys.

    Lookups look in the buffer of recent entries, then in SQLite: the database is SQLite's
    private temporary file (deleted when closed) with a 1 MiB page cache.
    """

    def __init__(self, buffer: int = _FLUSH) -> None:
        self._buffer = buffer
        self._pending: dict[bytes, Entry] = {}
        self._db: sqlite3.Connection | None = None

    def get(self, digest: bytes) -> Entry | None:
        found = self._pending.get(digest)
        if found is not None or self._db is None:
            return found
        row = self._db.execute("SELECT entry FROM keys WHERE digest = ?", (digest,)).fetchone()
        return None if row is None else bytes(row[0])

    def __contains__(self, digest: bytes) -> bool:
        return self.get(digest) is not None

    def add(self, digest: bytes) -> None:
        """Remember ``digest`` with no entry of its own (a set of keys)."""
        self[digest] = b""

    def __setitem__(self, digest: bytes, entry: Entry) -> None:
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
            self._db.execute("PRAGMA cache_size = -1024")
            self._db.execute(
                "CREATE TABLE keys (digest BLOB PRIMARY KEY, entry BLOB NOT NULL) WITHOUT ROWID")
        # Sorted: B-tree inserts in key order touch each page once.
        rows = sorted(self._pending.items())
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO keys VALUES (?, ?)", rows)
        self._db.execute("COMMIT")
        self._pending.clear()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._pending.clear()
