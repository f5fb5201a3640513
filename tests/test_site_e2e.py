"""End to end: `ld-publish site` builds the seed record's site for a loopback base, `load` puts
it in a store, `serve --site --store` answers at that base; then the site is read as a search
engine, a browser, a linked-data client and a SPARQL client would."""

from __future__ import annotations

import gzip
import json
from urllib.parse import urljoin
from xml.etree import ElementTree

import httpx
import lxml.html
import pyoxigraph as ox
import rdflib
from rdflib.namespace import VOID

from tests.conftest_site import SEED_DOI, SeedSite
from tests.sites import BROWSER


def _minted(site: SeedSite) -> set[str]:
    """Every IRI under the base that the published data uses (subjects, objects, graph
    names), read from the site's own dump."""
    data = gzip.decompress((site.folder / "dataset.nq.gz").read_bytes())
    found: set[str] = set()
    for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        for term in (quad.subject, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(site.base):
                found.add(term.value)
    return found


def test_sitemap_lists_the_landing_page(served_seed: SeedSite) -> None:
    r = httpx.get(served_seed.base + "sitemap.xml")
    assert r.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ElementTree.fromstring(r.content).iterfind(".//s:loc", ns)]
    assert served_seed.landing in locs


def test_landing_page_for_a_browser(served_seed: SeedSite) -> None:
    r = httpx.get(served_seed.landing, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["vary"] == "Accept"
    page = lxml.html.fromstring(r.content)

    def meta(name: str) -> list[str]:
        return [str(v) for v in page.xpath(f'//meta[@name="{name}"]/@content')]

    assert len(meta("citation_author")) == 2
    assert meta("citation_doi") == ["10.17976/jpps/2025.02.05"]
    assert meta("citation_journal_title") == ["Polis. Political Studies"]
    assert len(meta("citation_publication_date")) == 1
    (script,) = page.xpath('//script[@type="application/ld+json"]/text()')
    embedded = rdflib.Graph().parse(data=str(script), format="json-ld")
    assert (rdflib.URIRef(SEED_DOI), None, None) in embedded
    for media, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]:
        (href,) = page.xpath(f'//link[@rel="alternate"][@type="{media}"]/@href')
        alternate = httpx.get(urljoin(served_seed.landing, str(href)))
        assert alternate.status_code == 200
        assert alternate.headers["content-type"].split(";")[0] == media
        graph = rdflib.Graph().parse(data=alternate.content, format=fmt)
        assert (rdflib.URIRef(SEED_DOI), None, None) in graph


def test_landing_page_as_turtle_is_the_record(served_seed: SeedSite) -> None:
    r = httpx.get(served_seed.landing, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert r.headers["content-location"].endswith(".ttl")
    graph = rdflib.Graph().parse(data=r.content, format="turtle")
    assert (rdflib.URIRef(SEED_DOI), None, None) in graph
    # The same triples as the record's graph in the store.
    store = ox.Store.read_only(str(served_seed.store))
    stored = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                         "FILTER(!STRSTARTS(STR(?g), 'urn:ld-publish:')) }")
    count = int(next(iter(stored))["n"].value)  # type: ignore[union-attr]
    del store
    assert len(graph) == count


def test_every_minted_iri_dereferences_to_rdf_about_itself(served_seed: SeedSite) -> None:
    minted = _minted(served_seed)
    assert len(minted) > 50
    manifest = json.loads((served_seed.folder / "site.json").read_text("utf-8"))
    failures = []
    for iri in sorted(minted):
        if manifest["entries"].get(iri[len(served_seed.base):], {}).get("kind") == "record":
            continue  # a record page describes the record (previous test), not itself
        try:
            # rdflib sends its own Accept and follows the 303 to the document.
            graph = rdflib.Graph().parse(iri)
        except Exception as e:  # any failure is reported with its IRI below
            failures.append(f"{iri}: {type(e).__name__}: {e}")
            continue
        if (rdflib.URIRef(iri), None, None) not in graph:
            failures.append(f"{iri}: no triples about it ({len(graph)} triples)")
    assert not failures, "\n".join(failures[:20])


def test_void_describes_the_dataset(served_seed: SeedSite) -> None:
    r = httpx.get(served_seed.base + "void.ttl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    void = rdflib.Graph().parse(data=r.content, format="turtle")
    # The dataset is the node with the endpoint; its class and property partitions have
    # void:triples too.
    (dataset,) = set(void.subjects(VOID.sparqlEndpoint, None))
    (triples,) = set(void.objects(dataset, VOID.triples))
    (endpoint,) = set(void.objects(dataset, VOID.sparqlEndpoint))
    (dump,) = set(void.objects(dataset, VOID.dataDump))
    assert str(endpoint) == served_seed.base + "sparql"
    # Both answer where the description says.
    assert httpx.get(str(dump)).status_code == 200
    r = httpx.get(str(endpoint), params={"query": "SELECT (COUNT(*) AS ?n) WHERE {?s ?p ?o}"})
    assert r.status_code == 200
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == int(triples)


def test_sparql_gives_the_two_authors(served_seed: SeedSite) -> None:
    query = ("SELECT ?n WHERE { ?w <http://schema.org/author> ?p . "
             "?p <http://schema.org/name> ?n }")
    r = httpx.post(served_seed.base + "sparql", data={"query": query})
    assert r.status_code == 200
    names = sorted(b["n"]["value"] for b in r.json()["results"]["bindings"])
    assert names == ["Lomakina А. I.", "Sebentzov A.B."]
