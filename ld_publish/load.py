"""The load job: records or an export's N-Quads into a triplestore, one named graph per record.

Anything ``export`` reads can be loaded: records are mapped and validated on the way, and those
that fail go to the quarantine folder like export's. An export's output folder or N-Quads files
are loaded as they are. The report balances ``read = loaded + unchanged + quarantined``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import LdPublishError, OutputError
from .graph import RecordGraph
from .journal import LoadJournal
from .keys import FirstOfKey
from .layout import atomic_write, file_name
from .loaders import LoaderOptions, LoadReport, graphs_from_inputs, load_graphs, loaders
from .loaders.base import Loader
from .loaders.nquads import is_nquads_input
from .locations import input_locations, local_path, work_location
from .merge_run import merged_records
from .pipeline import Options, Outcome, SourceFailure, process
from .readers.native_codec import work_to_dict
from .work_folder import WorkFolder

__all__ = ["load", "open_loader"]


def open_loader(options: LoaderOptions) -> Loader:
    remote = options.endpoint or options.gsp_url or options.update_url
    return loaders.get("sparql" if remote else "oxigraph-embedded")(options)


class _Quarantine:
    """Writes what could not be loaded to ``<dir>/<name>.json`` with the reason."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.count = 0

    def write(self, name: str, entry: dict[str, Any]) -> None:
        self.count += 1
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot make the quarantine folder {self.folder}: "
                              f"{e.strerror or e}",
                              hint="free space or give another --quarantine DIR") from None
        data = (json.dumps(entry, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        atomic_write(self.folder / f"{file_name(name)}.json", data)

    def outcome(self, outcome: Outcome) -> None:
        entry: dict[str, Any] = {"key": outcome.key, "reason": outcome.reason,
                                 "source": outcome.source.label()}
        if outcome.report is not None:
            entry["report"] = outcome.report.to_dict()
        if outcome.record is not None:
            entry["record"] = work_to_dict(outcome.record)
        if outcome.raw is not None:
            entry["raw"] = outcome.raw
        self.write(outcome.key, entry)

    def graph(self, graph: RecordGraph, reason: str) -> None:
        self.write(graph.name, {"key": graph.key, "graph": graph.name, "reason": reason,
                                "source": graph.source_label,
                                "nquads": graph.nquads().decode("utf-8")})


def load(inputs: list[str], options: LoaderOptions, *, pipeline: Options | None = None,
         quarantine_dir: str | Path | None = "output/quarantine",
         journal_path: str | Path | None = None, batch_size: int = 64, force: bool = False,
         bulk: bool = False,
         on_quarantine: Callable[[str, str], None] | None = None,
         on_failure: Callable[[SourceFailure], None] | None = None,
         on_resume: Callable[[int], None] | None = None,
         on_split: Callable[[int, str], None] | None = None,
         progress: Callable[[LoadReport], None] | None = None,
         cluster: str | None = None, partition_bytes: int | None = None,
         work_dir: str | Path | None = None) -> LoadReport:
    """Load ``inputs`` (record files, folders, ``-``, export folders, N-Quads files).

    ``cluster`` (``local[:N]`` or ``tcp://host:port``): the records are read, mapped and
    validated on a Dask cluster (:mod:`ld_publish.cluster_graphs`) in partitions of about
    ``partition_bytes``, their graphs loaded from here in input order; ``work_dir`` is a
    folder every worker sees (default: a new temporary folder, enough for ``local``)."""
    pipeline = replace(pipeline or Options(), formats=(), keep_graph=True, write_to=None)
    # The quarantine and the journal are the driver's files, written in place: a URL of
    # object storage there is refused, not taken for a folder named "s3:".
    if quarantine_dir is not None:
        quarantine_dir = local_path(os.fspath(quarantine_dir), "quarantine folder")
    if journal_path is not None:
        journal_path = local_path(os.fspath(journal_path), "journal")
    inputs = input_locations(inputs)
    if work_dir is not None:
        work_dir = work_location(os.fspath(work_dir))
    nquads: list[str] = []
    records: list[str] = []
    for item in inputs:  # once each: for an object, it costs requests
        (nquads if is_nquads_input(item) else records).append(item)
    # Records of one work from several sources are merged (ld_publish.merge_run): the later
    # ones are kept by this, and their work's graph replaced once the stream has ended.
    firsts = FirstOfKey(merging=True)
    run = _Run(inputs, nquads, records, pipeline, firsts, options, quarantine_dir,
               journal_path, batch_size, force, bulk, on_quarantine, on_resume, on_split,
               progress)
    if cluster is None or not records:
        return run.load(process(records, pipeline, on_failure=on_failure, firsts=firsts))
    from .cluster import session
    from .cluster_graphs import run_records
    from .sources import check_exist

    check_exist(records)
    # Connected before the store is opened: a cluster that is not there changes nothing.
    with session(cluster, partition_bytes) as dask, _work_folder(work_dir) as work, \
            contextlib.closing(run_records(dask, records, pipeline, work, on_failure,
                                           firsts=firsts)) as found:
        # closing: a store that fails ends the run while partitions are still out
        return run.load(found)


@contextlib.contextmanager
def _work_folder(given: str | Path | None) -> Iterator[WorkFolder]:
    """The cluster run's work folder: inside ``given`` (a folder, or a prefix on object
    storage), or in a temporary folder of its own."""
    from .cluster_work import WORK

    if given is not None:
        yield WorkFolder.at(f"{str(given).rstrip('/')}/{WORK}")
        return
    with tempfile.TemporaryDirectory(prefix="ld-publish-load-") as folder:
        yield WorkFolder.at(Path(folder) / WORK)


@dataclass(eq=False)
class _Run:
    """One load: what :func:`load` was given, and the loading of a stream of records (the
    local pipeline's outcomes, or a cluster's in input order), then the merge phase."""

    inputs: list[str]
    nquads: list[str]
    records: list[str]  # the record inputs (read again by the merge phase)
    pipeline: Options
    firsts: FirstOfKey
    options: LoaderOptions
    quarantine_dir: str | Path | None
    journal_path: str | Path | None
    batch_size: int
    force: bool
    bulk: bool
    on_quarantine: Callable[[str, str], None] | None
    on_resume: Callable[[int], None] | None
    on_split: Callable[[int, str], None] | None
    progress: Callable[[LoadReport], None] | None

    def load(self, found: Iterator[RecordGraph | Outcome]) -> LoadReport:
        quarantine = _Quarantine(Path(self.quarantine_dir) if self.quarantine_dir else None)
        on_quarantine, on_split, firsts = self.on_quarantine, self.on_split, self.firsts
        merged = 0

        def graphs() -> Iterator[RecordGraph]:
            nonlocal merged
            yield from graphs_from_inputs(self.nquads)
            if not self.records:
                return
            for outcome in found:
                if isinstance(outcome, RecordGraph):  # published, from a cluster worker
                    yield outcome
                elif outcome.merged_into is not None:
                    merged += 1  # its graph is its work's, loaded when the stream ends
                elif outcome.graph is not None and not outcome.quarantined:
                    yield outcome.graph
                else:
                    quarantine.outcome(outcome)
                    if on_quarantine:
                        on_quarantine(outcome.source.label(), outcome.reason or "")

        def store_refused(graph: RecordGraph, reason: str) -> None:
            quarantine.graph(graph, reason)
            if on_quarantine:
                # A file of N-Quads holds many graphs: name the one refused.
                where = (f"{graph.source_label} graph <{graph.name}>" if graph.source_label
                         else f"graph <{graph.name}>")
                on_quarantine(where, reason)

        loader = open_loader(self.options)
        journal: LoadJournal | None = None
        try:
            if self.journal_path:
                journal = LoadJournal(Path(self.journal_path), loader.target)
                if journal.resumed and self.on_resume is not None:
                    self.on_resume(len(journal.loaded))
            report = load_graphs(graphs(), loader, quarantine=store_refused, journal=journal,
                                 batch_graphs=self.batch_size, force=self.force,
                                 progress=self.progress, bulk=self.bulk,
                                 on_split=None if on_split is None
                                 else lambda batch, why: on_split(len(batch), why))
            firsts.close_keys()  # the records to merge stay
            # Records refused before reaching the store were read too (counted before the
            # merge phase, whose quarantined merges are no records of their own).
            rejected = quarantine.count - report.quarantined
            unpublished = [0]  # merges whose merged graph is not given (counted, not kept)
            refused = 0
            if firsts.merges:
                # Apart, after every batch of the stream: a batch must not hold a key's graph
                # twice (a bulk loader would add the two), and the merged graph must come
                # last.
                again = load_graphs(_merged_graphs(self.records, self.pipeline, firsts,
                                                   quarantine, on_quarantine, unpublished),
                                    loader, quarantine=store_refused, force=self.force)
                # A merged graph the store refused leaves the first one there too.
                refused = again.quarantined
                report.triples_loaded += again.triples_loaded
                report.requests += again.requests
                report.seconds += again.seconds
            firsts.close()
        except BaseException:
            # Report what stopped the run: on a full disk, closing the store fails as well,
            # and that error would hide the first.
            firsts.close()
            _close_quietly(journal, loader)
            raise
        if journal is not None:
            journal.close()
        loader.close()  # a store that cannot write what it holds to disk is an error still
        report.read += rejected + merged
        report.quarantined += rejected
        report.merged = merged
        report.merges_not_published = unpublished[0] + refused
        return report


def _merged_graphs(records: list[str], pipeline: Options, firsts: FirstOfKey,
                   quarantine: _Quarantine, on_quarantine: Callable[[str, str], None] | None,
                   unpublished: list[int]) -> Iterator[RecordGraph]:
    """The merged graphs of the keys met in several sources (:mod:`ld_publish.merge_run`); a
    merged record that violates the shapes goes to quarantine, its first record's graph
    stays. The keys whose merged graph is not given are counted in ``unpublished[0]``."""
    for result in merged_records(records, pipeline, firsts):
        outcome = result.outcome
        if outcome is not None and outcome.graph is not None and result.published:
            yield outcome.graph
            continue
        unpublished[0] += 1
        if outcome is not None:
            quarantine.write(f"merged:{outcome.key}", {
                "key": outcome.key, "reason": f"merging its sources: {outcome.reason}",
                "sources": [source.label() for source in result.sources],
                **({"report": outcome.report.to_dict()} if outcome.report else {})})
            if on_quarantine:
                on_quarantine(f"the merge of {outcome.key}", outcome.reason or "")


def _close_quietly(journal: LoadJournal | None, loader: Loader) -> None:
    if journal is not None:
        with contextlib.suppress(LdPublishError, OSError):
            journal.close()
    with contextlib.suppress(LdPublishError, OSError):
        loader.close()
