"""The end of a site build that met one work in several sources: its merged record published.

While the records stream, a site publishes the first valid record of a key as always, and a
later valid record of the key from another source is kept and reported as merged
(:class:`~ld_publish.keys.FirstOfKey` with ``merging``, as export does). When the stream ends,
:func:`ld_publish.merge_run.merged_records` reads the first records again, merges and
validates; for each merged record that conforms, :func:`merge_works`:

* renders the key's page (``work/KEY``: HTML, Turtle, JSON-LD, N-Triples) from the merged
  graph at the path the first one's got, and the nodes minted inside it at theirs (a node only
  the merged graph has gets a path as any new one; a node only the first had is removed);
* takes the first graph's counts back out of the dataset's (VoID) and its triples about shared
  nodes out of theirs, and puts the merged graph's in: the run-wide files are made from them
  afterwards, as for any record;
* replaces the key's front-page line, and its graph in ``dataset.nq.gz`` (one pass over the
  dump, where the first graph stood: the file keeps input order).

The first graph is the first record mapped again (the mapping is deterministic: it is the graph
that was published). A merged record that violates the shapes leaves the first published and
the report says why. Everything runs in the driver, in the order the merges were met, so a
cluster build writes the same bytes as a local one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..graph import RecordGraph
from ..keys import FirstOfKey
from ..merge_run import MergedGraphs, merged_records, rewrite_dataset
from ..pipeline import Options, process_work
from . import describe
from .index import Listing
from .paths import file_path
from .render import page_iri, record_documents

if TYPE_CHECKING:
    from .build import _Build

__all__ = ["merge_works"]

#: The compression level of the site's dump (gzip's default, as build.py writes it).
DUMP_LEVEL = 9


def merge_works(build: _Build, inputs: list[str], pipeline: Options, firsts: FirstOfKey,
                dump: Path) -> None:
    """Publish the merged record of every key of ``firsts.merges`` (see the module docs);
    ``dump`` is the build's ``dataset.nq.gz`` as written so far (closed)."""
    lines: dict[str, Listing] = {}
    with MergedGraphs() as replacements:
        for result in merged_records(inputs, pipeline, firsts):
            entry = result.entry()
            outcome = result.outcome
            if outcome is not None and result.key in build.refused:
                entry.update(status="not merged",
                             reason="the first record was not published (another record has "
                                    "its page IRI)")
            elif (result.published and outcome is not None and outcome.graph is not None
                  and result.first is not None):
                first = process_work(result.first, replace(pipeline, validate=False)).graph
                assert first is not None  # it was mapped and published in this run
                line, path = _republish(build, first, outcome.graph)
                lines[line.url] = line
                replacements.add(outcome.graph.nquads())
                entry.update(status="published", path=path)
                if outcome.report is not None:
                    entry["warnings"] = [_finding(f) for f in outcome.report.findings
                                         if f.severity != "violation"]
            elif outcome is not None:
                entry.update(status="quarantined",
                             reason=f"merging its sources: {outcome.reason}")
                if outcome.report is not None:
                    entry["violations"] = [_finding(f) for f in outcome.report.findings
                                           if f.severity == "violation"]
            build.report.merges.append(entry)
        if lines:
            # A site holds every record's front-page line in memory: merges add none.
            build.listings = [lines.get(line.url, line) for line in build.listings]
        if replacements:
            rewrite_dataset(dump, replacements, gz=True, level=DUMP_LEVEL)


def _republish(build: _Build, first: RecordGraph, merged: RecordGraph) -> tuple[Listing, str]:
    """Put ``merged`` where ``first`` was published; its front-page line and page path."""
    base, writer = build.base, build.writer
    page = page_iri(base, merged)
    key = build.key_of(page)
    path = writer.manifest.entries[key].path
    writer.release(key)  # the first record's documents, if held: the merged ones replace them
    writer.manifest.merged.add(key)
    build.stats.remove(first, describe.local_test(first, base))
    gone, said = build.resources.split(first, page)
    build.resources.drop(said)
    documents, line = record_documents(merged, build.look, path)
    writer.entry(key, "record", path, documents, again=True)
    build.stats.add(merged, describe.local_test(merged, base))
    ready, shared = build.resources.split(merged, page)
    build.resources.take(shared)
    kept: set[str] = set()
    for described in ready:
        node = build.key_of(described.iri)
        kept.add(node)
        known = writer.manifest.entries.get(node)
        if known is None:
            build.report.resources += 1
        where = known.path if known is not None else file_path(node, build.taken)
        writer.entry(node, "resource", where,
                     describe.documents(described, base, where, build.options.title),
                     again=True)
    for described in gone:
        node = build.key_of(described.iri)
        if node not in kept and node in writer.manifest.entries:
            writer.drop(node)
            build.report.resources -= 1
    return line, path


def _finding(finding: Any) -> dict[str, Any]:
    return {"severity": finding.severity, "field": finding.field, "message": finding.message,
            "path": finding.path}
