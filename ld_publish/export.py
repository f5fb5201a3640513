"""The export job: records to files under an output folder, invalid ones to quarantine.

Layout of ``<out>/``::

    records/<name>.ttl|.jsonld|.nt|.nq   one document per record per format
    dataset.nq                           every record's named graph, for bulk loading
                                         (dataset.nq.gz with ``dataset="nq.gz"``)
    context.jsonld                       the JSON-LD context the documents inline
    quarantine/<name>.json               what could not be published, with reason and report
    report.json                          the run report (read = written + quarantined + merged)

``<name>`` is the record key made file-safe plus a short hash, so two keys never share a file.
Every file is written in full to a temporary name and renamed, so a crash never leaves a
half-written document behind.
"""

from __future__ import annotations

import functools
import gzip
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, cast

from .errors import InputError, OutputError, UsageError
from .keys import FirstOfKey
from .layout import (
    CONTEXT,
    DATASET,
    QUARANTINE,
    RECORDS,
    REPORT,
    atomic_write,
    file_name,
    remove_temporaries,
    temporary_name,
)
from .locations import input_locations, is_remote, local_path, open_bytes, size_of
from .locking import folder_lock
from .merge_run import not_published
from .pipeline import Options, Outcome, SourceFailure, process
from .readers import readers
from .readers.native_codec import work_to_dict
from .report_stream import ReportStream, Spool
from .sources import check_exist
from .validation import Finding
from .writers.jsonld import context

__all__ = ["RunReport", "Sink", "export", "record_entry"]


@dataclass
class RunReport:
    """Counts of a run. ``read == written + quarantined + merged`` always (``merged``: the
    records merged into an earlier record of their work from another source).

    The per-record entries are not kept here: they stream into ``report.json`` (and to the
    ``on_record`` callback) as records finish, so memory does not grow with the input.
    """

    read: int = 0
    written: int = 0
    quarantined: int = 0
    warnings: int = 0
    infos: int = 0  # notices (severity "info"), counted apart from warnings
    failed_sources: list[dict[str, str]] = field(default_factory=list)
    #: Files of a folder that no reader recognises (a README): noted, not failures.
    skipped_sources: list[dict[str, str]] = field(default_factory=list)
    #: Record and quarantine files an earlier run wrote and this one did not.
    removed_stale: int = 0
    merged: int = 0
    #: What each merge of a work's descriptions took from which source (ld_publish.merge_run),
    #: in a temporary file: there may be as many as records.
    merges: Spool = field(default_factory=Spool)
    #: How many of ``merges`` left the first record published instead of the merged one.
    merges_not_published: int = 0

    @property
    def balanced(self) -> bool:
        return self.read == self.written + self.quarantined + self.merged

    def add_merge(self, entry: dict[str, Any]) -> None:
        """One entry of ``merges``."""
        self.merges.append(entry)
        self.merges_not_published += not_published([entry])

    def totals(self) -> dict[str, Any]:
        return {
            "read": self.read, "written": self.written, "quarantined": self.quarantined,
            "warnings": self.warnings, "infos": self.infos, "balanced": self.balanced,
            "failed_sources": self.failed_sources, "skipped_sources": self.skipped_sources,
            "removed_stale": self.removed_stale, "merged": self.merged,
            "merges": self.merges, "complete": True,
        }

    def summary(self) -> str:
        text = (f"read {self.read} records: {self.written} written, "
                f"{self.quarantined} quarantined, {self.warnings} warnings, {self.infos} "
                "notices")
        if self.merged:
            text += f"; {self.merged} records merged"
        if self.merges_not_published:
            text += f" ({self.merges_not_published} merges not published)"
        if self.failed_sources:
            text += f"; {len(self.failed_sources)} inputs could not be read"
        if self.skipped_sources:
            text += f"; {len(self.skipped_sources)} files of no known format skipped"
        if self.removed_stale:
            text += f"; {self.removed_stale} files of an earlier run removed"
        return text


def _quarantine_entry(outcome: Outcome, locate: Callable[[str], str] | None = None
                      ) -> dict[str, Any]:
    source = outcome.source
    entry: dict[str, Any] = {
        "key": outcome.key,
        "reason": outcome.reason,
        "hint": outcome.hint,
        "source": {"file": source.path, "format": source.format, "position": source.position,
                   "line": source.line, "pointer": source.pointer},
    }
    if outcome.report is not None:
        entry["report"] = outcome.report.to_dict()
    if outcome.raw is not None:
        entry["raw"] = outcome.raw
    if outcome.record is not None:
        entry["record"] = work_to_dict(outcome.record)
        entry["raw"] = entry.get("raw") or _source_text(
            locate(source.path) if locate else source.path)
    return entry


def _source_text(path: str, limit: int = 1024 * 1024) -> str | None:
    # The whole source file when it is small: the user sees exactly what was read.
    if is_remote(path):
        return _object_text(path, limit)
    try:
        if os.path.getsize(path) > limit:
            return None
        return Path(path).read_text("utf-8", errors="replace")
    except OSError:
        return None


@functools.lru_cache(maxsize=2)
def _object_text(url: str, limit: int) -> str | None:
    # Cached: the records of one object are quarantined one after another, and each would
    # fetch it again.
    try:
        if size_of(url) > limit:
            return None
        with io.TextIOWrapper(open_bytes(url), "utf-8", errors="replace") as text:
            return text.read()  # newlines as Path.read_text gives them
    except (OSError, InputError):
        return None


def export(inputs: list[str], out: str | os.PathLike[str] = "output",
           options: Options | None = None, *, report_unmapped: bool = False,
           progress: Callable[[RunReport], None] | None = None,
           on_record: Callable[[dict[str, Any]], None] | None = None,
           cluster: str | None = None, partition_bytes: int | None = None,
           dataset: str = "nq") -> RunReport:
    """Export ``inputs`` (files, folders, ``-``) to ``out``; returns the run report.

    Raises :class:`~ld_publish.errors.InputError` only when an input path does not exist;
    unreadable inputs are listed in ``report.failed_sources`` (and quarantined) and the other
    inputs go on. ``cluster`` (``local[:N]`` or ``tcp://host:port``) runs the records on a
    Dask cluster in partitions of about ``partition_bytes`` (:mod:`ld_publish.cluster`); the
    output is the same as without it. ``dataset`` is ``nq`` or ``nq.gz`` (gzip-compressed:
    about a tenth of the size, for runs whose N-Quads would fill the disk).
    """
    options = options or Options()
    if dataset not in DATASET_FORMATS:
        raise UsageError(f"unknown dataset format {dataset!r}",
                         hint=f"use one of {', '.join(DATASET_FORMATS)}")
    out = local_path(os.fspath(out), "output folder")  # before any input is looked at
    inputs = input_locations(inputs)
    check_exist(inputs)
    if options.reader:
        readers.get(options.reader)  # an unknown name fails before anything is created
    if cluster is None:
        return _in_folder(inputs, Path(out), options, report_unmapped, progress, on_record,
                          None, dataset)
    from .cluster import connect

    # Connected before the output folder is touched: a cluster that is not there changes
    # nothing.
    with connect(cluster, partition_bytes) as writer:
        return _in_folder(inputs, Path(out), options, report_unmapped, progress, on_record,
                          writer, dataset)


# The forms of the run-wide N-Quads file: option value -> file name.
DATASET_FORMATS = {"nq": DATASET, "nq.gz": DATASET + ".gz"}

# Writes a run's records into a Sink, in input order.
Writer = Callable[[list[str], "Options", "Sink"], None]


def _in_folder(inputs: list[str], root: Path, options: Options, report_unmapped: bool,
               progress: Callable[[RunReport], None] | None,
               on_record: Callable[[dict[str, Any]], None] | None,
               cluster: Writer | None, dataset: str) -> RunReport:
    records_dir = root / RECORDS
    quarantine_dir = root / QUARANTINE
    try:
        records_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {records_dir}: {exc.strerror}") from None
    with folder_lock(root, "export"):
        for folder in (root, records_dir, quarantine_dir):
            remove_temporaries(folder)  # what a killed run left
        return _export(inputs, root, options, report_unmapped, progress, on_record, cluster,
                       dataset)


def _export(inputs: list[str], root: Path, options: Options, report_unmapped: bool,
            progress: Callable[[RunReport], None] | None,
            on_record: Callable[[dict[str, Any]], None] | None,
            cluster: Writer | None, dataset_format: str) -> RunReport:
    records_dir, quarantine_dir = root / RECORDS, root / QUARANTINE
    report = RunReport()
    # Workers write each record's documents themselves; only metadata comes back.
    options = replace(options, write_to=str(records_dir))

    def failed(failure: SourceFailure) -> None:
        if failure.skipped:
            report.skipped_sources.append({"file": failure.label,
                                           "note": failure.error.message})
            return
        report.failed_sources.append({"file": failure.label, "error": str(failure.error)})
        quarantine_dir.mkdir(parents=True, exist_ok=True)
        entry = {"source": {"file": failure.label}, "reason": str(failure.error)}
        atomic_write(quarantine_dir / f"{file_name('source:' + failure.label)}.json",
                      _json(entry))

    final = root / DATASET_FORMATS[dataset_format]
    dataset_tmp = temporary_name(final)
    entries = ReportStream(root / REPORT)
    try:
        raw: IO[bytes] = open(dataset_tmp, "wb")  # noqa: SIM115 - closed below
        dataset = raw
        if dataset_format == "nq.gz":
            # No name and no time in the header: the same records give the same bytes. Level 1:
            # the main process writes it, and higher levels cost it several times the CPU.
            dataset = cast(IO[bytes], gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                    compresslevel=1, mtime=0))
    except OSError as exc:
        entries.discard()
        raise OutputError(f"cannot write to {root}: {exc.strerror}") from None
    sink = Sink(report, dataset, entries, failed, root, report_unmapped, progress, on_record,
                FirstOfKey(merging=True))
    started = _now_on(root)
    try:
        with dataset:
            if cluster is None:
                _write_records(inputs, options, sink)
            else:
                cluster(inputs, options, sink)
        raw.close()  # GzipFile leaves its file open
        sink.firsts.close_keys()  # the records to merge stay
        if sink.firsts.merges:
            from .merge_run import merge_into_export

            merge_into_export(inputs, options, sink, dataset_tmp, gz=dataset_format == "nq.gz")
        sink.firsts.close()
        os.replace(dataset_tmp, final)
        for other in DATASET_FORMATS.values():  # an earlier run's, in the other form
            if other != final.name:
                (root / other).unlink(missing_ok=True)
        report.removed_stale = _remove_stale(root, started)
        entries.close(report.totals())
    except BaseException as exc:
        # No temporary file is left behind; the records written so far stay (each complete)
        # and report.json says which they are and why the run stopped. dataset.nq is not
        # published: it would pass for a complete run's.
        dataset.close()
        raw.close()
        sink.firsts.close()
        dataset_tmp.unlink(missing_ok=True)
        for name in DATASET_FORMATS.values():  # an older run's would not match the report
            (root / name).unlink(missing_ok=True)
        problem = (f"cannot write to {root}: {exc.strerror or exc}" if isinstance(exc, OSError)
                   else str(exc).partition("\n")[0] or type(exc).__name__)
        entries.close_early({**report.totals(), "complete": False, "stopped_by": problem})
        if isinstance(exc, OSError):
            raise OutputError(problem, hint="check free disk space and permissions of the "
                                            "output folder") from None
        raise
    atomic_write(root / CONTEXT, _json(context()))
    return report


# What export itself names files in records/ and quarantine/: the only files it removes.
_OURS = re.compile(r"^[A-Za-z0-9._-]*-[0-9a-f]{8}\.(?:ttl|jsonld|nt|nq|trig|json)$")


def _now_on(root: Path) -> int:
    """The output folder's file-system clock now (ns): what the files this run writes will
    be stamped after. Workers on other machines write through the same file system, so its
    clock, not this machine's, is the one to compare with."""
    probe = temporary_name(root / "clock")
    try:
        probe.touch()
        return probe.stat().st_mtime_ns
    except OSError as exc:
        raise OutputError(f"cannot write to {root}: {exc.strerror}") from None
    finally:
        probe.unlink(missing_ok=True)


def _remove_stale(root: Path, started: int) -> int:
    """Remove the record and quarantine files an earlier run left (older than this run's
    start; every file this run writes is new, renamed into place), so the folder holds what
    report.json and dataset.nq describe. Returns how many."""
    removed = 0
    for folder in (root / RECORDS, root / QUARANTINE):
        if not folder.is_dir():
            continue
        with os.scandir(folder) as found:
            for item in found:
                if (item.is_file(follow_symlinks=False) and _OURS.match(item.name)
                        and item.stat(follow_symlinks=False).st_mtime_ns < started):
                    os.unlink(item.path)
                    removed += 1
    return removed


def _write_records(inputs: list[str], options: Options, sink: Sink) -> None:
    for outcome in process(inputs, options, on_failure=sink.failed, firsts=sink.firsts):
        sink.add(outcome)


@dataclass(eq=False)
class Sink:
    """Where a run's records go, in input order: the counts, ``dataset.nq``, ``report.json``
    and the callbacks (the local pool and the cluster merge both feed it)."""

    report: RunReport
    dataset: IO[bytes]
    entries: ReportStream
    failed: Callable[[SourceFailure], None]
    root: Path
    report_unmapped: bool
    progress: Callable[[RunReport], None] | None
    on_record: Callable[[dict[str, Any]], None] | None
    # Decides the records of a key met before, and keeps those to merge (ld_publish.keys).
    firsts: FirstOfKey = field(default_factory=FirstOfKey)

    def add(self, outcome: Outcome) -> None:
        self.report.read += 1
        entry, warnings, infos = record_entry(outcome, self.root, self.report_unmapped)
        if outcome.merged_into is not None:
            self.report.merged += 1
        self._settle(_json_line(entry), entry,
                     not outcome.quarantined and outcome.merged_into is None, warnings, infos,
                     outcome.nquads, outcome.merged_into is not None)

    def add_entry(self, line: bytes, written: bool, warnings: int, infos: int,
                  nquads: bytes | None) -> None:
        """One record settled elsewhere: its report entry (one line of JSON), its counts of
        warnings and notices and, when written, its N-Quads."""
        self.report.read += 1
        self._settle(line, None, written, warnings, infos, nquads)

    def _settle(self, line: bytes, entry: dict[str, Any] | None, written: bool,
                warnings: int, infos: int, nquads: bytes | None, merged: bool = False) -> None:
        report = self.report
        report.warnings += warnings
        report.infos += infos
        if written:
            report.written += 1
            if nquads is not None:
                self.dataset.write(nquads)
        elif not merged:  # a merged record is counted by add()
            report.quarantined += 1
        self.entries.add(line)
        if self.on_record:
            self.on_record(entry if entry is not None else json.loads(line))
        if self.progress:
            self.progress(report)


def record_entry(outcome: Outcome, root: Path, report_unmapped: bool,
                 locate: Callable[[str], str] | None = None
                 ) -> tuple[dict[str, Any], int, int]:
    """The report entry of one outcome and its numbers of warnings and of notices (severity
    "info"); a quarantined outcome's file is written here. ``locate`` maps a source label to
    the file to open for the quarantine's copy of the source (a cluster worker's own path to
    it)."""
    warning_count = info_count = 0
    entry: dict[str, Any] = {"key": outcome.key, "source": outcome.source.label()}
    if outcome.report is not None:
        warnings = [f for f in outcome.report.findings if f.severity != "violation"]
        info_count = sum(f.severity == "info" for f in warnings)
        warning_count = sum(f.severity == "warning" for f in warnings)
        if warnings:
            entry["warnings"] = [_finding_dict(f) for f in warnings]
    if report_unmapped or outcome.unmapped:
        entry["not_mapped"] = list(outcome.unmapped)
    if outcome.quarantined:
        quarantine_dir = root / QUARANTINE
        quarantine_dir.mkdir(parents=True, exist_ok=True)
        # Named after key and source: two quarantined records may share a key.
        name = file_name(f"{outcome.key}@{outcome.source.label()}")
        path = quarantine_dir / f"{name}.json"
        atomic_write(path, _json(_quarantine_entry(outcome, locate)))
        entry.update(status="quarantined", reason=outcome.reason,
                     file=str(path.relative_to(root)))
        if outcome.report is not None:
            entry["violations"] = [_finding_dict(f) for f in outcome.report.findings
                                   if f.severity == "violation"]
    elif outcome.merged_into is not None:
        # Its graph is its work's, written when the run ends (ld_publish.merge_run).
        entry.update(status="merged", into=outcome.merged_into)
    else:
        files = [f"{RECORDS}/{file}" for file in outcome.files]
        entry.update(status="written", files=files)
    return entry, warning_count, info_count


def _finding_dict(finding: Finding) -> dict[str, Any]:
    return {"severity": finding.severity, "field": finding.field, "message": finding.message,
            "value": finding.value, "hint": finding.hint, "path": finding.path}


def _json(data: Any) -> bytes:
    return _utf8(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                 lambda: json.dumps(data, indent=2) + "\n")


def _json_line(data: Any) -> bytes:
    return _utf8(json.dumps(data, ensure_ascii=False), lambda: json.dumps(data))


def _utf8(text: str, escaped: Callable[[], str]) -> bytes:
    # A source can smuggle an unpaired surrogate in through a \ud800 escape; UTF-8 cannot
    # hold it, JSON's \u escapes can (the record itself is quarantined for it).
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return escaped().encode("ascii")
