"""Record processing: read → map → validate → serialise, streamed with bounded memory on every core.

:func:`process` yields one :class:`Outcome` per record, in input order. Records are read in the
calling process and sent to worker processes in small chunks; at most ``2 × workers`` chunks are
in flight, so memory stays flat however many records the input holds. Whole-source failures
(an empty or binary file) become :class:`SourceFailure` outcomes; the run goes on with the other
inputs.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

from .errors import InputError, LdPublishError, RecordError
from .formats import rdf_formats
from .graph import RecordGraph
from .layout import atomic_write, file_name
from .mapping import MappingOptions, Profile, map_work
from .mapping.iris import DEFAULT_BASE
from .model import Notice, Rejected, Source, Work
from .readers import reader_for
from .sources import InputSource, check_exist, expand
from .validation import Engine, RecordReport, Shapes, load_shapes, validate_graph
from .writers import writers

CHUNK = 32


@dataclass(frozen=True, slots=True)
class Options:
    """What :func:`process` does with each record."""

    base: str = DEFAULT_BASE
    profile: Profile = Profile.BOTH
    formats: tuple[str, ...] = ("turtle", "jsonld")
    reader: str | None = None
    engine: Engine = "fast"
    workers: int = 0  # 0: one per core
    validate: bool = True
    # Send the graph objects back from the workers (loading needs them); export needs only
    # the serialised documents, and pickling hundreds of terms per record costs more than
    # mapping them.
    keep_graph: bool = False
    # When set, workers write each record's documents into this folder themselves.
    write_to: str | None = None

    def mapping(self) -> MappingOptions:
        return MappingOptions(base=self.base, profile=self.profile)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one record: its graph and documents, or why it was quarantined."""

    key: str
    source: Source
    report: RecordReport | None
    graph: RecordGraph | None = None
    documents: dict[str, bytes] = field(default_factory=dict)
    nquads: bytes | None = None  # the record's named graph, for dataset-wide files
    files: tuple[str, ...] = ()  # file names written under Options.write_to
    reason: str | None = None  # set when quarantined
    hint: str | None = None
    record: Work | None = None
    raw: str | None = None
    unmapped: tuple[str, ...] = ()

    @property
    def quarantined(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True, slots=True)
class SourceFailure:
    """An input that could not be read at all."""

    label: str
    error: InputError


@cache
def _shapes() -> Shapes:
    return load_shapes()


def process_work(work: Work, options: Options) -> Outcome:
    """Map, validate and serialise one record (runs in a worker process).

    A record that breaks ld-publish itself is quarantined with the error, so one odd record
    cannot end a run of millions; ``LD_PUBLISH_DEBUG=1`` lets the exception through instead.
    """
    try:
        return _process_work(work, options)
    except LdPublishError:
        raise
    except Exception as exc:
        if os.environ.get("LD_PUBLISH_DEBUG"):
            raise
        return Outcome(work.key, work.source, None, record=work, unmapped=work.unmapped,
                       reason=f"ld-publish failed on this record: {type(exc).__name__}: {exc}",
                       hint="this is a bug in ld-publish; please report it with the record "
                            "(rerun with LD_PUBLISH_DEBUG=1 for the traceback)")


def _process_work(work: Work, options: Options) -> Outcome:
    try:
        mapped = map_work(work, options.mapping())
    except RecordError as exc:
        return Outcome(work.key, work.source, None, reason=str(exc), record=work,
                       unmapped=work.unmapped)
    notices: tuple[Notice, ...] = work.notices + mapped.notices
    report = validate_graph(mapped.graph, _shapes(), engine=options.engine,
                            notices=notices) if options.validate else None
    graph = mapped.graph if options.keep_graph else None
    if report is not None and not report.conforms:
        return Outcome(work.key, work.source, report, graph,
                       reason="the record violates the shapes", record=work,
                       unmapped=work.unmapped)
    documents = {name: writers.get(name).write(mapped.graph) for name in options.formats}
    files: tuple[str, ...] = ()
    if options.write_to is not None:
        stem = file_name(work.key)
        names = [f"{stem}.{rdf_formats.get(fmt).extension}" for fmt in documents]
        for fmt, name in zip(documents, names, strict=True):
            atomic_write(Path(options.write_to) / name, documents[fmt])
        files, documents = tuple(names), {}
    return Outcome(work.key, work.source, report, graph, documents,
                   nquads=mapped.graph.nquads(), files=files, unmapped=work.unmapped)


def _worker_started() -> None:
    # Records are trees of dicts, lists and tuples without reference cycles: reference counting
    # frees them. The cyclic collector would still scan every object inherited from the parent
    # (modules, the compiled shapes) again and again; freezing those and collecting young
    # objects less often takes that off every record. Cycles are still collected.
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


def _process_chunk(chunk: list[Work], options: Options) -> list[Outcome]:
    return [process_work(work, options) for work in chunk]


def _rejected(item: Rejected) -> Outcome:
    reason = item.reason if not item.field else f"{item.reason} (field {item.field})"
    if item.hint:
        reason += f"; hint: {item.hint}"
    return Outcome(item.source.pointer or f"{item.source.path}#{item.source.position}",
                   item.source, None, reason=reason, raw=item.raw)


def read_records(inputs: list[str], reader: str | None = None
                 ) -> Iterator[Work | Rejected | SourceFailure]:
    """Every record of every input, in order; unreadable inputs as :class:`SourceFailure`.

    A named input that does not exist raises :class:`InputError` before anything is read.
    """
    check_exist(inputs)
    for item in inputs:
        sources = expand([item])
        while True:
            try:
                source = next(sources)
            except StopIteration:
                break
            except InputError as exc:  # an empty folder, a damaged archive
                yield SourceFailure(item, exc)
                break
            yield from _read_source(source, reader)


def _read_source(source: InputSource, reader: str | None
                 ) -> Iterator[Work | Rejected | SourceFailure]:
    try:
        chosen = reader_for(source, reader)
        yield from chosen.read(source)
    except InputError as exc:
        yield SourceFailure(source.label, exc)
    except LdPublishError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            UnicodeError, RecursionError, MemoryError) as exc:
        # A reader bug must not lose the other inputs; the user gets file and reason.
        yield SourceFailure(source.label, InputError(
            f"could not read {source.label}: {type(exc).__name__}: {exc}",
            hint="this is a bug in ld-publish's reader; please report it with the file"))


def process(inputs: list[str], options: Options | None = None,
            on_failure: Callable[[SourceFailure], None] | None = None) -> Iterator[Outcome]:
    """Outcomes for every record of ``inputs`` in input order (see module docs)."""
    options = options or Options()
    check_exist(inputs)  # before the first record is asked for, so callers fail early
    stream = read_records(inputs, options.reader)
    workers = options.workers or os.cpu_count() or 1

    # Two records with one key would write the same files and the same named graph: the later
    # would silently replace the earlier. Keys are remembered as 16-byte digests.
    first_source: dict[bytes, str] = {}

    def works() -> Iterator[Work | Outcome]:
        for item in stream:
            if isinstance(item, SourceFailure):
                if on_failure:
                    on_failure(item)
                continue
            if isinstance(item, Rejected):
                yield _rejected(item)
                continue
            digest = hashlib.blake2b(item.key.encode("utf-8"), digest_size=16).digest()
            earlier = first_source.setdefault(digest, item.source.label())
            if earlier != item.source.label():
                yield Outcome(item.key, item.source, None, record=item, unmapped=item.unmapped,
                              reason=f"another record of this run has the same key "
                                     f"{item.key!r} ({earlier}); it was published, this one "
                                     "was not",
                              hint="publish the two descriptions in separate runs (the later "
                                   "run replaces the earlier one's graph) or drop one")
            else:
                yield item

    items = works()
    first = list(islice(items, CHUNK))
    if workers <= 1 or len(first) < CHUNK:
        # Small inputs: a process pool costs more than it saves.
        for item in _chain(first, items):
            yield item if isinstance(item, Outcome) else process_work(item, options)
        return
    yield from _parallel(_chain(first, items), options, workers)


def _chain(first: list[Work | Outcome], rest: Iterator[Work | Outcome]
           ) -> Iterator[Work | Outcome]:
    yield from first
    yield from rest


def _parallel(items: Iterator[Work | Outcome], options: Options,
              workers: int) -> Iterator[Outcome]:
    # Each slot is either an already-final outcome (a reader rejection) or a future chunk;
    # keeping them in one queue preserves input order.
    pending: deque[Outcome | Future[list[Outcome]]] = deque()
    in_flight = 0
    chunk: list[Work] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork"),
                             initializer=_worker_started) as pool:

        def drain(limit: int) -> Iterator[Outcome]:
            nonlocal in_flight
            while pending and (in_flight > limit or not isinstance(pending[0], Future)
                               or pending[0].done()):
                head = pending.popleft()
                if isinstance(head, Future):
                    in_flight -= 1
                    try:
                        yield from head.result()
                    except BrokenProcessPool:
                        raise LdPublishError(
                            "a worker process died (killed, or out of memory)",
                            hint="rerun with -j 1 to see which record it was on, or give the "
                                 "machine more memory") from None
                else:
                    yield head

        for item in items:
            if isinstance(item, Outcome):
                if chunk:
                    pending.append(pool.submit(_process_chunk, chunk, options))
                    in_flight += 1
                    chunk = []
                pending.append(item)
            else:
                chunk.append(item)
                if len(chunk) >= CHUNK:
                    pending.append(pool.submit(_process_chunk, chunk, options))
                    in_flight += 1
                    chunk = []
            yield from drain(2 * workers)
        if chunk:
            pending.append(pool.submit(_process_chunk, chunk, options))
            in_flight += 1
        yield from drain(-1)
