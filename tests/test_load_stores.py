"""Loading into three real stores: the embedded pyoxigraph store, an Oxigraph server and
Virtuoso. The same expectations hold for each."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ld_publish.graph import RecordGraph
from ld_publish.loaders import LoaderOptions, load_graphs, loaders
from ld_publish.loaders.base import Loader
from ld_publish.loaders.embedded import EmbeddedLoader
from ld_publish.query import Term, parse_json_results
from ld_publish.sparql_escape import sparql_term
from tests.stores import EX, OxigraphServer, VirtuosoServer, synthetic_graph

pytestmark = pytest.mark.store

HOSTILE_TITLES = [
    'x" } ; DROP ALL ; INSERT DATA { <http://a> <http://b> "y',
    'She said "hello" and \'bye\'',
    "back\\slash \\n not a newline \\u0022",
    "line one\nline two\r\nline three\ttab",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀",
    "> } } ; CLEAR ALL #",
]


@dataclass
class StoreUnderTest:
    kind: str
    loader: Loader
    select: str  # query URL, or "" for the embedded store

    def rows(self, query: str) -> list[dict[str, Term]]:
        if isinstance(self.loader, EmbeddedLoader):
            result = self.loader.store.query(query)
        else:
            auth = httpx.DigestAuth("dba", "dba") if self.kind == "virtuoso" else None
            r = httpx.post(self.select, data={"query": query}, auth=auth, timeout=30,
                           headers={"Accept": "application/sparql-results+json"})
            r.raise_for_status()
            answer = parse_json_results(r.content)
            assert answer.solutions is not None
            return answer.solutions.rows
        assert isinstance(result, ox.QuerySolutions)
        return [{str(v.value): s[v] for v in result.variables if s[v] is not None}
                for s in result]

    def graph(self, name: str) -> Graph:
        """The named graph's content as an rdflib graph (compared up to blank node labels)."""
        triples = [ox.Triple(s["s"], s["p"], s["o"])  # type: ignore[arg-type]
                   for s in self.rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH {sparql_term(name)} "
                                      "{ ?s ?p ?o } }")]
        return to_rdflib(triples)

    def graph_names(self, prefix: str) -> set[str]:
        rows = self.rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {r["g"].value for r in rows if r["g"].value.startswith(prefix)}  # type: ignore[union-attr]


def to_rdflib(triples: list[ox.Triple] | tuple[ox.Triple, ...]) -> Graph:
    g = Graph()
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    g.parse(data=data.decode(), format="nt")
    return g


def run_options(server: OxigraphServer | VirtuosoServer | None, kind: str) -> LoaderOptions:
    if isinstance(server, OxigraphServer):
        return LoaderOptions(endpoint=server.base, store_type="oxigraph-server", retries=1)
    assert isinstance(server, VirtuosoServer)
    return LoaderOptions(endpoint=server.base, store_type="virtuoso", user="dba",
                         password=server.password, retries=1)


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[StoreUnderTest]:
    kind = request.param
    if kind == "embedded":
        path = tmp_path_factory.mktemp("embedded") / "store"
        loader: Loader = EmbeddedLoader(path)
        yield StoreUnderTest(kind, loader, "")
    else:
        server = request.getfixturevalue("oxigraph_server" if kind == "oxigraph"
                                         else "virtuoso_server")
        options = run_options(server, kind)
        loader = loaders.get("sparql")(options)
        yield StoreUnderTest(kind, loader, loader.endpoints.query)  # type: ignore[attr-defined]
    loader.close()


def fresh_prefix() -> str:
    return f"{EX}{uuid.uuid4().hex[:8]}/"


def graphs_under(prefix: str, count: int, **kw: object) -> list[RecordGraph]:
    out = []
    for i in range(count):
        g = synthetic_graph(i, **kw)  # type: ignore[arg-type]
        out.append(RecordGraph.build(g.key, f"{prefix}graph/{i}", g.root, g.triples))
    return out


def with_list(prefix: str) -> RecordGraph:
    """A graph with an RDF list (blank nodes), as author lists are mapped."""
    root = ox.NamedNode(f"{prefix}work/list")
    first, rest = ox.NamedNode(f"{EX}first"), ox.NamedNode(f"{EX}rest")
    b1, b2 = ox.BlankNode("b1"), ox.BlankNode("b2")
    nil = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
    triples = [ox.Triple(root, ox.NamedNode(f"{EX}authors"), b1),
               ox.Triple(b1, first, ox.Literal("A")), ox.Triple(b1, rest, b2),
               ox.Triple(b2, first, ox.Literal("B")), ox.Triple(b2, rest, nil)]
    return RecordGraph.build("list", f"{prefix}graph/list", root.value, triples)


def test_each_graph_holds_exactly_its_triples(store: StoreUnderTest) -> None:
    prefix = fresh_prefix()
    graphs = [*graphs_under(prefix, 10), with_list(prefix)]
    report = load_graphs(graphs, store.loader, batch_graphs=4)
    assert report.loaded == len(graphs) and report.balanced
    for g in graphs:
        assert isomorphic(store.graph(g.name), to_rdflib(g.triples)), g.name
    assert store.graph_names(prefix) == {g.name for g in graphs}


def test_loading_three_times_changes_nothing(store: StoreUnderTest) -> None:
    prefix = fresh_prefix()
    graphs = [*graphs_under(prefix, 6), with_list(prefix)]
    load_graphs(graphs, store.loader)
    before = {g.name: store.graph(g.name) for g in graphs}
    for _ in range(2):
        report = load_graphs(graphs, store.loader)
        assert report.unchanged == len(graphs) and report.loaded == 0
    for _ in range(1):  # and forced reloads replace, never append
        load_graphs(graphs, store.loader, force=True)
    for g in graphs:
        after = store.graph(g.name)
        assert len(after) == len(g) and isomorphic(after, before[g.name])


def test_changed_record_replaces_its_graph(store: StoreUnderTest) -> None:
    prefix = fresh_prefix()
    old = graphs_under(prefix, 3)
    load_graphs(old, store.loader)
    new = graphs_under(prefix, 3, extra=1, title="Renamed")
    report = load_graphs(new, store.loader)
    assert report.loaded == 3
    for g in new:
        assert isomorphic(store.graph(g.name), to_rdflib(g.triples))


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_come_back_verbatim(store: StoreUnderTest, title: str) -> None:
    prefix = fresh_prefix()
    sentinel = graphs_under(prefix + "sentinel/", 1)[0]
    load_graphs([sentinel], store.loader)
    g = graphs_under(prefix, 1, title=title)[0]
    report = load_graphs([g], store.loader)
    assert report.loaded == 1
    titles = [r["o"].value for r in store.rows(  # type: ignore[union-attr]
        f"SELECT ?o WHERE {{ GRAPH {sparql_term(g.name)} "
        "{ ?s <http://schema.org/name> ?o } }")]
    assert titles == [title]
    assert isomorphic(store.graph(sentinel.name), to_rdflib(sentinel.triples))


def test_sentinel_graph_survives_loads(store: StoreUnderTest) -> None:
    prefix = fresh_prefix()
    sentinel = graphs_under(prefix + "sentinel/", 1)[0]
    load_graphs([sentinel], store.loader)
    load_graphs(graphs_under(prefix, 5, title=HOSTILE_TITLES[0]), store.loader)
    load_graphs(graphs_under(prefix, 5, title="again"), store.loader)
    assert isomorphic(store.graph(sentinel.name), to_rdflib(sentinel.triples))


def test_embedded_store_lock_is_a_store_error(tmp_path: Path) -> None:
    from ld_publish.errors import StoreError
    first = EmbeddedLoader(tmp_path / "s")
    try:
        with pytest.raises(StoreError, match="lock"):
            EmbeddedLoader(tmp_path / "s")
    finally:
        first.close()
