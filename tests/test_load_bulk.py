"""``load --bulk`` and the embedded store's native insert of new graphs, on real stores.

Bulk loading adds graphs new to the store through the storage engine's bulk loader
(pyoxigraph ``bulk_load`` of the graphs' N-Quads) or the Oxigraph server's dataset POST, and
their hashes after them; graphs the store already holds something of are replaced as usual.
The result must be the same store a normal load gives, and a bulk load killed half-way must be
finished by a rerun.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from ld_publish.graph import RecordGraph
from ld_publish.loaders import HASH_PREDICATE, META_GRAPH, LoaderOptions, load_graphs, loaders
from ld_publish.loaders.base import hash_literal
from ld_publish.loaders.embedded import EmbeddedLoader
from tests.stores import OxigraphServer
from tests.test_load_stores import StoreUnderTest, fresh_prefix, graphs_under, to_rdflib, with_list

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import synthetic_record

pytestmark = pytest.mark.store


def expect_exactly(store: StoreUnderTest, graphs: list[RecordGraph]) -> None:
    prefix = graphs[0].name.rsplit("/graph/", 1)[0]
    assert store.graph_names(prefix) == {g.name for g in graphs}
    hashes = store.loader.stored_hashes([g.name for g in graphs])
    for g in graphs:
        assert to_rdflib(g.triples).isomorphic(store.graph(g.name)), g.name
        assert hashes.get(g.name) == hash_literal(g), g.name


@pytest.fixture(params=["embedded", "oxigraph"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreUnderTest:
    if request.param == "embedded":
        loader = EmbeddedLoader(tmp_path / "store")
        request.addfinalizer(loader.close)
        return StoreUnderTest("embedded", loader, "")
    server: OxigraphServer = request.getfixturevalue("oxigraph_server")
    options = LoaderOptions(endpoint=server.base, store_type="oxigraph-server", retries=1)
    sparql = loaders.get("sparql")(options)
    request.addfinalizer(sparql.close)
    return StoreUnderTest("oxigraph", sparql, sparql.endpoints.query)  # type: ignore[attr-defined]


def test_bulk_load_gives_the_store_a_normal_load_gives(store: StoreUnderTest) -> None:
    prefix = fresh_prefix()
    graphs = graphs_under(prefix, 300, extra=5)
    report = load_graphs(graphs, store.loader, bulk=True)
    assert (report.read, report.loaded, report.unchanged) == (300, 300, 0)
    # One bulk request, not five batches of 64 replaced one update at a time.
    assert report.requests == 1
    expect_exactly(store, graphs)
    # A normal load afterwards finds every hash in place.
    again = load_graphs(graphs, store.loader)
    assert (again.loaded, again.unchanged) == (0, 300)


def test_bulk_load_replaces_what_the_store_already_holds(store: StoreUnderTest) -> None:
    prefix = fresh_prefix()
    old = graphs_under(prefix, 20)
    load_graphs(old, store.loader)
    new = graphs_under(prefix, 40, marker=" (changed)")
    report = load_graphs(new, store.loader, bulk=True)
    assert (report.loaded, report.unchanged) == (40, 0)
    expect_exactly(store, new)


def test_a_graph_with_blank_nodes_is_replaced_not_bulk_added(store: StoreUnderTest) -> None:
    # Bulk and native inserts keep blank node labels; two graphs labelling a node alike would
    # share it. Such graphs take the SPARQL path, which gives each its own nodes.
    prefix = fresh_prefix()
    listed = with_list(prefix)
    twin = RecordGraph.build("twin", f"{prefix}graph/twin", listed.root, listed.triples)
    for bulk in (True, False):
        load_graphs([listed, twin], store.loader, bulk=bulk, force=True)
        assert len(store.graph(listed.name)) == len(listed) == len(store.graph(twin.name))
        rows = store.rows(f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH ?g {{ ?b "
                          f"<{prefix.rsplit('/', 2)[0]}/first> ?x }} "
                          f"VALUES ?g {{ <{listed.name}> <{twin.name}> }} }}")
        assert int(rows[0]["n"].value) == 4  # two lists of two nodes, none shared


def test_a_bulk_load_cut_short_is_finished_by_a_rerun(tmp_path: Path) -> None:
    # What a kill between the bulk content and its hashes leaves: content, no hash, and one
    # graph with only part of its triples.
    prefix = fresh_prefix()
    graphs = graphs_under(prefix, 30, extra=6)
    loader = EmbeddedLoader(tmp_path / "store")
    try:
        loader.store.bulk_extend(q for g in graphs[:20] for q in g.quads())
        half = list(graphs[20].quads())[:3]
        loader.store.bulk_extend(half)
        report = load_graphs(graphs, loader, bulk=True)
        assert (report.loaded, report.unchanged) == (30, 0)
        expect_exactly(StoreUnderTest("embedded", loader, ""), graphs)
    finally:
        loader.close()


def test_native_insert_and_update_paths_agree(tmp_path: Path) -> None:
    """New graphs go in with Store.extend, held ones with one update; both leave the graph and
    exactly one hash, and a graph replaced after a native insert holds only its new content."""
    prefix = fresh_prefix()
    loader = EmbeddedLoader(tmp_path / "store")
    try:
        first = graphs_under(prefix, 10)
        new, held = loader.split_new(first)
        assert (len(new), len(held)) == (10, 0)
        load_graphs(first, loader)
        assert loader.split_new(first) == ([], first)
        second = graphs_under(prefix, 15, marker=" v2")
        load_graphs(second, loader)
        store = StoreUnderTest("embedded", loader, "")
        expect_exactly(store, second)
        hashes = list(loader.store.quads_for_pattern(None, ox.NamedNode(HASH_PREDICATE), None,
                                                     ox.NamedNode(META_GRAPH)))
        assert len([q for q in hashes if q.subject.value.startswith(prefix)]) == 15
    finally:
        loader.close()


def test_cli_bulk_load_of_an_export(tmp_path: Path) -> None:
    rng = random.Random(8)
    records = tmp_path / "in.jsonl"
    records.write_text("".join(json.dumps(synthetic_record(n, rng, "rich")) + "\n"
                               for n in range(120)), "utf-8")
    run = [sys.executable, "-m", "ld_publish"]
    done = subprocess.run([*run, "export", str(records), "-o", str(tmp_path / "out"), "-q"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for store, more in (("bulk", ["--bulk"]), ("plain", [])):
        done = subprocess.run([*run, "load", str(tmp_path / "out"), "--store",
                               str(tmp_path / store), *more],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "read 120 = loaded 120 + unchanged 0 + quarantined 0" in done.stderr
    dumps = []
    for store in ("bulk", "plain"):
        s = ox.Store(str(tmp_path / store))
        dumps.append(sorted(str(q) for q in s.quads_for_pattern(None, None, None, None)))
        del s
    assert dumps[0] == dumps[1]
