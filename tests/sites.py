"""Small site folders written by hand (real files, real RDF, a real store) and the `serve`
process that answers over them, for the serve tests."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from ld_publish.loaders import HASH_PREDICATE, META_GRAPH
from ld_publish.site.paths import DOCUMENT_FORMATS, Entry, Manifest, file_path
from tests.stores import free_port, wait_http

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://journal.example/"
BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
NAMES = "SELECT ?name WHERE { ?s <http://schema.org/name> ?name }"
SDO = rdflib.Namespace("http://schema.org/")
RECORD_GRAPH = BASE + "graph/rec1"
SECRET = "the secret outside the site"

#: IRI paths after the base, their kind, and the name the resource has.
RESOURCES: dict[str, tuple[str, str]] = {
    "work/rec1": ("record", "A record page"),
    "work/rec1/author/1": ("resource", "Ada Author"),
    "work/rec1/author/2": ("resource", "Bob Author"),
    "work/10.1234%2Fabc": ("record", "A record with a DOI key"),
    "venue/j%2F..%2Fx": ("resource", "A journal whose key decodes to a dot segment"),
}


def resource_graph(iri_path: str, name: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.bind("schema", SDO)
    subject = rdflib.URIRef(BASE + iri_path)
    g.add((subject, SDO.name, rdflib.Literal(name)))
    g.add((subject, RDF.type, SDO.Thing))
    return g


def _html(iri_path: str, name: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{name}'
            f'</title><link rel="alternate" type="text/turtle" href="{iri_path}.ttl"></head>'
            f"<body><h1>{name}</h1></body></html>\n")


def write_site(folder: Path) -> Manifest:
    """A site with the layout `ld-publish site` writes: documents at the decoded path (or under
    ``_/`` when that is unsafe), site.json, the dataset files, and traps: a file outside the
    folder and links from inside pointing to it."""
    folder.mkdir(parents=True)
    manifest = Manifest(BASE, title="Test site")
    taken: set[str] = set()
    dataset = rdflib.Dataset()
    for iri_path, (kind, name) in RESOURCES.items():
        path = file_path(iri_path, taken)
        manifest.entries[iri_path] = Entry(kind, path, "sha256:" + "0" * 64)  # type: ignore[arg-type]
        graph = resource_graph(iri_path, name)
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        for ext, _media in DOCUMENT_FORMATS:
            out = target.with_name(target.name + ext)
            if ext == ".html":
                out.write_text(_html(iri_path, name), "utf-8")
            else:
                fmt = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt"}[ext]
                graph.serialize(out, format=fmt, encoding="utf-8")
        for triple in graph:
            dataset.add((*triple, rdflib.URIRef(RECORD_GRAPH)))
    (folder / "site.json").write_bytes(manifest.to_bytes())
    (folder / "index.html").write_text(_html("", "Test site"), "utf-8")
    (folder / "robots.txt").write_text(f"Sitemap: {BASE}sitemap.xml\n", "utf-8")
    (folder / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
        f'schemas/sitemap/0.9"><url><loc>{BASE}work/rec1</loc></url></urlset>\n', "utf-8")
    (folder / "void.ttl").write_text(
        f"<{BASE}void> a <http://rdfs.org/ns/void#Dataset> .\n", "utf-8")
    (folder / "style.css").write_text("body { margin: 0 }\n", "utf-8")
    with gzip.open(folder / "dataset.nq.gz", "wb") as f:
        f.write(dataset.serialize(format="nquads", encoding="utf-8"))
    (folder.parent / "secret.txt").write_text(SECRET, "utf-8")
    os.symlink(folder.parent / "secret.txt", folder / "link.txt")
    os.symlink(folder.parent, folder / "up")
    (folder / ".hidden").write_text(SECRET, "utf-8")
    # The build's own files: not served.
    (folder / "report.json").write_text(json.dumps({"source": SECRET}), "utf-8")
    (folder / "nginx.conf").write_text(f"# {SECRET}\n", "utf-8")
    (folder / ".htaccess").write_text(f"# {SECRET}\n", "utf-8")
    return manifest


def write_store(path: Path, folder: Path) -> None:
    """A real embedded store holding the site's record graph, the bookkeeping graph and a
    staging graph, as `ld-publish load` leaves them."""
    store = ox.Store(str(path))
    with gzip.open(folder / "dataset.nq.gz", "rb") as f:
        store.load(f.read(), format=ox.RdfFormat.N_QUADS)
    meta = ox.NamedNode(META_GRAPH)
    store.add(ox.Quad(ox.NamedNode(RECORD_GRAPH), ox.NamedNode(HASH_PREDICATE),
                      ox.Literal("sha256:" + "1" * 64), meta))
    store.add(ox.Quad(ox.NamedNode(BASE + "work/rec1"), ox.NamedNode("http://schema.org/name"),
                      ox.Literal("staged, not published"),
                      ox.NamedNode("urn:ld-publish:staging:rec1")))
    store.flush()
    del store


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT (no trailing slash)
    port: int
    proc: subprocess.Popen[bytes]
    log: Path


def run_env() -> dict[str, str]:
    """The environment for `python -m ld_publish` from any folder: this checkout's code first
    (the virtual environment may hold an editable install of another one)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def start_serve(args: list[str], log: Path, probe: str = "/robots.txt", cwd: Path = ROOT,
                port: int | None = None) -> Served:
    port = port or free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "ld_publish", "serve", *args,
                                 "--port", str(port)], cwd=cwd, env=run_env(), stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + probe, proc, 60, log)
    except Exception:
        proc.kill()
        proc.wait()
        raise
    return Served(url, port, proc, log)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread may end while we look
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def terminate(served: Served, signum: int = signal.SIGTERM) -> int:
    """Send ``signum`` and wait; the exit status (the process is killed if it hangs, and the
    caller sees a status that is not 0)."""
    served.proc.send_signal(signum)
    try:
        return served.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait()
        return -9


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


def names_json(body: bytes) -> set[str]:
    """The ``?name`` values of a SPARQL JSON result (the :data:`NAMES` query)."""
    data = json.loads(body)
    return {b["name"]["value"] for b in data["results"]["bindings"]}
