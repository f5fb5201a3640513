"""The end of a run that met one work in several sources: the merge phase.

While the records stream, the first valid record of a key is published as always, and a later
valid record of the key from another source is kept (:class:`~ld_publish.keys.FirstOfKey`
with ``merging``, in a :class:`~ld_publish.merge_store.MergeStore`: on disk past a few hundred
records) and reported as merged. When the stream ends, the first records those keys need are
read again (each of their sources once: their place is known), merged field by field with the
kept ones (:func:`ld_publish.merge.merge`), mapped and validated as any record, and:

* export writes the merged record's documents over the first's in ``records/`` and rewrites
  ``dataset.nq`` in one pass, the key's graph replaced where the first one's stood (so the
  file keeps input order and a cluster run writes the same bytes);
* load replaces the key's graph in the store with the merged one.

A merged record that violates the shapes is not published: the first record's graph stays,
and the report says why. So does a first record that cannot be read again (its file changed).

Memory stays bounded however many works merge: the merges are given in the order they were met
(report.json and stderr list them so), the first records are read in input order, and one
read ahead of its turn waits in the store; the merged graphs wait for the rewrite of the
dataset in a temporary file (:class:`MergedGraphs`), and export's report entries in another
(:class:`~ld_publish.report_stream.Spool`).
"""

from __future__ import annotations

import gzip
import os
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from .key_index import KeyTable
from .keys import FirstOfKey
from .layout import temporary_name
from .merge import Merged, merge
from .merge_store import MergeGroup
from .model import Source, Work
from .pipeline import Options, Outcome, find_records, process_work
from .sources import Input

if TYPE_CHECKING:
    from .export import Sink

__all__ = ["MergeResult", "MergedGraphs", "graph_of", "merge_into_export", "merged_records",
           "not_published", "parse_prefer", "rewrite_dataset"]

#: The statuses of a report's ``merges`` entry whose merged record was not published (the
#: first record's graph stayed).
NOT_PUBLISHED = frozenset({"quarantined", "not merged"})


def not_published(merges: Sequence[dict[str, Any]]) -> int:
    """How many of a report's ``merges`` left the first record published instead of the
    merged one (what ``--strict`` fails on, as on a quarantined record)."""
    return sum(entry.get("status") in NOT_PUBLISHED for entry in merges)


@dataclass(frozen=True, slots=True)
class MergeResult:
    """One key's merge: its records' sources (the first's first), what came from which, and
    the merged record as processed (``outcome``; None when the first could not be read)."""

    key: str
    sources: tuple[Source, ...]
    merged: Merged | None
    outcome: Outcome | None
    first: Work | None = None  # the first record as read again (what was published)

    @property
    def published(self) -> bool:
        return self.outcome is not None and not self.outcome.quarantined

    def entry(self) -> dict[str, Any]:
        """What ``report.json`` says of the merge: the sources and the fields each gave."""
        labels = [source.label() for source in self.sources]
        entry: dict[str, Any] = {"key": self.key, "sources": labels}
        if self.merged is None:
            entry["status"] = "not merged"
            entry["reason"] = (f"the first record ({labels[0]}) could not be read again (its "
                               "file changed during the run?); it stays as it was published")
            return entry
        entry["taken"] = {label: list(self.merged.fields_of(i))
                          for i, label in enumerate(labels)}
        return entry


def merged_records(inputs: Sequence[Input], options: Options, firsts: FirstOfKey
                   ) -> Iterator[MergeResult]:
    """Each key of ``firsts.merges`` merged and processed with ``options`` (a record's
    documents are written when ``options.write_to`` is set), in the order the merges were met
    in the stream (input order, in a local and a cluster run alike). Each group leaves the
    store as it is given."""
    store = firsts.merges
    found = find_records(inputs, options.reader, store.unread_paths(), store.unread)
    for group, first in store.in_turn(found):
        if first is None:
            yield MergeResult(group.key, _sources(group), None, None)
            continue
        merged = merge([first, *group.later], options.prefer)
        yield MergeResult(group.key, (first.source, *merged.work.merged_from), merged,
                          process_work(merged.work, options), first)


def _sources(group: MergeGroup) -> tuple[Source, ...]:
    path, line, position = group.first
    first = Source(path, "?", position, line)
    return (first, *(record.source for record in group.later))


def merge_into_export(inputs: Sequence[Input], options: Options, sink: Sink,
                      dataset: Path, gz: bool = False) -> None:
    """The merge phase of an export (see the module docs): ``options.write_to`` is the run's
    ``records/``; ``dataset`` the run's ``dataset.nq`` as written so far (closed; ``gz``:
    gzip-compressed, as ``--dataset nq.gz`` writes it)."""
    from .export import record_entry

    with MergedGraphs() as replacements:
        for result in merged_records(inputs, options, sink.firsts):
            entry = result.entry()
            if result.outcome is not None:
                # The merged record as a record of the run: its files (or, when it violates
                # the shapes, its quarantine file with the violations) and its findings.
                outcome = result.outcome
                found, _, _ = record_entry(outcome, sink.root, sink.report_unmapped)
                found.pop("key")
                found.pop("source")
                entry.update(found)
                if result.published and outcome.nquads:
                    replacements.add(outcome.nquads)
            sink.report.add_merge(entry)
        if replacements:
            rewrite_dataset(dataset, replacements, gz)


def graph_of(quad: bytes) -> bytes:
    """The graph IRI (with its brackets) of the first line of N-Quads ``quad``: a record's
    quads are all in its named graph, the last term of each line (``… <g> .``)."""
    line = quad.split(b"\n", 1)[0].rstrip()
    # An IRI holds no space, so the last " <" starts the graph term.
    end = line.rindex(b">") + 1
    return line[line.rindex(b" <", 0, end) + 1:end]


class MergedGraphs:
    """The merged graphs' N-Quads, by graph IRI, until :func:`rewrite_dataset` puts them in
    place: compressed in a temporary file (in memory up to 4 MiB), where each one is in a
    :class:`~ld_publish.key_index.KeyTable` (on disk past a thousand graphs).

    Compressed because a compact record's graph is ~37 KB of N-Quads, 3 KB compressed (zlib
    level 1: ~0.7 ms a graph, a few percent of what merging, mapping and validating it
    costs): a million merges would otherwise hold 37 GB in the temporary folder, far more
    than the run's ``dataset.nq.gz``."""

    def __init__(self) -> None:
        self._bytes = tempfile.SpooledTemporaryFile(max_size=4 << 20)  # noqa: SIM115
        self._where = KeyTable(buffer=1024)
        self._end = 0
        self._count = 0

    def __enter__(self) -> MergedGraphs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._count

    def add(self, nquads: bytes) -> None:
        """The merged quads of one graph (a later one of the same graph replaces it)."""
        packed = zlib.compress(nquads, 1)
        self._bytes.seek(self._end)
        self._bytes.write(packed)
        self._where[graph_of(nquads)] = (self._end.to_bytes(8, "little")
                                         + len(packed).to_bytes(8, "little"))
        self._end += len(packed)
        self._count += 1

    def take(self, graph: bytes) -> bytes | None:
        """The merged quads of ``graph`` the first time it is asked for, b"" after that (it
        was put in place already); None when the graph was not merged."""
        where = self._where.get(graph)
        if not where:
            return where
        self._where[graph] = b""
        self._bytes.seek(int.from_bytes(where[:8], "little"))
        return zlib.decompress(self._bytes.read(int.from_bytes(where[8:], "little")))

    def close(self) -> None:
        self._bytes.close()
        self._where.close()


def rewrite_dataset(path: Path, replacements: MergedGraphs, gz: bool = False,
                    level: int = 1) -> None:
    """``path`` (N-Quads, a record's graph in consecutive lines; ``gz``: gzip-compressed at
    ``level``, as the file was written) with each graph of ``replacements`` replaced by its
    new quads, where the old one stood."""
    tmp = temporary_name(path.with_name(path.name + ".merged"))
    try:
        with open(path, "rb") as raw_old, open(tmp, "wb") as raw_new:
            old = cast(IO[bytes], gzip.GzipFile(fileobj=raw_old, mode="rb")) if gz else raw_old
            # As export writes it: no name or time in the header, level 1 (same bytes).
            new: IO[bytes] = cast(IO[bytes], gzip.GzipFile(
                filename="", mode="wb", fileobj=raw_new, compresslevel=level, mtime=0)
            ) if gz else raw_new
            with old, new:
                graph, keep = b"", True
                for line in old:
                    # A graph's lines follow each other: it is looked up once, not per line.
                    if (found := graph_of(line)) != graph:
                        graph = found
                        merged = replacements.take(graph)
                        if merged:
                            new.write(merged)
                        keep = merged is None
                    if keep:
                        new.write(line)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def parse_prefer(value: str | None) -> tuple[str, ...]:
    """``--prefer READER[,READER...]``: reader names (aliases resolved), most trusted first;
    an unknown name is a usage error before anything is read."""
    from .readers import readers

    names: list[str] = []
    for item in (value or "").split(","):
        if item.strip():
            name = readers.get(item.strip()).name
            if name not in names:
                names.append(name)
    return tuple(names)
