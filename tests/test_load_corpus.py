"""The seed and every corpus file, exported and loaded into each real store (embedded
pyoxigraph, Oxigraph server, Virtuoso): each named graph in the store holds exactly the triples
of the exported files, and loading again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from ld_publish.cli import main
from ld_publish.export import export
from ld_publish.loaders import load_graphs
from ld_publish.loaders.nquads import graphs_from_inputs
from ld_publish.pipeline import Options
from tests.paths import CORPUS as CORPUS_DIR
from tests.test_load_stores import StoreUnderTest, fresh_prefix, store, to_rdflib

__all__ = ["store"]  # the three-store fixture, shared with test_load_stores

pytestmark = pytest.mark.store

HERE = Path(__file__).parent
CORPUS = CORPUS_DIR
SEED = HERE / "fixtures" / "page" / "seed.txt"

# Runs without two records of one DOI (the eLife article and the DataCite blog post come in
# three formats each; within one run they would be merged into one graph, which
# tests/test_merge_export.py checks; here each description is checked as read).
RUNS = [
    ["crossref/commonmeta-py_crossref_10.7554-elife.01567.json",
     "crossref/dnet-hadoop_sfi_funded_article_10.1371-journal.pone.0233284.json",
     "jats/scielo_packtools_2318-0889-tinf-33-e200068.xml",
     "bibtex/oup_otoole2019_10.1093-neuros-nyy394.bib",
     "datacite/commonmeta-py_datacite_10.5438-4k3m-nyvg.json"],
    ["bibtex/bolognese_crossref_elife01567.bib", "csl-json/bolognese_citeproc_blogpost.json"],
    ["ris/bolognese_crossref_elife01567.ris",
     "schema-org/bolognese_schema_org_blogposting_10.5438-4k3m-nyvg.jsonld"],
]


def _corpus() -> Path:
    assert CORPUS.is_dir(), f"the corpus is missing at {CORPUS}"
    return CORPUS


def _diff(store: StoreUnderTest, name: str, expected: object) -> str:
    _both, missing, extra = graph_diff(to_isomorphic(to_rdflib(expected)),  # type: ignore[arg-type]
                                       to_isomorphic(store.graph(name)))
    return (f"{name}\nmissing: {sorted(t[1].n3() + ' ' + t[2].n3() for t in missing)[:10]}"
            f"\nextra: {sorted(t[1].n3() + ' ' + t[2].n3() for t in extra)[:10]}")


@pytest.mark.parametrize("run", range(len(RUNS)))
def test_exported_corpus_loads_graph_for_graph(store: StoreUnderTest, run: int,
                                                tmp_path: Path) -> None:
    corpus = _corpus()
    base = fresh_prefix()
    inputs = [str(corpus / name) for name in RUNS[run]] + ([str(SEED)] if run == 0 else [])
    report = export(inputs, tmp_path / "out", Options(base=base, workers=1))
    assert report.quarantined == 0, report.records
    assert report.written == len(inputs)
    graphs = list(graphs_from_inputs([tmp_path / "out"]))
    assert len(graphs) == len(inputs)

    loaded = load_graphs(graphs, store.loader)
    assert loaded.balanced and loaded.loaded + loaded.unchanged == len(graphs)
    for graph in graphs:
        assert isomorphic(store.graph(graph.name), to_rdflib(graph.triples)), \
            _diff(store, graph.name, graph.triples)

    for _ in range(3):
        again = load_graphs(list(graphs_from_inputs([tmp_path / "out"])), store.loader)
        assert (again.loaded, again.unchanged) == (0, len(graphs))
    for graph in graphs:
        assert isomorphic(store.graph(graph.name), to_rdflib(graph.triples))
    assert store.graph_names(base) == {g.name for g in graphs}


def test_cli_load_of_records_equals_load_of_their_export(tmp_path: Path) -> None:
    """`load RECORDS` (mapped on the way) and `export` + `load OUT` give the same store."""
    corpus = _corpus()
    inputs = [str(SEED), *(str(corpus / name) for name in RUNS[0])]
    runner = CliRunner()
    assert runner.invoke(main, ["export", *inputs, "-o", str(tmp_path / "out"), "-q"]
                         ).exit_code == 0
    direct = runner.invoke(main, ["load", *inputs, "--store", str(tmp_path / "a"), "-q",
                                  "--quarantine", str(tmp_path / "qa")])
    assert direct.exit_code == 0, direct.output
    via_export = runner.invoke(main, ["load", str(tmp_path / "out"), "--store",
                                      str(tmp_path / "b"), "-q"])
    assert via_export.exit_code == 0, via_export.output

    def dump(path: Path) -> dict[str, list[ox.Triple]]:
        graphs: dict[str, list[ox.Triple]] = {}
        s = ox.Store(str(path))
        try:
            for q in s.quads_for_pattern(None, None, None, None):
                name = str(q.graph_name)
                if not name.startswith("<urn:ld-publish:"):  # the loader's bookkeeping
                    graphs.setdefault(name, []).append(q.triple)
        finally:
            del s
        return graphs

    a, b = dump(tmp_path / "a"), dump(tmp_path / "b")
    assert sorted(a) == sorted(b) and len(a) == len(inputs)
    for name in a:  # the store relabels blank nodes, so compare graph by graph
        assert isomorphic(to_rdflib(a[name]), to_rdflib(b[name])), name
