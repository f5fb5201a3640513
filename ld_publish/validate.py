"""The validate job: records, or RDF as published, checked against the shapes; one report.

A file (or a folder's file) is read as published RDF when it is Turtle, JSON-LD (with its
context inline), N-Triples, N-Quads or TriG, told by extension and content (or ``--from
turtle`` ...): each of its graphs (an N-Quads file: each named graph) is checked as it stands,
identifier rules included. Any other input, and standard input and archives, are read as
records, mapped and checked as ``export`` would, streamed. Inputs keep their order in the
report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import InputError
from .formats import RdfFormat
from .keys import FirstOfKey
from .layout import DATASET, REPORT
from .locations import input_locations, is_remote
from .mapping.iris import Minter
from .merge_run import merged_records
from .model import Notice
from .pipeline import Options, Outcome, SourceFailure, process, shapes_of
from .rdf_input import detect_rdf, rdf_format, read_graphs
from .sources import Input, InputSource, check_exist, expand, files_of
from .validation import RecordReport, ValidationReport, resolve_engine, validate_graph
from .validation.report import notice_finding

__all__ = ["ValidationResult", "validate"]


@dataclass
class ValidationResult:
    report: ValidationReport
    failed_sources: list[SourceFailure] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    def summary(self) -> str:
        totals = self.report.totals
        total, good = totals["records"], totals["conforming"]
        text = (f"validated {total} records: {good} conform, {total - good} do not; "
                f"{totals['violations']} violations, {totals['warnings']} warnings, "
                f"{totals['infos']} infos")
        failed = [f for f in self.failed_sources if not f.skipped]
        if failed:
            text += f"; {len(failed)} inputs could not be read"
        if len(failed) < len(self.failed_sources):
            text += f"; {len(self.failed_sources) - len(failed)} files of no known format skipped"
        return text


def validate(inputs: Sequence[Input], options: Options | None = None) -> ValidationResult:
    """Validate every record or published graph of ``inputs``.

    Records a reader refused count as non-conforming; an input that cannot be read at all
    (bad RDF syntax, an empty file) is listed in ``failed_sources``.
    """
    options = options or Options(formats=())
    inputs = input_locations(list(inputs))
    check_exist(inputs)
    shapes = shapes_of(options)
    engine = resolve_engine(options.engine, shapes)
    options = replace(options, engine=engine)  # resolved once, not per worker
    forced = rdf_format(options.reader) if options.reader else None
    failures: list[SourceFailure] = []
    records: list[RecordReport] = []
    pending: list[Input] = []

    def flush() -> None:
        if pending:
            records.extend(_records(pending, options, failures.append))
            pending.clear()

    def check_graphs(source: InputSource, fmt: RdfFormat) -> None:
        flush()
        try:
            for graph in read_graphs(source, fmt):
                records.append(validate_graph(graph, shapes, engine))
        except InputError as exc:
            failures.append(SourceFailure(source.label, exc))

    record_reader = options.reader is not None and forced is None
    for item in inputs:
        files = _files(item) if isinstance(item, str) and not record_reader else None
        if files:
            for source in files:
                try:
                    fmt = forced or detect_rdf(source)
                except InputError as exc:
                    failures.append(SourceFailure(source.label, exc))
                    continue
                if fmt is None:
                    pending.append(source if source.in_folder else source.label)
                else:
                    check_graphs(source, fmt)
        elif forced is not None:  # standard input or an archive, named as RDF
            for source in expand([item]):
                check_graphs(source, forced)
        else:  # records: standard input, archives, empty folders, --from a reader
            pending.append(item)
    flush()
    return ValidationResult(ValidationReport.of(records), failures)


def _files(item: str) -> list[InputSource] | None:
    """The plain files ``item`` names as sources: an export's output folder is its
    dataset.nq (each record once; report.json and the context are bookkeeping); any other
    folder its files, a file itself; ``None`` for standard input or an archive."""
    if is_remote(item):
        return _objects(item)
    folder = Path(item)
    if (folder / REPORT).is_file():
        for name in (DATASET, DATASET + ".gz"):
            if (folder / name).is_file():
                return [replace(InputSource.from_path(folder / name), in_folder=True)]
    files = files_of(item)
    if files is None:
        return None
    in_folder = folder.is_dir()
    return [replace(InputSource.from_path(path), in_folder=in_folder) for path in files]


def _objects(url: str) -> list[InputSource] | None:
    """:func:`_files` of an object or prefix on object storage."""
    from .remote import is_tar, objects, source

    found, folder = objects(url)
    sizes = dict(found)
    base = url.rstrip("/")
    if folder and f"{base}/{REPORT}" in sizes:
        for name in (DATASET, DATASET + ".gz"):
            if f"{base}/{name}" in sizes:
                return [source(f"{base}/{name}", sizes[f"{base}/{name}"], in_folder=True)]
    if not folder and is_tar(url):
        return None
    return [source(key, size, in_folder=folder) for key, size in found]


def _records(inputs: list[Input], options: Options,
             on_failure: Callable[[SourceFailure], None]) -> Iterator[RecordReport]:
    """Each record's report in input order; a later record of a work from another source
    is marked merged (and checked on its own all the same), and when the records end each
    such work's merged record is checked too, as export would publish it
    (:mod:`ld_publish.merge_run`), its findings under the key."""
    firsts = FirstOfKey(merging=True)
    try:
        for outcome in process(inputs, options, on_failure=on_failure, firsts=firsts):
            report = _report(outcome, options)
            if outcome.merged_into is not None:
                report = replace(report, merged_into=outcome.merged_into)
            yield report
        firsts.close_keys()  # the records to merge stay
        for result in merged_records(inputs, options, firsts) if firsts.merges else ():
            if result.outcome is not None:
                labels = " + ".join(source.label() for source in result.sources)
                yield _report(result.outcome, options, f"merged: {labels}")
    finally:
        firsts.close()


def _report(outcome: Outcome, options: Options, source: str | None = None) -> RecordReport:
    """``outcome``'s report (``source``: the label to give it instead of its record's)."""
    if outcome.report is not None:
        return outcome.report if source is None else replace(outcome.report, source=source)
    # The reader or the mapping refused the record: a violation on the record itself, on
    # the IRI the record's work would have had.
    notice = Notice(field=outcome.source.pointer or "record",
                    message=outcome.reason or "the record could not be read",
                    severity="violation")
    focus = _record_iri(options.base, outcome.key)
    return RecordReport(outcome.key, source or outcome.source.label(),
                        (notice_finding(notice, focus, "reader"),), focus=focus)


def _record_iri(base: str, key: str) -> str:
    try:
        return Minter(base, key).record
    except ValueError:
        return Minter(base, "record").record

