"""What the merge phase keeps in temporary files rather than in memory gives the bytes the
in-memory versions gave: the merged graphs put in place in the dataset."""

from __future__ import annotations

import gzip
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.merge_run import MergedGraphs, rewrite_dataset


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
