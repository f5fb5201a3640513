"""The worker pool of :func:`~ld_publish.pipeline.process`: records go out in chunks, outcomes
come back in input order.

A source whose reader can split it (:class:`~ld_publish.readers.SplittingReader`) is sent as
raw record text: the workers decode it, so the main process neither decodes nor pickles
records. The split tells the record's key, which is all the duplicate check needs here (a record
whose key was met before is held: :mod:`ld_publish.keys`). Whether decoding fails in a way that
fails the whole source is known only when the chunk is back: the source's later records,
already sent or decided, are then dropped when they come back, as if never read, and the
documents a worker wrote for them are removed.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from .errors import LdPublishError
from .key_index import KeyTable
from .keys import key_digest
from .model import Rejected, Work
from .pipeline import (
    CHUNK,
    Job,
    Options,
    Origin,
    Outcome,
    SourceFailure,
    Split,
    decode,
    process_work,
    rejected_outcome,
)
from .readers import RawRecord, SplittingReader

# One record for a worker: the record or its raw text, the reader that decodes it, the label
# and serial of its source, and whether it is held (its key was met before).
Task = tuple[Work | RawRecord, SplittingReader | None, str, int, bool]
# A record's outcome; the failure of its source; or None when an earlier record of its source
# failed it.
Done = Outcome | SourceFailure | None


def _worker_started() -> None:
    # Records are trees of dicts, lists and tuples without reference cycles: reference counting
    # frees them. The cyclic collector would still scan every object inherited from the parent
    # (modules, the compiled shapes) again and again; freezing those and collecting young
    # objects less often takes that off every record. Cycles are still collected.
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def _process_jobs(jobs: list[Task], options: Options) -> list[Done]:
    """Decode (raw records) and process one chunk (runs in a worker process)."""
    done: list[Done] = []
    failed: set[int] = set()
    for record, reader, label, serial, hold in jobs:
        if serial in failed:  # nothing more of a failed source is written
            done.append(None)
            continue
        if isinstance(record, RawRecord):
            assert reader is not None
            item = decode(reader, record, label)
            if isinstance(item, Work) and item.key != record.key:
                raise LdPublishError(f"{type(reader).__name__} split the key {record.key!r} "
                                     f"off {item.source.label()}, but decoded {item.key!r}",
                                     hint="this is a bug in the reader; read with -j 1")
        else:
            item = record
        if isinstance(item, SourceFailure):
            failed.add(serial)
            done.append(item)
        elif isinstance(item, Rejected):
            done.append(rejected_outcome(item))
        else:
            done.append(process_work(item, options, hold))
    return done


@dataclass(slots=True, eq=False)
class _Sent:
    """A record sent to a worker."""

    origin: Origin
    batch: _Batch | None = None


@dataclass(slots=True, eq=False)
class _Batch:
    future: Future[list[Done]]
    sent: list[_Sent]


@dataclass(slots=True, eq=False)
class _Ready:
    """An outcome or failure decided in the main process, waiting for its turn."""

    origin: Origin
    item: Outcome | SourceFailure


_FIRST = Origin(0, "")  # the records read before the pool started: all decoded, none fail


@dataclass(slots=True, eq=False)
class _Fanout:
    pool: ProcessPoolExecutor
    options: Options
    workers: int
    seen: KeyTable  # digests of the keys met so far
    failed: set[int]  # serials of sources a worker failed to decode
    on_failure: Callable[[SourceFailure], None] | None
    # Slots in input order: outcomes decided here and chunks sent to the workers.
    pending: deque[_Ready | _Batch] = field(default_factory=deque)
    in_flight: int = 0
    jobs: list[Task] = field(default_factory=list)
    sent: list[_Sent] = field(default_factory=list)

    def run(self, first: list[Job | Outcome], stream: Iterator[tuple[Origin, Split]]
            ) -> Iterator[Outcome]:
        limit = 2 * self.workers
        for item in first:  # their keys were counted when they were read
            if isinstance(item, Outcome):
                self._ready(_FIRST, item)
            else:
                self._send(_FIRST, *item)
            yield from self._drain(limit)
        for origin, record in stream:  # it ends a source as soon as it is in self.failed
            self._feed(origin, record)
            yield from self._drain(limit)
        self._submit()
        yield from self._drain(-1)

    def _feed(self, origin: Origin, item: Split) -> None:
        if isinstance(item, SourceFailure):
            if origin.sent_raw:  # unless a worker fails the source first
                self._ready(origin, item)
            elif self.on_failure:
                self.on_failure(item)
            return
        if isinstance(item, Rejected):
            self._ready(origin, rejected_outcome(item))
            return
        assert item.key is not None  # split_records decodes the others
        digest = key_digest(item.key)
        self._send(origin, item, digest in self.seen)
        self.seen.add(digest)
        origin.sent_raw = origin.sent_raw or isinstance(item, RawRecord)

    def _send(self, origin: Origin, item: Work | RawRecord, hold: bool) -> None:
        sent = _Sent(origin)
        self.jobs.append((item, origin.reader, origin.label, origin.serial, hold))
        self.sent.append(sent)
        if len(self.jobs) >= CHUNK:
            self._submit()

    def _ready(self, origin: Origin, item: Outcome | SourceFailure) -> None:
        self._submit()  # the records before it go first
        self.pending.append(_Ready(origin, item))

    def _submit(self) -> None:
        if not self.jobs:
            return
        batch = _Batch(self.pool.submit(_process_jobs, self.jobs, self.options), self.sent)
        for sent in self.sent:
            sent.batch = batch
        self.pending.append(batch)
        self.in_flight += 1
        self.jobs, self.sent = [], []

    def _drain(self, limit: int) -> Iterator[Outcome]:
        while self.pending:
            head = self.pending[0]
            if isinstance(head, _Ready):
                self.pending.popleft()
                if head.origin.serial in self.failed:
                    continue
                if isinstance(head.item, SourceFailure):
                    if self.on_failure:
                        self.on_failure(head.item)
                else:
                    yield head.item
                continue
            if self.in_flight <= limit and not head.future.done():
                return
            self.pending.popleft()
            self.in_flight -= 1
            yield from self._settle(head)

    def _settle(self, batch: _Batch) -> Iterator[Outcome]:
        try:
            results = batch.future.result()
        except BrokenProcessPool:
            raise LdPublishError(
                "a worker process died (killed, or out of memory)",
                hint="rerun with -j 1 to see which record it was on, or give the "
                     "machine more memory") from None
        for sent, done in zip(batch.sent, results, strict=True):
            if sent.origin.serial in self.failed:
                self._discard(done)
            elif isinstance(done, SourceFailure):
                self.failed.add(sent.origin.serial)
                if self.on_failure:
                    self.on_failure(done)
            else:
                assert done is not None  # only after a failure of its source
                yield done
        # Records and batch refer to each other; left to the cyclic collector, settled batches
        # and their results piled up in this process (130 MB in 5,000 rich records).
        batch.sent.clear()

    def _discard(self, done: Done) -> None:
        # Read after its source failed: reading the source whole would never have reached it.
        # Its documents go (a record whose key was met before wrote none: it was held).
        if isinstance(done, Outcome) and self.options.write_to:
            for name in done.files:
                (Path(self.options.write_to) / name).unlink(missing_ok=True)


def fan_out(first: list[Job | Outcome], stream: Iterator[tuple[Origin, Split]],
            options: Options, workers: int, seen: KeyTable, failed: set[int],
            on_failure: Callable[[SourceFailure], None] | None) -> Iterator[Outcome]:
    """Outcomes of ``first`` (records read so far) and then of ``stream``, in input order."""
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                             initializer=_worker_started) as pool:
        yield from _Fanout(pool, options, workers, seen, failed, on_failure).run(
            first, stream)
