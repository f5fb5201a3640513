"""Building a site folder from records: one pass over the records, then the shared parts.

Records are mapped and validated by :func:`ld_publish.pipeline.process`; quarantined ones are
reported and not published. Each published record gives its page (``work/KEY``: landing page
and the whole graph as Turtle, JSON-LD and N-Triples), the documents of the nodes minted inside
it, its named graph appended to ``dataset.nq.gz``, and a line of the front page. After the
last record come the nodes records share, the dataset description, sitemap, robots.txt, front
page, server configuration and ``site.json``. A later record of a work from another source
is merged into the first, whose page and share of the run-wide files are made the merged
record's before those are written (:mod:`.merging`).

Memory held for the whole run: the manifest (one entry per minted IRI), the triples of nodes
several records may share (:mod:`.describe`), the dataset counts and shared subjects
(:mod:`.void`), one :class:`~.index.Listing` per record and its sitemap URL. Record graphs
are let go as soon as their documents are written.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError, OutputError, UsageError
from ..graph import RecordGraph
from ..keys import FirstOfKey
from ..layout import remove_temporaries, temporary_name
from ..locations import input_locations, local_path
from ..locking import folder_lock
from ..mapping.iris import check_base
from ..merge_run import not_published
from ..pipeline import Options, Outcome, SourceFailure, process
from ..sources import check_exist
from . import describe
from .html import CSS
from .index import Listing, index_page
from .output import SiteWriter
from .paths import MANIFEST, Manifest, file_path, normalize
from .render import RESERVED, Guess, Look, Render, Rendered, page_iri, record_documents
from .void import DATASET_PATH, DUMP, DatasetStats, robots, sitemaps, void_terms
from .webconf import htaccess, nginx

REPORT = "report.json"

# What a build tells its caller of a record: quarantined, merged into its work's first record.
Tell = tuple[Callable[[Outcome], None] | None, Callable[[Outcome], None] | None]


@dataclass(frozen=True, slots=True)
class SiteOptions:
    title: str = "Linked data"
    license: str | None = None


@dataclass
class SiteReport:
    """What a build did. ``read == published + quarantined + merged`` (``merged``: records
    merged into the published record of their work from another source, site/merging.py)."""

    read: int = 0
    published: int = 0
    quarantined: int = 0
    resources: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    failed_sources: list[dict[str, str]] = field(default_factory=list)
    skipped_sources: list[dict[str, str]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    merged: int = 0
    #: Per merged key: its sources, what came from which, the merged record's outcome.
    merges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def merges_not_published(self) -> int:
        return not_published(self.merges)

    def summary(self) -> str:
        text = (f"read {self.read} records: {self.published} published, {self.quarantined} "
                f"quarantined; {self.resources} other IRIs; files: {self.written} written, "
                f"{self.unchanged} unchanged, {self.removed} removed")
        if self.merged:
            text += f"; {self.merged} records merged"
        if self.merges_not_published:
            text += f" ({self.merges_not_published} merges not published)"
        if self.failed_sources:
            text += f"; {len(self.failed_sources)} inputs could not be read"
        return text

    def to_json(self) -> bytes:
        data = {"read": self.read, "published": self.published,
                "quarantined": self.quarantined, "resources": self.resources,
                "failed_sources": self.failed_sources, "skipped_sources": self.skipped_sources,
                "quarantine": self.quarantine, "merged": self.merged, "merges": self.merges}
        return (json.dumps(data, ensure_ascii=True, indent=2) + "\n").encode("ascii")


def check_site_base(base: str) -> str:
    if not base.endswith("/"):
        raise UsageError(f"--base {base!r} must end in /",
                         hint="a site puts every IRI's documents beside it (P.html, P.ttl), "
                              "which a # base cannot do: use e.g. https://journal.example/ld/")
    return check_base(base)


class _Build:
    def __init__(self, root: Path, base: str, options: SiteOptions, writer: SiteWriter
                 ) -> None:
        self.root = root
        self.base = base
        self.options = options
        self.look = Look(base, options.title, options.license)
        self.writer = writer
        self.taken: set[str] = set(RESERVED)
        self.resources = describe.Resources(base)
        self.stats = DatasetStats()
        self.listings: list[Listing] = []
        self.pages: list[str] = []  # record page IRIs, in input order
        self.report = SiteReport()
        self.refused: set[str] = set()  # keys whose page IRI another record had (rare)

    def key_of(self, iri: str) -> str:
        return normalize(iri[len(self.base):])

    def record(self, graph: RecordGraph, rendered: Rendered | None = None) -> bool:
        """Publish one record (``rendered``: as a cluster worker rendered it); ``False`` when
        another record already has its page IRI."""
        page = page_iri(self.base, graph)
        key = self.key_of(page)
        if key in self.writer.manifest.entries:
            return False
        path = file_path(key, self.taken)
        # A page the old build published merged: its files wait for the merge phase.
        self.writer.holding = key if self.writer.hold(key) else None
        try:
            self._publish(graph, rendered, page, key, path)
        finally:
            self.writer.holding = None
        return True

    def _publish(self, graph: RecordGraph, rendered: Rendered | None, page: str, key: str,
                 path: str) -> None:
        if rendered is not None and rendered.page.path == path:
            documents, line = rendered.page.documents, rendered.listing
        else:
            documents, line = record_documents(graph, self.look, path)
        self.writer.entry(key, "record", path, documents)
        self.pages.append(page)
        self.listings.append(line)
        self.stats.add(graph, describe.local_test(graph, self.base))
        if rendered is None:
            for described in self.resources.add(graph, page):
                self.resource(described)
            return
        self.resources.take(rendered.shared)
        for described, guess in rendered.local:
            self.resource(described, guess)

    def resource(self, described: describe.Described, guess: Guess | None = None) -> None:
        key = self.key_of(described.iri)
        if key in self.writer.manifest.entries:
            return
        path = file_path(key, self.taken)
        self.writer.entry(key, "resource", path, guess.documents
                          if guess is not None and guess.path == path else
                          describe.documents(described, self.base, path, self.options.title))
        self.report.resources += 1

    def finish(self) -> None:
        pages = set(self.pages)
        for described in self.resources.shared(pages):
            self.resource(described)
        title, licence = self.options.title, self.options.license
        terms = void_terms(self.stats, self.base, title, licence,
                           self.pages[0] if self.pages else None)
        dataset_iri = self.base + DATASET_PATH
        graph = RecordGraph.from_terms("", dataset_iri, dataset_iri, terms)
        self.writer.entry(DATASET_PATH, "resource", "void",
                          describe.documents(describe.Described(dataset_iri, graph.terms),
                                             self.base, "void", title))
        write = self.writer.file
        written_maps = sitemaps(self.pages, self.base)
        for name, data in written_maps.items():
            write(name, data)
        for stale in self.root.glob("sitemap-*.xml"):  # from a bigger earlier build
            if stale.name not in written_maps:
                stale.unlink()
        write("robots.txt", robots(self.base))
        write("index.html", index_page(self.listings, self.base, title))
        write(CSS, resources.files("ld_publish").joinpath("data/site/site.css").read_bytes())
        entries = self.writer.manifest.entries
        write(".htaccess", htaccess(self.base, entries))
        write("nginx.conf", nginx(self.base, entries))
        write(REPORT, self.report.to_json())
        self.writer.finish()


def build_site(inputs: list[str], out: str | Path, pipeline: Options,
               options: SiteOptions | None = None, *,
               on_quarantine: Callable[[Outcome], None] | None = None,
               progress: Callable[[SiteReport], None] | None = None,
               cluster: str | None = None, partition_bytes: int | None = None,
               on_merged: Callable[[Outcome], None] | None = None) -> SiteReport:
    """Build (or update) the site for ``inputs`` in ``out`` (see the module docs).

    ``cluster`` (``local[:N]`` or ``tcp://host:port``): the records are read, mapped,
    validated and rendered on a Dask cluster whose workers see ``out``, in partitions of
    about ``partition_bytes`` (:mod:`ld_publish.cluster_graphs`, :mod:`.render`); the site is
    the same as without it. A later record of a work from another source is merged into the
    first (``on_merged`` is told; :mod:`.merging`)."""
    options = options or SiteOptions()
    base = check_site_base(pipeline.base)
    replace(pipeline, base=base).mapping()  # a bad --license fails before anything is read
    out = local_path(os.fspath(out), "site folder")  # before any input is looked at
    inputs = input_locations(inputs)
    check_exist(inputs)
    if cluster is None:
        return _build(inputs, Path(out), base, pipeline, options, (on_quarantine, on_merged),
                      progress, None)
    from ..cluster import session

    # Connected before the site folder is touched: a cluster that is not there changes nothing.
    with session(cluster, partition_bytes) as run:
        return _build(inputs, Path(out), base, pipeline, options, (on_quarantine, on_merged),
                      progress, run)


def _build(inputs: list[str], root: Path, base: str, pipeline: Options, options: SiteOptions,
           tell: Tell, progress: Callable[[SiteReport], None] | None, run: Any
           ) -> SiteReport:
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot make the site folder {root}: {exc.strerror}",
                          hint="check the path and its permissions") from None
    with folder_lock(root, "site build"):
        remove_temporaries(root)
        old = _old_manifest(root)
        writer = SiteWriter(root, old, Manifest(base, title=options.title))
        build = _Build(root, base, options, writer)
        _records(build, inputs, replace(pipeline, formats=(), keep_graph=True, write_to=None,
                                        license=options.license or pipeline.license),
                 tell, progress, run)
        build.finish()
        report = build.report
        report.written, report.unchanged = writer.counts.written, writer.counts.unchanged
        report.removed = writer.counts.removed
        return report


def _records(build: _Build, inputs: list[str], pipeline: Options,
             tell: Tell, progress: Callable[[SiteReport], None] | None, run: Any) -> None:
    report = build.report
    on_quarantine, on_merged = tell

    def failed(failure: SourceFailure) -> None:
        if failure.skipped:  # a README in the records folder: said, not a failure
            report.skipped_sources.append({"source": failure.label,
                                           "note": failure.error.message})
            return
        report.failed_sources.append({"source": failure.label, "error": str(failure.error)})

    # The dump is streamed to a temporary file and kept only if its bytes changed; mtime 0 in
    # the gzip header so that the same records give the same file.
    target = build.root / DUMP
    tmp = temporary_name(target)
    # Decides the records of a key met before, and keeps those to merge (as export's).
    firsts = FirstOfKey(merging=True)
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                   mtime=0) as dump:
            for outcome, rendered in _outcomes(build, inputs, pipeline, failed, run, firsts):
                report.read += 1
                if outcome.merged_into is not None:  # its work's page is made at the end
                    report.merged += 1
                    if on_merged:
                        on_merged(outcome)
                    if progress:
                        progress(report)
                    continue
                if not outcome.quarantined and outcome.graph is not None:
                    if build.record(outcome.graph, rendered):
                        report.published += 1
                        dump.write(outcome.graph.nquads())
                        if progress:
                            progress(report)
                        continue
                    build.refused.add(outcome.key)
                    outcome = replace(outcome, reason="another record has the same page IRI",
                                      hint="give the records distinct keys")
                report.quarantined += 1
                report.quarantine.append(_quarantined(outcome))
                if on_quarantine:
                    on_quarantine(outcome)
                if progress:
                    progress(report)
        firsts.close_keys()  # the records to merge stay
        if firsts.merges:
            from .merging import merge_works

            merge_works(build, inputs, pipeline, firsts, tmp)
        data_hash = _file_hash(tmp)
        if target.exists() and _file_hash(target) == data_hash:
            tmp.unlink()
            build.writer.counts.unchanged += 1
        else:
            tmp.replace(target)
            build.writer.counts.written += 1
        build.writer.kept(DUMP)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}",
                          hint="check free disk space and permissions of the site folder"
                          ) from None
    finally:
        firsts.close()
        tmp.unlink(missing_ok=True)  # whatever stopped the run, no half dump is left


def _outcomes(build: _Build, inputs: list[str], pipeline: Options,
              failed: Callable[[SourceFailure], None], run: Any, firsts: FirstOfKey
              ) -> Iterator[tuple[Outcome, Rendered | None]]:
    """The records' outcomes in input order, with what a cluster worker rendered of them."""
    if run is None:
        for outcome in process(inputs, pipeline, on_failure=failed, firsts=firsts):
            yield outcome, None
        return
    from ..cluster_graphs import run_records
    from ..cluster_work import WORK
    from ..work_folder import WorkFolder

    found = run_records(run, inputs, pipeline, WorkFolder.at(build.root / WORK), failed,
                        Render(build.look), firsts)
    with closing(found):  # an unwritable site ends the run while partitions are still out
        for item in found:
            yield (item.outcome, item) if isinstance(item, Rendered) else (item, None)


def _old_manifest(root: Path) -> Manifest | None:
    """The previous build's manifest; ``None`` for a new folder or an unreadable manifest (the
    build then compares every file's bytes, and cannot know which documents are stale)."""
    if not (root / MANIFEST).exists():
        return None
    try:
        return Manifest.load(root)
    except InputError:
        return None


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _quarantined(outcome: Outcome) -> dict[str, Any]:
    entry: dict[str, Any] = {"key": outcome.key, "source": outcome.source.label(),
                             "reason": outcome.reason, "hint": outcome.hint}
    if outcome.report is not None:
        entry["violations"] = [{"field": f.field, "message": f.message, "path": f.path}
                               for f in outcome.report.findings if f.severity == "violation"]
    return entry
