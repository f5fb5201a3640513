"""A failed replace must leave the old graph intact - proved on each real store, and the
reason Virtuoso is loaded by Graph Store PUT rather than by DROP+INSERT updates."""

from __future__ import annotations

import uuid

import httpx
import pyoxigraph as ox
import pytest

from ld_publish.graph import RecordGraph
from ld_publish.loaders import LoaderOptions, load_graphs, loaders
from ld_publish.loaders.base import replace_update
from ld_publish.query import parse_json_results
from ld_publish.sparql_escape import sparql_term
from tests.faultproxy import FaultProxy, Rewrite
from tests.stores import EX, OxigraphServer, VirtuosoServer, synthetic_graph

pytestmark = pytest.mark.store
DBA = httpx.DigestAuth("dba", "dba")
# A runtime failure after the DROP and INSERT have run: the request parses, then fails.
FAILING_TAIL = " ;\nLOAD <http://127.0.0.1:1/nothing.nt> INTO GRAPH <urn:ld-publish:nowhere>"
MALFORMED_NT = (b'<http://a> <http://b> "fine" .\n' * 500
                + b'<http://a> <http://b> "unterminated .\n')


def old_and_new(tag: str) -> tuple[str, set[str], bytes]:
    name = f"{EX}atomic/{tag}/{uuid.uuid4().hex[:8]}"
    old = synthetic_graph(1, title="old")
    return name, {str(t) for t in old.triples}, old.ntriples()


def count_graph(query_url: str, name: str, auth: httpx.Auth | None = None) -> set[str]:
    r = httpx.post(query_url, data={"query": f"SELECT ?s ?p ?o {{ GRAPH {sparql_term(name)} "
                                             "{ ?s ?p ?o } }"},
                   headers={"Accept": "application/sparql-results+json"}, auth=auth)
    r.raise_for_status()
    answer = parse_json_results(r.content)
    assert answer.solutions is not None
    return {str(ox.Triple(row["s"], row["p"], row["o"]))  # type: ignore[arg-type]
            for row in answer.solutions.rows}


def replacement(name: str) -> str:
    new = synthetic_graph(1, title="new")
    return replace_update([RecordGraph.build("k", name, new.root, new.triples)])


def test_embedded_update_is_atomic(tmp_path: object) -> None:
    store = ox.Store()
    name, old, body = old_and_new("embedded")
    store.load(body, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    with pytest.raises(OSError):
        store.update(replacement(name) + FAILING_TAIL)
    got = {str(q.triple) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))}
    assert got == old


def test_oxigraph_server_update_is_atomic(oxigraph_server: OxigraphServer) -> None:
    name, old, body = old_and_new("oxigraph")
    httpx.put(oxigraph_server.gsp_url, params={"graph": name}, content=body,
              headers={"Content-Type": "application/n-triples"}).raise_for_status()
    r = httpx.post(oxigraph_server.update_url, content=(replacement(name) + FAILING_TAIL).encode(),
                   headers={"Content-Type": "application/sparql-update"})
    assert r.status_code >= 400
    assert count_graph(oxigraph_server.query_url, name) == old


def test_oxigraph_server_malformed_put_keeps_old_graph(oxigraph_server: OxigraphServer) -> None:
    name, old, body = old_and_new("oxigraph-put")
    httpx.put(oxigraph_server.gsp_url, params={"graph": name}, content=body,
              headers={"Content-Type": "application/n-triples"}).raise_for_status()
    r = httpx.put(oxigraph_server.gsp_url, params={"graph": name}, content=MALFORMED_NT,
                  headers={"Content-Type": "application/n-triples"})
    assert r.status_code == 400
    assert count_graph(oxigraph_server.query_url, name) == old


def test_virtuoso_update_is_not_atomic(virtuoso_server: VirtuosoServer) -> None:
    """Virtuoso commits each operation of one Update request: the DROP and INSERT stick even
    though the request failed. So a DROP+INSERT replace is not safe there."""
    name, old, body = old_and_new("virtuoso-update")
    base = virtuoso_server.base
    httpx.put(f"{base}/sparql-graph-crud-auth", params={"graph-uri": name}, content=body,
              headers={"Content-Type": "application/n-triples"}, auth=DBA).raise_for_status()
    r = httpx.post(f"{base}/sparql-auth", data={"update": replacement(name) + FAILING_TAIL},
                   auth=DBA)
    assert r.status_code >= 400
    after = count_graph(f"{base}/sparql-auth", name, DBA)
    assert after != old  # the old graph is gone although the request failed


def test_virtuoso_malformed_put_is_not_atomic(virtuoso_server: VirtuosoServer) -> None:
    """Virtuoso's Graph Store PUT stores what it parsed before the break: a body rejected
    half-way replaces the graph with its first half. Hence the staging graph."""
    name, _old, body = old_and_new("virtuoso-put")
    base = virtuoso_server.base
    url = f"{base}/sparql-graph-crud-auth"
    httpx.put(url, params={"graph-uri": name}, content=body,
              headers={"Content-Type": "application/n-triples"}, auth=DBA).raise_for_status()
    r = httpx.put(url, params={"graph-uri": name}, content=MALFORMED_NT,
                  headers={"Content-Type": "application/n-triples"}, auth=DBA)
    assert r.status_code >= 400
    assert count_graph(f"{base}/sparql-auth", name, DBA) == {'<http://a> <http://b> "fine"'}


def break_half_way(body: bytes) -> bytes:
    lines = body.split(b"\n")
    middle = len(lines) // 2
    return b"\n".join([*lines[:middle], b'<http://a> <http://b> "broken .', *lines[middle:]])


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_loader_replace_broken_half_way_keeps_old_graph(kind: str,
                                                        request: pytest.FixtureRequest) -> None:
    """Through each server's loader strategy: the new content's request breaks half-way; the
    record is quarantined and its old graph is still there, whole."""
    server = request.getfixturevalue(f"{kind}_server")
    proxy = FaultProxy(server.base).start()
    try:
        common = {"retries": 0, "backoff": 0.01}
        if kind == "virtuoso":
            options = LoaderOptions(endpoint=proxy.base, store_type="virtuoso", user="dba",
                                    password="dba", **common)  # type: ignore[arg-type]
            query_url, auth = f"{server.base}/sparql-auth", DBA
        else:
            options = LoaderOptions(endpoint=proxy.base, store_type="oxigraph-server",
                                    **common)  # type: ignore[arg-type]
            query_url, auth = server.query_url, None
        loader = loaders.get("sparql")(options)
        name = f"{EX}atomic/loader-{kind}/{uuid.uuid4().hex[:8]}"
        base = synthetic_graph(1, title="old", extra=40)
        old = RecordGraph.build("k", name, base.root, base.triples)
        load_graphs([old], loader)
        newer = synthetic_graph(1, title="new", extra=60)
        new = RecordGraph.build("k", name, newer.root, newer.triples)
        proxy.rule = lambda method, path, body: (
            Rewrite(break_half_way) if b'"new"' in body else None)
        quarantined: list[str] = []
        report = load_graphs([new], loader, quarantine=lambda g, why: quarantined.append(why))
        assert report.quarantined == 1 and quarantined
        assert count_graph(query_url, name, auth) == {str(t) for t in old.triples}
        loader.close()
    finally:
        proxy.stop()


def test_virtuoso_wrong_password_fails_fast_and_quietly(virtuoso_server: VirtuosoServer,
                                                         tmp_path: object) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from ld_publish.cli_store import load_command
    secret = "not-the-dba-password-42"
    nq = Path(str(tmp_path)) / "d.nq"
    nq.write_bytes(synthetic_graph(1).nquads())
    pw = Path(str(tmp_path)) / "pw"
    pw.write_text(secret + "\n")
    result = CliRunner().invoke(load_command, [
        str(nq), "--endpoint", virtuoso_server.base, "--store-type", "virtuoso",
        "--user", "dba", "--password-file", str(pw)])
    assert result.exit_code == 3, result.output
    assert "401" in result.stderr
    assert secret not in result.output + result.stderr + str(result.exception)
