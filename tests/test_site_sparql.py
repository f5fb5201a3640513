"""`/sparql` of `ld-publish serve --site`: the SPARQL 1.1 Protocol over a real store, through
the server process of conftest_site.py (a site written by hand, tests/sites.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from ld_publish.site.sparql import Endpoint, ProtocolRequest
from tests.sites import BASE, BROWSER, NAMES, RECORD_GRAPH, Served, names_json, raw


@pytest.fixture
def root(hand_root: Path) -> Path:
    return hand_root


@pytest.fixture
def served(hand_served: Served) -> Served:
    return hand_served


def test_sparql_get_json(served: Served) -> None:
    r = httpx.get(served.url + "/sparql", params={"query": NAMES})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert {"Ada Author", "Bob Author", "A record page"} <= names_json(r.content)


def test_sparql_post_form_xml(served: Served) -> None:
    r = httpx.post(served.url + "/sparql", data={"query": NAMES},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    values = {e.text for e in ElementTree.fromstring(r.content).iterfind(".//r:literal", ns)}
    assert "Ada Author" in values


@pytest.mark.parametrize(("accept", "delimiter"), [
    ("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_sparql_post_query_table(served: Served, accept: str, delimiter: str) -> None:
    r = httpx.post(served.url + "/sparql", content=NAMES.encode(),
                   headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    rows = list(csv.reader(io.StringIO(r.text), delimiter=delimiter))
    assert rows[0][0].lstrip("?") == "name"
    assert any("Bob Author" in row[0] for row in rows[1:])


@pytest.mark.parametrize(("accept", "media", "fmt"), [
    (None, "text/turtle", "turtle"), ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_sparql_construct(served: Served, accept: str | None, media: str, fmt: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = httpx.post(served.url + "/sparql", headers=headers, data={
        "query": "CONSTRUCT { ?s <http://schema.org/name> ?n } WHERE "
                 "{ ?s <http://schema.org/name> ?n }"})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    graph = rdflib.Graph().parse(data=r.content, format=fmt)
    assert (rdflib.URIRef(BASE + "work/rec1/author/1"), None, rdflib.Literal("Ada Author")) \
        in graph


def test_sparql_result_type_nothing_acceptable(served: Served) -> None:
    r = httpx.get(served.url + "/sparql", params={"query": NAMES},
                  headers={"Accept": "text/turtle"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text


def test_bookkeeping_graphs_are_not_published(served: Served, root: Path) -> None:
    # They are in the store ...
    store = ox.Store.read_only(str(root / "store"))
    assert store.query("ASK { GRAPH ?g { ?s <urn:ld-publish:contentHash> ?h } }")
    assert store.query('ASK { GRAPH ?g { ?s ?p "staged, not published" } }')
    del store
    # ... but no query over the endpoint sees them, however it asks.
    for query, params in [
        ("ASK { ?s <urn:ld-publish:contentHash> ?h }", {}),
        ("ASK { GRAPH ?g { ?s <urn:ld-publish:contentHash> ?h } }", {}),
        ('ASK { ?s ?p "staged, not published" }', {}),
        ("ASK FROM <urn:ld-publish:meta> { ?s ?p ?o }", {}),
        ("ASK { GRAPH <urn:ld-publish:meta> { ?s ?p ?o } }", {}),
        ("ASK { ?s ?p ?o }", {"default-graph-uri": "urn:ld-publish:meta"}),
        ("ASK { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": "urn:ld-publish:meta"}),
    ]:
        r = httpx.get(served.url + "/sparql", params={"query": query, **params})
        assert r.status_code == 200, r.text
        assert r.json()["boolean"] is False, query
    r = httpx.get(served.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.json()["boolean"] is True


def test_sparql_dataset_parameters(served: Served) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(params: dict[str, str]) -> int:
        r = httpx.get(served.url + "/sparql", params={"query": count, **params})
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    assert n({}) == 10
    assert n({"default-graph-uri": RECORD_GRAPH}) == 10
    assert n({"default-graph-uri": "http://nothing.example/g"}) == 0
    r = httpx.get(served.url + "/sparql", params={
        "query": "SELECT ?g WHERE { GRAPH ?g { } }", "named-graph-uri": RECORD_GRAPH})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [RECORD_GRAPH]


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/x-www-form-urlencoded", b"update=DROP+ALL"),
    ("application/sparql-update", b"DROP ALL"),
    ("application/x-www-form-urlencoded", b"query=DROP+ALL"),
    ("application/sparql-query",
     b"PREFIX s: <http://schema.org/> INSERT DATA { <a:b> s:name 'x' }"),
])
def test_updates_are_refused(served: Served, content_type: str, body: bytes) -> None:
    r = httpx.post(served.url + "/sparql", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 400 and "read-only" in r.text
    r = httpx.get(served.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.json()["boolean"] is True


def test_syntax_error_is_400_with_the_parser_message(served: Served) -> None:
    r = httpx.get(served.url + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400
    assert "not valid SPARQL" in r.text and "error at" in r.text


def test_service_is_refused(served: Served) -> None:
    # pyoxigraph would fetch the SERVICE IRI from this machine: a door into the local network.
    for query in [f"SELECT * WHERE {{ SERVICE <{served.url}/sparql> {{ ?s ?p ?o }} }}",
                  f"SELECT * WHERE {{ \\u0053ERVICE <{served.url}/sparql> {{ ?s ?p ?o }} }}"]:
        r = httpx.get(served.url + "/sparql", params={"query": query})
        assert r.status_code == 400 and "SERVICE" in r.text
    # The word in a string is no call.
    r = httpx.get(served.url + "/sparql", params={"query": 'ASK { FILTER("service" != "") }'})
    assert r.status_code == 200


def test_results_past_the_size_bound_are_503() -> None:
    # In process: the bound is not a command-line option. A real (in-memory) store.
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"),
                         ox.NamedNode("http://example.org/p"), ox.Literal("x" * 50),
                         ox.NamedNode("http://example.org/g")) for i in range(2000))
    endpoint = Endpoint(store, max_bytes=10_000)
    for query, accept in [("SELECT * WHERE { ?s ?p ?o }", None),
                          ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")]:
        answer = endpoint.answer(ProtocolRequest(query), accept)
        assert answer.status == 503 and b"larger than 10,000 bytes" in answer.body
    small = endpoint.answer(ProtocolRequest("SELECT * WHERE { ?s ?p ?o } LIMIT 10"), None)
    assert small.status == 200


def test_chunked_body_is_refused_and_the_connection_closed(served: Served) -> None:
    status, headers, _ = raw(served, "/sparql", "POST", headers={
        "Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"},
        body=None)
    assert status == 411 and headers["connection"] == "close"


def test_sparql_without_query_shows_a_form(served: Served) -> None:
    status, headers, body = raw(served, "/sparql", headers={"Accept": BROWSER})
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"<form" in body
