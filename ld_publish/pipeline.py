"""Record processing: read → map → validate → serialise, streamed with bounded memory on every core.

:func:`process` yields one :class:`Outcome` per record, in input order. Records are read in the
calling process and sent to worker processes in small chunks; at most ``2 × workers`` chunks are
in flight, so memory stays flat however many records the input holds. A source whose reader can
split it (JSON Lines) is only cut into record lines here, and the workers decode them
(:mod:`ld_publish.fanout`). Whole-source failures (an empty or binary file) become
:class:`SourceFailure` outcomes; the run goes on with the other inputs.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import islice
from typing import TypeVar

from .errors import InputError, LdPublishError, RecordError, UnclaimedSource
from .graph import RecordGraph
from .key_index import KeyTable
from .keys import FirstOfKey, Place, key_digest, publish_once, write_documents
from .limits import DEFAULT_LIMITS, Limits, counts_over_limit, strings_over_limit, use
from .mapping import MappingOptions, Profile, map_work
from .mapping.iris import DEFAULT_BASE
from .model import Notice, Rejected, Source, Work
from .readers import RawRecord, Reader, SplittingReader, reader_for
from .sources import Input, InputSource, check_exist, expand
from .validation import Engine, RecordReport, Shapes, load_shapes, validate_graph
from .writers import writers

CHUNK = 32

# A record to process and whether it is held (its key was met before).
Job = tuple[Work, bool]


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
    # Shapes files or folders added to the bundled shapes (or instead of them).
    shapes: tuple[str, ...] = ()
    replace_shapes: bool = False
    license: str | None = None  # the published graphs' licence (an IRI)
    limits: Limits = DEFAULT_LIMITS  # what one record may hold (see ld_publish.limits)
    # Reader names, most trusted first: whose values win when the descriptions of one work
    # from several sources are merged (ld_publish.merge).
    prefer: tuple[str, ...] = ()

    def mapping(self) -> MappingOptions:
        return MappingOptions(base=self.base, profile=self.profile, license=self.license)


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
    from_work: bool = True  # False: a reader refused the record (its key is only a place)
    # Set when the record is merged into its key's published record (the label of that one):
    # a later description of the work from another source (ld_publish.merge_run).
    merged_into: str | None = None

    @property
    def quarantined(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True, slots=True)
class SourceFailure:
    """An input that could not be read at all."""

    label: str
    error: InputError

    @property
    def skipped(self) -> bool:
        """A file in a folder no reader recognises: a note, not a failure."""
        return isinstance(self.error, UnclaimedSource)


@cache
def _shapes(paths: tuple[str, ...] = (), replace: bool = False) -> Shapes:
    return load_shapes(paths or None, with_bundled=not replace)


def shapes_of(options: Options) -> Shapes:
    """The shapes a run validates against (loaded once per process)."""
    return _shapes(options.shapes, options.replace_shapes)


def process_work(work: Work, options: Options, hold: bool = False) -> Outcome:
    """Map, validate and serialise one record (runs in a worker process).

    ``hold``: an earlier record had this key; keep the documents in the outcome instead of
    writing them (:func:`ld_publish.keys.publish_once` decides). A record that breaks
    ld-publish itself is quarantined with the error, so one odd record cannot end a run of
    millions; ``LD_PUBLISH_DEBUG=1`` lets the exception through instead.
    """
    over = counts_over_limit(work, options.limits)
    if over is not None:
        return _over_limit(work, over)
    try:
        if hold:
            outcome = _process_work(work, replace(options, write_to=None))
            return outcome if outcome.record is not None else replace(outcome, record=work)
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
    # A string past the limit makes the graph's text longer than the limit: only then are
    # the record's strings walked (most records are far smaller than one string may be).
    if len(mapped.graph.nquads()) > options.limits.string_chars:
        over = strings_over_limit(work, options.limits)
        if over is not None:
            return _over_limit(work, over)
    notices: tuple[Notice, ...] = work.notices + mapped.notices
    report = validate_graph(mapped.graph, shapes_of(options), engine=options.engine,
                            notices=notices) if options.validate else None
    graph = mapped.graph if options.keep_graph else None
    if report is not None and not report.conforms:
        return Outcome(work.key, work.source, report, graph,
                       reason="the record violates the shapes", record=work,
                       unmapped=work.unmapped)
    documents = {name: writers.get(name).write(mapped.graph) for name in options.formats}
    files: tuple[str, ...] = ()
    if options.write_to is not None:
        files, documents = write_documents(work.key, documents, options.write_to), {}
    return Outcome(work.key, work.source, report, graph, documents,
                   nquads=mapped.graph.nquads(), files=files, unmapped=work.unmapped)


def _over_limit(work: Work, over: tuple[str, str]) -> Outcome:
    field_path, message = over
    return Outcome(work.key, work.source, None, record=work, unmapped=work.unmapped,
                   reason=f"{message} (field {field_path})",
                   hint="raise the limit with --limit NAME=N if the record is genuine (see the "
                        "README's section on reliability)")


def rejected_outcome(item: Rejected) -> Outcome:
    """The quarantine outcome of a record its reader refused."""
    reason = item.reason if not item.field else f"{item.reason} (field {item.field})"
    if item.hint:
        reason += f"; hint: {item.hint}"
    return Outcome(item.source.pointer or f"{item.source.path}#{item.source.position}",
                   item.source, None, reason=reason, raw=item.raw, from_work=False)


def read_records(inputs: Sequence[Input], reader: str | None = None
                 ) -> Iterator[Work | Rejected | SourceFailure]:
    """Every record of every input, in order; unreadable inputs as :class:`SourceFailure`.

    A named input that does not exist raises :class:`InputError` before anything is read.
    """
    for source in _sources(inputs):
        if isinstance(source, SourceFailure):
            yield source
        else:
            yield from _guarded(source.label, _read(source, reader))


def records_at(inputs: Sequence[Input], reader: str | None, places: Iterable[Place]
               ) -> dict[Place, Work]:
    """The records at ``places`` (path, line, position) read again from ``inputs`` (see
    :func:`find_records`); a record not found (its file changed since) is missing."""
    left = set(places)
    return dict(find_records(inputs, reader, Counter(path for path, _, _ in left),
                             lambda place: place if place in left else None))


_F = TypeVar("_F")


def find_records(inputs: Sequence[Input], reader: str | None, counts: Mapping[str, int],
                 lookup: Callable[[Place], _F | None]) -> Iterator[tuple[_F, Work]]:
    """In input order, the records read again from ``inputs`` for which ``lookup`` (asked with
    each one's place: path, line, position) finds something, with what it found. Only the
    sources of ``counts`` (how many records to find each holds) are read, each once, up to
    its last one; a record not found (its file changed since) is not given. ``lookup`` is
    asked after the caller saw the records before: it may answer None for those it has."""
    left = {path: count for path, count in counts.items() if count > 0}
    # Standard input was read once and is gone (keys.FirstOfKey merges nothing into it).
    for source in _sources([item for item in inputs if item != "-"]):
        if not left:
            break
        if isinstance(source, SourceFailure) or source.label not in left:
            continue
        path = source.label
        count = left.pop(path)

        def wanted(line: int | None, position: int, path: str = path) -> bool:
            return lookup((path, line, position)) is not None

        for item in _guarded(path, _reread(source, reader, wanted)):
            if not isinstance(item, Work):
                continue
            found = lookup((path, item.source.line, item.source.position))
            if found is not None:
                yield found, item
                count -= 1
                if not count:
                    break


def _reread(source: InputSource, reader: str | None,
            wanted: Callable[[int | None, int], bool]) -> Iterator[Work | Rejected]:
    """The records of ``source``; of a source its reader splits, only those ``wanted`` (by
    line and position) are decoded (the others are only cut off: a large JSON Lines file is
    not decoded again)."""
    chosen = reader_for(source, reader)
    if not isinstance(chosen, SplittingReader):
        yield from _read(source, chosen)
        return
    digest = source.digest()
    for raw in chosen.split(source):
        if wanted(raw.source.line, raw.source.position):
            yield chosen.decode(_digested(raw, digest))


def _sources(inputs: Sequence[Input]) -> Iterator[InputSource | SourceFailure]:
    check_exist(inputs)
    for item in inputs:
        sources = expand([item])
        while True:
            try:
                source = next(sources)
            except StopIteration:
                break
            except InputError as exc:  # an empty folder, a damaged archive
                yield SourceFailure(item if isinstance(item, str) else item.label, exc)
                break
            yield source


_R = TypeVar("_R", bound=Work | Rejected | RawRecord)


def _read(source: InputSource, reader: str | Reader | None) -> Iterator[Work | Rejected]:
    # Inside the generator: choosing a reader may fail the source, which _guarded reports.
    chosen = reader if isinstance(reader, Reader) else reader_for(source, reader)
    digest = source.digest()
    for item in chosen.read(source):
        yield _digested(item, digest)


def _digested(item: _R, digest: str) -> _R:
    """The record with its source's content hash, which provenance publishes (readers do not
    know it: they may stream the source)."""
    return replace(item, source=replace(item.source, digest=digest))


_T = TypeVar("_T")

# What a reader bug raises; the source then fails instead of the run. Other LdPublishErrors
# (a usage or output error) are not about the source and end the run.
_READER_BUGS = (ValueError, TypeError, KeyError, IndexError, AttributeError, UnicodeError,
                RecursionError, MemoryError)
_SOURCE_FAILS = (InputError, *_READER_BUGS)


def _guarded(label: str, records: Iterator[_T]) -> Iterator[_T | SourceFailure]:
    try:
        yield from records
    except _SOURCE_FAILS as exc:
        yield _source_failure(label, exc)


def decode(reader: SplittingReader, raw: RawRecord, label: str
           ) -> Work | Rejected | SourceFailure:
    """``reader.decode(raw)``, its failure what reading the source ``label`` whole gives."""
    try:
        return reader.decode(raw)
    except _SOURCE_FAILS as exc:
        return _source_failure(label, exc)


def _source_failure(label: str, exc: Exception) -> SourceFailure:
    if isinstance(exc, InputError):
        return SourceFailure(label, exc)
    # A reader bug must not lose the other inputs; the user gets file and reason.
    return SourceFailure(label, InputError(
        f"could not read {label}: {type(exc).__name__}: {exc}",
        hint="this is a bug in ld-publish's reader; please report it with the file"))


@dataclass(slots=True, eq=False)
class Origin:
    """The input source of records being split (main process only)."""

    serial: int  # 1, 2, ... in reading order; 0 for records of no interest
    label: str
    reader: SplittingReader | None = None  # set when the source is split into raw records
    sent_raw: bool = False  # a raw record of it went to a worker (which may fail to decode it)


Split = Work | Rejected | RawRecord | SourceFailure


def split_records(inputs: Sequence[Input], reader: str | None, failed: set[int]
                  ) -> Iterator[tuple[Origin, Split]]:
    """Like :func:`read_records`, but sources whose reader can split them give raw records
    (those whose key cannot be told without decoding are decoded here). A source stops as
    soon as its serial is in ``failed``."""
    for serial, source in enumerate(_sources(inputs), 1):
        if isinstance(source, SourceFailure):
            yield Origin(serial, source.label), source
            continue
        origin = Origin(serial, source.label)
        for item in _guarded(source.label, _split(source, reader, origin)):
            yield origin, item
            if serial in failed:
                break


def _split(source: InputSource, reader: str | None, origin: Origin
           ) -> Iterator[Work | Rejected | RawRecord]:
    chosen = reader_for(source, reader)
    if not isinstance(chosen, SplittingReader):
        yield from _read(source, chosen)
        return
    origin.reader = chosen
    digest = source.digest()
    for raw in chosen.split(source):
        raw = _digested(raw, digest)
        yield raw if raw.key is not None else chosen.decode(raw)


def _decoded(items: Iterator[tuple[Origin, Split]], failed: set[int]
             ) -> Iterator[Work | Rejected | SourceFailure]:
    """Split records decoded here: what :func:`read_records` gives for the same inputs."""
    for origin, item in items:
        if isinstance(item, RawRecord):
            assert origin.reader is not None
            record = decode(origin.reader, item, origin.label)
            if isinstance(record, SourceFailure):
                failed.add(origin.serial)
            yield record
        else:
            yield item


def _works(stream: Iterator[Work | Rejected | SourceFailure], seen: KeyTable,
           on_failure: Callable[[SourceFailure], None] | None) -> Iterator[Job | Outcome]:
    """Records to process, each with whether it is held (its key was met before: see
    :mod:`ld_publish.keys`), and the outcomes of records refused by their reader."""
    for item in stream:
        if isinstance(item, SourceFailure):
            if on_failure:
                on_failure(item)
            continue
        if isinstance(item, Rejected):
            yield rejected_outcome(item)
            continue
        digest = key_digest(item.key)
        held = digest in seen
        seen.add(digest)  # before the yield: the caller may never resume this generator
        yield item, held


def process(inputs: Sequence[Input], options: Options | None = None,
            on_failure: Callable[[SourceFailure], None] | None = None,
            firsts: FirstOfKey | None = None) -> Iterator[Outcome]:
    """Outcomes for every record of ``inputs`` in input order (see module docs). ``firsts``
    decides the records of a key met before (:mod:`ld_publish.keys`): pass one that merges to
    have the records to merge in its ``merges`` when the stream ends."""
    options = options or Options()
    check_exist(inputs)  # before the first record is asked for, so callers fail early
    workers = options.workers or os.cpu_count() or 1

    use(options.limits)  # for the readers, here and in the workers (forked after this)
    seen = KeyTable()  # the keys met so far
    try:
        yield from publish_once(_outcomes(inputs, options, workers, seen, on_failure),
                                options, firsts)
    finally:
        seen.close()


def _outcomes(inputs: Sequence[Input], options: Options, workers: int, seen: KeyTable,
              on_failure: Callable[[SourceFailure], None] | None) -> Iterator[Outcome]:
    if workers <= 1:
        yield from _serial(_works(read_records(inputs, options.reader), seen, on_failure),
                           options)
        return
    # The first records are decoded here: few records are processed here altogether.
    failed: set[int] = set()
    stream = split_records(inputs, options.reader, failed)
    items = _works(_decoded(stream, failed), seen, on_failure)
    first = list(islice(items, CHUNK))
    if len(first) < CHUNK:
        # Small inputs: a process pool costs more than it saves.
        yield from _serial(_chain(first, items), options)
        return
    from .fanout import fan_out  # it builds on this module

    yield from fan_out(first, stream, options, workers, seen, failed, on_failure)


def _serial(items: Iterator[Job | Outcome], options: Options) -> Iterator[Outcome]:
    for item in items:
        yield item if isinstance(item, Outcome) else process_work(item[0], options, item[1])


def _chain(first: list[Job | Outcome], rest: Iterator[Job | Outcome]
           ) -> Iterator[Job | Outcome]:
    yield from first
    yield from rest
