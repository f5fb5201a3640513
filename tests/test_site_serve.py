"""`ld-publish serve --site`: a real server process on loopback over a site folder written by
hand (tests/sites.py) and a real store, talked to over HTTP.

One server per module; the lifecycle tests start their own and stop them with signals.
"""

from __future__ import annotations

import csv
import gzip
import http.client
import io
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from ld_publish.site.negotiate import negotiate
from ld_publish.site.paths import DOCUMENT_FORMATS, Entry, Manifest
from ld_publish.site.routes import Request, Site
from ld_publish.site.sparql import Endpoint, ProtocolRequest
from tests.sites import (
    BASE,
    RECORD_GRAPH,
    SECRET,
    Served,
    children,
    run_env,
    start_serve,
    terminate,
    write_site,
    write_store,
)
from tests.stores import missing

BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
MEDIA = [media for _, media in DOCUMENT_FORMATS]
NAMES = "SELECT ?name WHERE { ?s <http://schema.org/name> ?name }"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("serve")
    write_site(folder / "site")
    write_store(folder / "store", folder / "site")
    return folder


@pytest.fixture(scope="module")
def served(root: Path) -> Iterator[Served]:
    server = start_serve(["--site", str(root / "site"), "--store", str(root / "store")],
                         root / "serve.log")
    yield server
    if server.proc.poll() is None:
        terminate(server)


def raw(served: Served, target: str, method: str = "GET",
        headers: dict[str, str] | None = None, body: bytes | None = None
        ) -> tuple[int, dict[str, str], bytes]:
    """One request with the target sent exactly as given (httpx would normalise dot segments)
    and no header we did not ask for (no default Accept)."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        conn.close()


# Negotiation on its own: the rules, without a server.

@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/html"),
    ("", "text/html"),
    (BROWSER, "text/html"),
    ("*/*", "text/html"),
    ("text/*", "text/html"),
    ("text/turtle", "text/turtle"),
    ("application/ld+json;q=0.9, text/turtle;q=0.5", "application/ld+json"),
    ("text/html;q=0, */*", "text/turtle"),
    ("text/*;q=0.2, application/n-triples", "application/n-triples"),
    ("application/*;q=0.5, text/turtle;q=0.4", "application/ld+json"),
    ("TEXT/Turtle", "text/turtle"),
    ("text/turtle;q=abc, application/n-triples", "application/n-triples"),
    ("application/xml", None),
    ("text/html;q=0, text/turtle;q=0, application/*;q=0", None),
])
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, MEDIA) == expected


# Record pages: 200, negotiated, Vary and Content-Location.

@pytest.mark.parametrize(("accept", "media", "ext"), [
    (BROWSER, "text/html", ".html"),
    ("text/turtle", "text/turtle", ".ttl"),
    ("application/ld+json;q=0.9, text/turtle;q=0.5", "application/ld+json", ".jsonld"),
    ("*/*", "text/html", ".html"),
    (None, "text/html", ".html"),
    ("application/n-triples", "application/n-triples", ".nt"),
])
def test_record_page_negotiated(served: Served, root: Path, accept: str | None, media: str,
                                ext: str) -> None:
    status, headers, body = raw(served, "/work/rec1", headers={"Accept": accept} if accept
                                else {})
    assert status == 200
    assert headers["content-type"].split(";")[0] == media
    assert headers["vary"] == "Accept"
    assert headers["content-location"] == "/work/rec1" + ext
    assert body == (root / "site" / ("work/rec1" + ext)).read_bytes()


def test_nothing_acceptable_is_406_listing_the_types(served: Served) -> None:
    status, headers, body = raw(served, "/work/rec1", headers={"Accept": "application/xml"})
    assert status == 406
    assert headers["vary"] == "Accept"
    for media in MEDIA:
        assert media in body.decode()
    status, _, _ = raw(served, "/work/rec1/author/1", headers={"Accept": "image/png"})
    assert status == 406


def test_format_parameter_overrides_accept(served: Served) -> None:
    status, headers, _ = raw(served, "/work/rec1?format=ttl", headers={"Accept": BROWSER})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    assert raw(served, "/work/rec1?format=pdf")[0] == 400


def test_encoded_slash_key_finds_its_record(served: Served) -> None:
    status, _, body = raw(served, "/work/10.1234%2fabc",
                                headers={"Accept": "text/turtle"})
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert (rdflib.URIRef(BASE + "work/10.1234%2Fabc"), None, None) in graph


# Other minted IRIs: 303 See Other to the negotiated document.

@pytest.mark.parametrize(("accept", "ext"), [
    ("text/turtle", ".ttl"), (BROWSER, ".html"), ("application/ld+json", ".jsonld"),
    ("application/n-triples;q=1, text/turtle;q=0.9", ".nt"),
])
def test_resource_is_303_to_its_document(served: Served, accept: str, ext: str) -> None:
    status, headers, _ = raw(served, "/work/rec1/author/1", headers={"Accept": accept})
    assert status == 303
    assert headers["location"] == "/work/rec1/author/1" + ext
    assert headers["vary"] == "Accept"
    status, headers, body = raw(served, headers["location"])
    assert status == 200
    assert headers["content-type"].split(";")[0] == dict(DOCUMENT_FORMATS)[ext]
    assert b"Ada Author" in body


def test_resource_with_unsafe_decoded_path_is_served_from_its_fallback(served: Served) -> None:
    status, headers, _ = raw(served, "/venue/j%2F..%2Fx", headers={"Accept": "text/turtle"})
    assert status == 303 and headers["location"] == "/venue/j%2F..%2Fx.ttl"
    status, _, body = raw(served, headers["location"])
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert (rdflib.URIRef(BASE + "venue/j%2F..%2Fx"), None, None) in graph


def test_rdflib_dereferences_a_resource(served: Served) -> None:
    # rdflib sends its own Accept and follows the 303, as linked-data clients do.
    graph = rdflib.Graph().parse(served.url + "/work/rec1/author/2")
    assert rdflib.Literal("Bob Author") in set(graph.objects())


def test_head_has_the_get_headers_and_no_body(served: Served) -> None:
    got = raw(served, "/work/rec1", headers={"Accept": "text/turtle"})
    head = raw(served, "/work/rec1", "HEAD", headers={"Accept": "text/turtle"})
    assert head[0] == 200 and head[2] == b""
    for name in ("content-type", "content-length", "vary", "content-location"):
        assert head[1][name] == got[1][name]
    assert raw(served, "/work/rec1/author/1", "HEAD", headers={"Accept": "text/turtle"})[0] == 303


# The site's other files.

@pytest.mark.parametrize(("target", "media"), [
    ("/", "text/html"), ("/index.html", "text/html"), ("/void.ttl", "text/turtle"),
    ("/sitemap.xml", "application/xml"), ("/robots.txt", "text/plain"),
    ("/style.css", "text/css"), ("/site.json", "application/json"),
    ("/work/rec1.jsonld", "application/ld+json"), ("/work/10.1234/abc.nt",
                                                    "application/n-triples"),
])
def test_site_files(served: Served, root: Path, target: str, media: str) -> None:
    status, headers, body = raw(served, target)
    assert status == 200
    assert headers["content-type"].split(";")[0] == media
    name = "index.html" if target == "/" else target.lstrip("/")
    assert body == (root / "site" / name).read_bytes()


def test_dataset_dump_is_served_compressed(served: Served) -> None:
    status, headers, body = raw(served, "/dataset.nq.gz")
    assert status == 200 and headers["content-type"] == "application/gzip"
    assert "content-encoding" not in headers
    dataset = rdflib.Dataset().parse(data=gzip.decompress(body), format="nquads")
    assert len(dataset) == 10


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/work/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
    "/work/..%2F..%2Fsecret.txt", "/work/%2e%2e%2f%2e%2e%2fsecret.txt", "/%2Fetc%2Fpasswd",
    "//etc/passwd", "/link.txt", "/up/secret.txt", "/.hidden", "/work/%00", "/%ff",
    "/..%5csecret.txt", "http://other.example/../secret.txt", "http://127.0.0.1/etc/passwd",
    "/etc/passwd", "/%252e%252e/secret.txt", "/report.json", "/nginx.conf", "/.htaccess",
    "/%2ehtaccess", "/report%2Ejson",
])
def test_nothing_outside_the_folder(served: Served, target: str) -> None:
    status, _, body = raw(served, target)
    assert status in (400, 404)
    assert SECRET.encode() not in body
    assert b"root:" not in body


def test_unknown_path_is_a_helpful_404(served: Served) -> None:
    status, headers, body = raw(served, "/work/nothing-here", headers={"Accept": BROWSER})
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert b"/sitemap.xml" in body and b"/sparql" in body


@pytest.mark.parametrize(("method", "target"), [
    ("DELETE", "/work/rec1"), ("PUT", "/void.ttl"), ("POST", "/work/rec1"), ("PATCH", "/"),
    ("DELETE", "/sparql"),
])
def test_other_methods_are_405(served: Served, method: str, target: str) -> None:
    status, headers, _ = raw(served, target, method, body=b"" if method != "DELETE" else None)
    assert status == 405
    assert "GET" in headers["allow"]
    if method != "POST":  # a body this server does not read must not become a request
        assert headers["connection"] == "close"


# /sparql: the SPARQL 1.1 Protocol.

def _names_json(body: bytes) -> set[str]:
    data = json.loads(body)
    return {b["name"]["value"] for b in data["results"]["bindings"]}


def test_sparql_get_json(served: Served) -> None:
    r = httpx.get(served.url + "/sparql", params={"query": NAMES})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert {"Ada Author", "Bob Author", "A record page"} <= _names_json(r.content)


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


def test_requests_are_logged(served: Served) -> None:
    raw(served, "/robots.txt")
    assert "GET /robots.txt 200" in served.log.read_text()


def test_a_client_hanging_up_costs_no_traceback(served: Served, root: Path) -> None:
    # A file far larger than the socket buffers, asked for and not read: the write fails.
    (root / "site" / "big.bin").write_bytes(b"\0" * (32 << 20))
    with socket.create_connection(("127.0.0.1", served.port)) as s:
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(1024)
    # The failing write happens on the server's own time; wait for its log line.
    deadline = time.monotonic() + 60
    while "connection from 127.0.0.1 ended" not in served.log.read_text():
        assert time.monotonic() < deadline, "the server never noticed the client left"
        time.sleep(0.1)
    assert raw(served, "/robots.txt")[0] == 200
    assert "Traceback" not in served.log.read_text()
    (root / "site" / "big.bin").unlink()


def test_base_with_a_path_is_served_under_it(tmp_path: Path) -> None:
    # In process (the routes alone), over real files: a site built for .../journal/.
    folder = tmp_path / "site"
    (folder / "work").mkdir(parents=True)
    for ext, _ in DOCUMENT_FORMATS:
        (folder / f"work/a{ext}").write_text(f"doc {ext}", "utf-8")
    (folder / "index.html").write_text("home", "utf-8")
    manifest = Manifest("https://example.org/journal/",
                        {"work/a": Entry("record", "work/a", "sha256:0")})
    site = Site(folder, manifest, None)

    def get(target: str, accept: str | None = None) -> tuple[int, str | None, bytes]:
        answer = site.respond(Request("GET", target, accept))
        body = answer.body.read_bytes() if isinstance(answer.body, Path) else answer.body
        return answer.status, answer.header("Content-Location") or answer.header("Location"), \
            body

    assert get("/journal/work/a", "text/turtle") == (200, "/journal/work/a.ttl", b"doc .ttl")
    assert get("/journal/work/a.nt")[2] == b"doc .nt"
    assert get("/journal/") == (200, None, b"home")
    assert get("/journal")[:2] == (301, "/journal/")
    assert get("/work/a")[0] == 404
    assert get("/journal/sparql")[0] == 503  # no store


# Lifecycle: signals, the port, the modes.

def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly(root: Path, tmp_path: Path, signum: int) -> None:
    # No --store and no default store in the working folder: /sparql queries the dump.
    server = start_serve(["--site", str(root / "site"), "--query-timeout", "0.5"],
                         tmp_path / "serve.log", cwd=tmp_path)
    assert children(server.proc.pid) == []
    assert "dataset.nq.gz (loaded in memory)" in server.log.read_text()
    r = httpx.get(server.url + "/sparql", params={"query": NAMES})
    assert "Ada Author" in _names_json(r.content)
    # A query far too big for its time is answered 503, and the server goes on serving.
    pattern = " . ".join(f"?a{i} ?b{i} ?c{i}" for i in range(9))
    r = httpx.get(server.url + "/sparql", timeout=60,
                  params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"})
    assert r.status_code == 503 and "did not finish" in r.text
    assert httpx.get(server.url + "/robots.txt").status_code == 200
    # Stopping does not wait for that query.
    assert terminate(server, signum) == 0
    log = server.log.read_text()
    assert "stopped" in log and "Traceback" not in log
    assert _port_free(server.port)


def test_default_store_is_used_when_present(root: Path, tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    write_store(tmp_path / "output" / "store", root / "site")
    server = start_serve(["--site", str(root / "site")], tmp_path / "serve.log", cwd=tmp_path)
    try:
        assert "over the store at output/store" in server.log.read_text()
        r = httpx.get(server.url + "/sparql", params={"query": NAMES})
        assert "Ada Author" in _names_json(r.content)
        r = httpx.get(server.url + "/sparql",
                      params={"query": "ASK { ?s <urn:ld-publish:contentHash> ?h }"})
        assert r.json()["boolean"] is False
    finally:
        assert terminate(server) == 0


@pytest.mark.parametrize("mode", ["site", "store"])
def test_port_in_use_is_a_clear_error(served: Served, root: Path, tmp_path: Path,
                                      mode: str) -> None:
    if mode == "site":
        args = ["--site", str(root / "site")]
    else:
        write_store(tmp_path / "store", root / "site")
        args = ["--store", str(tmp_path / "store")]
    result = subprocess.run([sys.executable, "-m", "ld_publish", "serve", *args, "--port",
                             str(served.port)], capture_output=True, text=True, env=run_env(),
                            timeout=120, check=False)
    assert result.returncode == 2
    assert "is in use" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "words"), [
    (["--site", "{tmp}/missing"], "not a site folder"),
    (["--site", "{root}/site", "--store", "{tmp}/no-store"], "no store at"),
])
def test_bad_arguments_exit_2(root: Path, tmp_path: Path, args: list[str], words: str) -> None:
    argv = [a.format(tmp=tmp_path, root=root) for a in args]
    result = subprocess.run([sys.executable, "-m", "ld_publish", "serve", *argv],
                            capture_output=True, text=True, env=run_env(), timeout=120,
                            check=False)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def test_store_mode_forwards_sigterm_to_oxigraph(root: Path, tmp_path: Path) -> None:
    if shutil.which("oxigraph") is None:
        missing("the Oxigraph server binary `oxigraph`", "pip install 'oxigraph>=0.5,<0.6'")
    write_store(tmp_path / "store", root / "site")
    server = start_serve(["--store", str(tmp_path / "store")], tmp_path / "serve.log",
                         probe="/query?query=ASK%7B%7D")
    (child,) = children(server.proc.pid)
    assert terminate(server) == 0
    assert not Path(f"/proc/{child}").exists()
    assert _port_free(server.port)
