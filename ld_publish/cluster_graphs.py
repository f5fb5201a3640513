"""``load --cluster`` and ``site --cluster``: records processed on the workers, taken by the
driver in input order.

Reading, mapping and validating run on the workers per partition, planned, scanned and placed
exactly as for ``export --cluster`` (:meth:`ld_publish.cluster.Run.submit`, the same held
records). A task writes what the driver needs of each record to a *shard* in the run's work
folder (a stream of pickles, one per record, so the driver holds one record at a time and
the Dask results stay small):

* a published record's payload: for ``load`` its graph (what the loaders need of it), for
  ``site`` what :class:`ld_publish.site.cluster.Render` made of it on the worker;
* a quarantined record's :class:`~ld_publish.pipeline.Outcome` (its graph left out), to be
  quarantined by the driver as a local run does;
* a held record's whole outcome, decided by the driver in input order with the same
  :class:`~ld_publish.keys.FirstOfKey` as a local run;
* a source that failed as a whole.

The store (one endpoint) and the site's run-wide files are the driver's: :func:`run_records`
yields, in input order, what a local :func:`~ld_publish.pipeline.process` would have let the
caller do, so the journal, batching, ``--bulk``, quarantine and the site's incremental writes
are the local code. A task that runs twice (a worker died) rewrites its shard whole under a
temporary name, so a rerun duplicates nothing.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from typing import Any

from .cluster import Run
from .cluster_work import Failed, PartPlace, part_outcomes, visible, worker_process
from .graph import RecordGraph
from .keys import FirstOfKey, Place, key_digest
from .limits import use
from .partitions import Part
from .pipeline import Options, Outcome, SourceFailure
from .work_folder import WorkFolder

__all__ = ["Published", "records_part", "run_records"]

# What a site task makes of a published record on the worker (picklable).
Render = Callable[[Outcome], Any]


@dataclass(frozen=True, slots=True)
class Published:
    """A record no earlier record of the run shares a key with, mapped and valid."""

    key: str
    place: Place  # its source's path, line and position
    payload: Any  # the bare graph (load) or the rendered record (site)


@dataclass(frozen=True, slots=True)
class HeldOutcome:
    """A held record's outcome, published or not as the driver decides."""

    outcome: Outcome


@dataclass(frozen=True, slots=True)
class RecordsDone:
    index: int
    shard: str  # its file name in the work folder
    count: int  # pickles in it


def bare(graph: RecordGraph) -> RecordGraph:
    """What a loader needs of a graph: the triples and names, not the mapping's field notes
    (about as large again, and pickled to the driver)."""
    return RecordGraph(graph.key, graph.name, graph.root, graph.terms, graph.source_label)


def records_part(part: Part, options: Options, work: WorkFolder, held: frozenset[PartPlace],
                 where: tuple[int, int] | None, digest: str | None,
                 render: Render | None) -> RecordsDone:
    """A worker's task: the partition's records into its shard (see the module docs)."""
    worker_process()
    use(options.limits)
    if not work.remote:  # an object-storage prefix is there once written to
        visible(work.location, "the work folder")
    shard = f"part-{part.index:06d}.pickles"
    count = 0
    with work.writing(shard) as out:
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        for found in part_outcomes(part, options, held, where, digest):
            item: Failed | Published | HeldOutcome | Outcome
            if isinstance(found, Failed):
                item = found
            else:
                _place, outcome, is_held = found
                if is_held:
                    item = HeldOutcome(replace(outcome, nquads=None))
                elif outcome.quarantined or outcome.graph is None:
                    item = replace(outcome, graph=None, nquads=None)
                else:
                    source = outcome.source
                    item = Published(outcome.key,
                                     (source.path, source.line, source.position),
                                     render(outcome) if render else bare(outcome.graph))
            pickler.dump(item)
            pickler.clear_memo()  # one record at a time: no references across records
            count += 1
    return RecordsDone(part.index, shard, count)


def run_records(run: Run, inputs: list[str], options: Options, work: WorkFolder,
                on_failure: Callable[[SourceFailure], None] | None,
                render: Render | None = None, firsts: FirstOfKey | None = None
                ) -> Generator[Any | Outcome, None, None]:
    """The records of ``inputs`` in input order: a :class:`Published` record's payload, or the
    outcome a local :func:`~ld_publish.pipeline.process` gives for the others (quarantined,
    or held and then published, merged or not). ``work``: a folder the workers see (or a
    prefix on object storage), made and removed here. ``firsts`` decides the held records,
    as :func:`~ld_publish.pipeline.process` takes it (one that merges keeps the records to
    merge)."""
    run.same_software()
    work.fresh()  # what a killed run left goes

    def task(part: Part, held: frozenset[PartPlace], before: tuple[int, int] | None,
             digest: str | None) -> tuple[Any, tuple[Any, ...]]:
        return records_part, (part, options, work, held, before, digest, render)

    own = firsts is None
    decider = FirstOfKey() if firsts is None else firsts
    try:
        queue = run.submit(inputs, options, work.location, task)
        yield from _in_order(queue, run.result, work, on_failure, decider)
    finally:
        if own:
            decider.close()
        run.client.cancel(list(run.futures.values()))
        run.futures.clear()
        work.remove()


def _in_order(queue: list[tuple[Part, Any] | SourceFailure], result: Any, work: WorkFolder,
              on_failure: Callable[[SourceFailure], None] | None, firsts: FirstOfKey
              ) -> Iterator[Any | Outcome]:
    dropped: set[int] = set()  # ranged files a worker failed: their later ranges go unread
    waiting = deque(queue)
    queue.clear()  # a merged partition's result is let go of at once
    while waiting:
        entry = waiting.popleft()
        if isinstance(entry, SourceFailure):
            if on_failure:
                on_failure(entry)
            continue
        part, future = entry
        done: RecordsDone = result(future, part)
        piece = part.pieces[0]
        # A range after its source failed: a local run would never have read it.
        if not (piece.kind == "range" and piece.range_of in dropped):
            with work.reading(done.shard) as stream:
                for _ in range(done.count):
                    item = pickle.load(stream)  # the workers' own shard, trusted
                    if isinstance(item, Failed):
                        if on_failure:
                            on_failure(item.failure)
                        if item.range_of >= 0:
                            dropped.add(item.range_of)
                    elif isinstance(item, Published):
                        firsts.settled(key_digest(item.key), item.place, True)
                        yield item.payload
                    elif isinstance(item, HeldOutcome):
                        yield firsts.decide(item.outcome)[0]
                    else:
                        if item.from_work:
                            source = item.source
                            firsts.settled(key_digest(item.key),
                                           (source.path, source.line, source.position), False)
                        yield item
        work.unlink(done.shard)
