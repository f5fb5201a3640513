"""`ld-publish serve --site`: a real server process on loopback over a site folder written by
hand (tests/sites.py) and a real store, talked to over HTTP: negotiation, 303s, files, what is
never served, lifecycle. The endpoint at /sparql is tests/test_site_sparql.py.

One server for both modules (conftest_site.py); the lifecycle tests start their own and stop
them with signals.
"""

from __future__ import annotations

import gzip
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import rdflib

from ld_publish.errors import UsageError
from ld_publish.serve import oxigraph_binary
from ld_publish.site.negotiate import negotiate
from ld_publish.site.paths import DOCUMENT_FORMATS, Entry, Manifest
from ld_publish.site.routes import Request, Site
from tests.sites import (
    BASE,
    BROWSER,
    NAMES,
    SECRET,
    Served,
    children,
    names_json,
    raw,
    run_env,
    start_serve,
    terminate,
    write_store,
)
from tests.stores import missing

MEDIA = [media for _, media in DOCUMENT_FORMATS]


@pytest.fixture
def root(hand_root: Path) -> Path:
    return hand_root


@pytest.fixture
def served(hand_served: Served) -> Served:
    return hand_served


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
    assert "Ada Author" in names_json(r.content)
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
        assert "Ada Author" in names_json(r.content)
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
    try:
        oxigraph_binary()
    except UsageError:
        missing("the Oxigraph server binary `oxigraph`", "pip install 'oxigraph>=0.5,<0.6'")
    write_store(tmp_path / "store", root / "site")
    server = start_serve(["--store", str(tmp_path / "store")], tmp_path / "serve.log",
                         probe="/query?query=ASK%7B%7D")
    (child,) = children(server.proc.pid)
    assert terminate(server) == 0
    assert not Path(f"/proc/{child}").exists()
    assert _port_free(server.port)
