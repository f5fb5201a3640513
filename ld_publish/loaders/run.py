"""A load run: batching, skipping unchanged records, bisecting refused batches, the journal.

This is the hook the pipeline uses: :func:`load_graphs` takes any iterator of RecordGraph (from
N-Quads files today, from raw record inputs through ``ld_publish.pipeline`` later).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Protocol, runtime_checkable

from ..errors import LdPublishError, OutputError, StoreError
from ..graph import RecordGraph
from ..journal import LoadJournal
from .base import BatchRejected, Loader, Quarantine, RequestFailed, hash_literal

DEFAULT_BATCH_GRAPHS = 64
DEFAULT_BATCH_BYTES = 4 * 1024 * 1024
#: With ``bulk``: the storage engine's bulk loader pays off only on large batches (about
#: 2,000 record graphs reach the speed of loading a whole file at once).
BULK_BATCH_GRAPHS = 2048
BULK_BATCH_BYTES = 256 * 1024 * 1024


@runtime_checkable
class BulkLoader(Protocol):
    """A loader that can add graphs new to its store faster than :meth:`Loader.replace`, not
    in one transaction. ``bulk_add`` returns the graphs it left for ``replace`` (those the store
    already holds something of); it writes the hashes of what it added after the content."""

    def bulk_add(self, graphs: Sequence[RecordGraph]) -> list[RecordGraph]: ...


@runtime_checkable
class BulkLookup(Protocol):
    """A bulk loader that learns in one lookup both the stored hashes of a batch and which of
    its graphs the store holds anything of (content or a hash), and can be told the latter:
    ``bulk_lookup`` returns the hashes and that set (None when it cannot tell), ``bulk_add``
    then skips its own lookup of held graphs."""

    def bulk_lookup(self, names: Sequence[str]) -> tuple[dict[str, str], set[str] | None]: ...

    def bulk_add(self, graphs: Sequence[RecordGraph], held: set[str] | None = None
                 ) -> list[RecordGraph]: ...


@dataclass
class LoadReport:
    read: int = 0
    loaded: int = 0
    unchanged: int = 0
    quarantined: int = 0
    #: Of ``unchanged``: graphs the journal of an interrupted run had loaded already.
    resumed: int = 0
    triples_loaded: int = 0
    requests: int = 0
    seconds: float = 0.0
    #: Records merged into an earlier record of their work from another source: the store
    #: holds the merged graph (ld_publish.merge_run).
    merged: int = 0
    #: Of the works merged: those whose merged record was quarantined (or whose first record
    #: could not be read again), so the store kept the first record's graph.
    merges_not_published: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.loaded + self.unchanged + self.quarantined + self.merged

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def summary(self) -> str:
        merged = f" + merged {self.merged}" if self.merged else ""
        if self.merges_not_published:
            merged += f" ({self.merges_not_published} merges not published)"
        return (f"read {self.read} = loaded {self.loaded} + unchanged {self.unchanged} "
                f"+ quarantined {self.quarantined}{merged}; {self.triples_loaded} triples in "
                f"{self.seconds:.1f}s")


def batches(graphs: Iterable[RecordGraph], max_graphs: int, max_bytes: int
            ) -> Iterator[list[RecordGraph]]:
    """Consecutive batches of at most ``max_graphs`` graphs and about ``max_bytes`` of
    N-Triples (a single larger graph still goes, alone)."""
    batch: list[RecordGraph] = []
    size = 0
    for g in graphs:
        n = len(g.nquads())
        if batch and (len(batch) >= max_graphs or size + n > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(g)
        size += n
    if batch:
        yield batch


Lookup = tuple[dict[str, str], set[str] | None]


def looked_up_ahead(candidates: Iterable[list[RecordGraph]], lookup: BulkLookup
                    ) -> Generator[tuple[list[RecordGraph], Lookup], None, None]:
    """Each batch with its :meth:`BulkLookup.bulk_lookup`, the next batch's asked while the
    caller works on this one.

    A store spends a good part of a bulk load answering lookups (Virtuoso: about a third,
    bench/bench_load.py) and can answer one while it loads the batch before. That answer is
    current only for names the batch being loaded does not hold, so a batch sharing a name
    with the one before it is looked up after it instead.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="ld-publish-lookup") as pool:
        pending: tuple[list[RecordGraph], Future[Lookup] | None] | None = None
        for batch in candidates:
            names = [g.name for g in batch]
            ahead: Future[Lookup] | None = None
            if pending is None or not {g.name for g in pending[0]}.intersection(names):
                ahead = pool.submit(lookup.bulk_lookup, names)
            if pending is not None:
                yield _answered(pending, lookup)
            pending = (batch, ahead)
        if pending is not None:
            yield _answered(pending, lookup)


def _answered(pending: tuple[list[RecordGraph], Future[Lookup] | None], lookup: BulkLookup
              ) -> tuple[list[RecordGraph], Lookup]:
    batch, ahead = pending
    return batch, (ahead.result() if ahead is not None
                   else lookup.bulk_lookup([g.name for g in batch]))


Progress = Callable[[LoadReport], None]
#: Called before a batch the store refused (or failed on every attempt) is split in two, with
#: the batch and the store's answer.
Split = Callable[[Sequence[RecordGraph], str], None]


def load_graphs(graphs: Iterable[RecordGraph], loader: Loader, *,
                quarantine: Quarantine | None = None, journal: LoadJournal | None = None,
                batch_graphs: int = DEFAULT_BATCH_GRAPHS, batch_bytes: int = DEFAULT_BATCH_BYTES,
                force: bool = False, progress: Progress | None = None,
                on_split: Split | None = None, bulk: bool = False) -> LoadReport:
    """Make every graph in the store hold exactly its record's triples.

    Graphs whose hash the store already has are skipped (``resumed`` counts those the journal
    of an interrupted run lists too).
    A batch the store refuses is split in halves until the refused record is alone; that record
    goes to ``quarantine`` and the others load. A batch the store answers 500 on every attempt
    is split the same way as long as the store still takes an update with no records in it
    (``loader.probe``); when it does not, the store is failing, not a record, and the run stops.
    Any other store failure raises StoreError. The journal then holds what was done, record by
    record, and the next run with it resumes.

    ``bulk`` (for first loads): graphs new to the store go through the loader's bulk path when
    it has one (:class:`BulkLoader`), in batches of :data:`BULK_BATCH_GRAPHS`; the others are
    replaced as usual. A killed bulk load is finished by rerunning it.
    """
    bulk_loader = loader if bulk and isinstance(loader, BulkLoader) else None
    lookup = bulk_loader if isinstance(bulk_loader, BulkLookup) else None
    if bulk_loader is not None:
        batch_graphs = max(batch_graphs, BULK_BATCH_GRAPHS)
        batch_bytes = max(batch_bytes, BULK_BATCH_BYTES)
    report = LoadReport()
    start = time.monotonic()

    def deliver(batch: Sequence[RecordGraph], done: list[tuple[str, str, str]]) -> None:
        try:
            report.requests += 1
            loader.replace(batch)
        except (BatchRejected, RequestFailed) as e:
            if isinstance(e, RequestFailed):
                blame_the_content(e)
            if len(batch) == 1:
                report.quarantined += 1
                if quarantine is not None:
                    quarantine(batch[0], e.message)
                done.append((batch[0].name, hash_literal(batch[0]), "quarantined"))
                return
            if on_split is not None:
                on_split(batch, e.message)
            middle = len(batch) // 2
            deliver(batch[:middle], done)
            deliver(batch[middle:], done)
            return
        for g in batch:
            report.loaded += 1
            report.triples_loaded += len(g)
            done.append((g.name, hash_literal(g), "loaded"))

    def blame_the_content(failure: RequestFailed) -> None:
        """Return if the store takes an update without records (so the batch's content is to
        blame), else raise: splitting batches for a store that fails everything would only
        spend every record's retries before stopping anyway."""
        try:
            report.requests += 1
            loader.probe()
        except StoreError:
            raise StoreError(failure.message, hint=(
                "the store failed an update with no records in it too, so the store is "
                "failing, not a record: check its log and rerun the load when it works "
                "(graphs already loaded are skipped)")) from None

    def load_batch(candidate: list[RecordGraph], answer: Lookup | None) -> None:
        report.read += len(candidate)
        # The store has the last word even on graphs the journal lists: since the journal was
        # written, a run without it may have replaced them (or the store been restored).
        held: set[str] | None = None
        if force:
            stored: dict[str, str] = {}
        elif answer is not None:
            stored, held = answer
        else:
            stored = loader.stored_hashes([g.name for g in candidate])
        fresh = []
        for g in candidate:
            if stored.get(g.name) == hash_literal(g):
                report.unchanged += 1
                if journal is not None and journal.already_loaded(g.name, hash_literal(g)):
                    report.resumed += 1
            else:
                fresh.append(g)
        done: list[tuple[str, str, str]] = []
        try:
            if fresh and bulk_loader is not None:
                report.requests += 1
                left = (lookup.bulk_add(fresh, held=held) if lookup is not None
                        else bulk_loader.bulk_add(fresh))
                kept = {id(g) for g in left}
                for g in fresh:
                    if id(g) not in kept:
                        report.loaded += 1
                        report.triples_loaded += len(g)
                        done.append((g.name, hash_literal(g), "loaded"))
                fresh = left
            if fresh:
                deliver(fresh, done)
        except LdPublishError:
            # Part of a split batch may be in the store already: say so before stopping, so a
            # resumed run skips it. The error that stops the run matters more than this one.
            if journal is not None and done:
                with contextlib.suppress(OutputError):
                    journal.record(done)
            raise
        if journal is not None and done:
            journal.record(done)
        report.seconds = time.monotonic() - start
        if progress is not None:
            progress(report)

    candidates = batches(graphs, batch_graphs, batch_bytes)
    answered: Generator[tuple[list[RecordGraph], Lookup | None], None, None] = (
        looked_up_ahead(candidates, lookup) if lookup is not None and not force
        else ((c, None) for c in candidates))
    with contextlib.closing(answered):
        for candidate, answer in answered:
            load_batch(candidate, answer)
    report.seconds = time.monotonic() - start
    if journal is not None:
        journal.finish(report.as_dict())
    return report
