"""What the merge phase keeps in temporary files rather than in memory gives the bytes the
in-memory versions gave: export's report entries of merges (report.json) and the merged
graphs put in place in the dataset."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.merge_run import MergedGraphs, rewrite_dataset
from ld_publish.report_stream import ReportStream, Spool

# JSON values as a merge entry holds them: text of any script (no lone surrogates: UTF-8
# cannot hold them), numbers, nested lists and objects.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
values = st.recursive(st.none() | st.booleans() | st.integers() | texts,
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(texts, inner, max_size=3), max_leaves=12)
entries = st.lists(st.dictionaries(texts, values, max_size=4), max_size=6)


def _report(folder: Path, merges: Any) -> bytes:
    stream = ReportStream(folder / "report.json")
    stream.add(b'{"key": "k", "status": "written"}')
    stream.close({"read": 1, "failed_sources": [{"source": "x", "error": "y\nz"}],
                  "merges": merges, "complete": True})
    return (folder / "report.json").read_bytes()


@settings(max_examples=80, deadline=None)
@given(entries)
def test_a_spooled_list_is_written_as_json_dumps_writes_the_list(
        tmp_path_factory: Any, merges: list[dict[str, Any]]) -> None:
    folder = tmp_path_factory.mktemp("report")
    spool = Spool()
    for entry in merges:
        spool.append(entry)
    try:
        assert len(spool) == len(merges) and list(spool) == merges
        spooled = _report(folder, spool)
    finally:
        spool.close()
    assert spooled == _report(folder, merges)
    assert json.loads(spooled)["merges"] == merges


def _quads(graph: int, lines: int, mark: str = "") -> bytes:
    iri = f"<https://ld-publish.example/graph/{graph}>"
    return b"".join(f'<https://s/{graph}> <https://p/{n}> "{mark}{n}" {iri} .\n'.encode()
                    for n in range(lines))


def _rewritten(old: bytes, replacements: dict[bytes, bytes]) -> bytes:
    """The dataset as rewrite_dataset wrote it when the replacements were a dict."""
    out, done = [], set()
    for line in old.splitlines(keepends=True):
        graph = line.rsplit(b" ", 2)[-2]
        if graph not in replacements:
            out.append(line)
        elif graph not in done:
            out.append(replacements[graph])
            done.add(graph)
    return b"".join(out)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(1, 4)), min_size=1, max_size=20),
       st.lists(st.tuples(st.integers(0, 12), st.integers(1, 5)), max_size=12),
       st.booleans())
def test_merged_graphs_are_put_where_the_first_ones_stood(
        tmp_path_factory: Any, dataset: list[tuple[int, int]],
        merged: list[tuple[int, int]], gz: bool) -> None:
    # A graph may stand twice (a file named twice is published twice) and be merged twice
    # (the later merge is the last word); some merged graphs are not in the dataset.
    old = b"".join(_quads(graph, lines) for graph, lines in dataset)
    replacements: dict[bytes, bytes] = {}
    graphs = MergedGraphs()
    for n, (graph, lines) in enumerate(merged):
        quads = _quads(graph, lines, f"merged {n} ")
        replacements[quads.rsplit(b" ", 2)[-2]] = quads
        graphs.add(quads)
    path = tmp_path_factory.mktemp("dataset") / "dataset.nq"
    path.write_bytes(gzip.compress(old, mtime=0) if gz else old)
    try:
        assert len(graphs) == len(merged)
        rewrite_dataset(path, graphs, gz=gz)
    finally:
        graphs.close()
    written = gzip.decompress(path.read_bytes()) if gz else path.read_bytes()
    assert written == _rewritten(old, replacements)
