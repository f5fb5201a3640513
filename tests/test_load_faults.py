"""Faults between the loader and an Oxigraph server, injected by tests/faultproxy.py."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ld_publish.cli_store import load_command
from ld_publish.errors import StoreAuthError, StoreError
from ld_publish.graph import RecordGraph
from ld_publish.loaders import HASH_PREDICATE, META_GRAPH, LoaderOptions, load_graphs, loaders
from ld_publish.query import parse_json_results
from ld_publish.sparql_escape import sparql_term
from tests.faultproxy import PASS, RESET_AFTER, RESET_BEFORE, FaultProxy, Slow, Status
from tests.stores import EX, OxigraphServer, synthetic_graph

pytestmark = pytest.mark.store
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def proxy_upstream(oxigraph_server: OxigraphServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(oxigraph_server.base).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def proxy(proxy_upstream: FaultProxy) -> Iterator[FaultProxy]:
    proxy_upstream.reset()
    yield proxy_upstream
    proxy_upstream.reset()


_counter = iter(range(10**6))


def batch_of(n: int, marker_at: int | None = None) -> list[RecordGraph]:
    run = next(_counter)
    out = []
    for i in range(n):
        g = synthetic_graph(i, marker=" POISON-MARKER" if i == marker_at else "")
        out.append(RecordGraph.build(g.key, f"{EX}faults/{run}/{os.getpid()}/{i}", g.root,
                                     g.triples))
    return out


def loader_via(proxy: FaultProxy, **kw: object):  # type: ignore[no-untyped-def]
    options = LoaderOptions(endpoint=proxy.base, store_type="oxigraph-server", retries=3,
                            backoff=0.01, timeout=5)
    for k, v in kw.items():
        setattr(options, k, v)
    return loaders.get("sparql")(options)


def upstream_rows(server: OxigraphServer, query: str) -> list[dict[str, ox.NamedNode]]:
    r = httpx.post(server.query_url, data={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    answer = parse_json_results(r.content)
    assert answer.solutions is not None
    return answer.solutions.rows  # type: ignore[return-value]


def stored_triples(server: OxigraphServer, name: str) -> set[str]:
    rows = upstream_rows(server, f"SELECT ?s ?p ?o {{ GRAPH {sparql_term(name)} {{ ?s ?p ?o }} }}")
    return {str(ox.Triple(r["s"], r["p"], r["o"])) for r in rows}


def hash_count(server: OxigraphServer, name: str) -> int:
    rows = upstream_rows(server, f"SELECT ?h {{ GRAPH {sparql_term(META_GRAPH)} "
                                 f"{{ {sparql_term(name)} {sparql_term(HASH_PREDICATE)} ?h }} }}")
    return len(rows)


def assert_loaded(server: OxigraphServer, graphs: list[RecordGraph]) -> None:
    for g in graphs:
        assert stored_triples(server, g.name) == {str(t) for t in g.triples}, g.name
        assert hash_count(server, g.name) == 1, g.name


def test_503_with_retry_after_is_retried(proxy: FaultProxy,
                                         oxigraph_server: OxigraphServer) -> None:
    busy = Status(503, (("Retry-After", "1"),), b"busy")
    proxy.script = [busy, busy]
    graphs = batch_of(5)
    loader = loader_via(proxy)
    start = time.monotonic()
    report = load_graphs(graphs, loader)
    assert time.monotonic() - start >= 2.0  # waited as told, twice
    assert report.loaded == 5 and loader.http.retried == 2
    assert_loaded(oxigraph_server, graphs)


def test_500_everywhere_fails_after_bounded_retries(proxy: FaultProxy,
                                                    oxigraph_server: OxigraphServer,
                                                    tmp_path: Path) -> None:
    graphs = batch_of(3)
    nq = tmp_path / "data.nq"
    nq.write_bytes(b"".join(g.nquads() for g in graphs))
    proxy.rule = lambda method, path, body: (
        Status(500, (), b"internal trouble") if path.startswith("/update") else None)
    result = CliRunner().invoke(load_command, [str(nq), "--endpoint", proxy.base,
                                               "--store-type", "oxigraph-server",
                                               "--retries", "2",
                                               "--quarantine", str(tmp_path / "q")])
    assert result.exit_code == 3, result.output
    assert "answered 500" in result.stderr and "after 3 attempts" in result.stderr
    # The batch's three attempts, then three of an update with no records: that fails too, so
    # the store is failing and no record is blamed (no split, no quarantine).
    assert [entry[1] for entry in proxy.log].count("/update") == 6
    assert "the store is failing, not a record" in result.stderr
    assert "splitting" not in result.stderr and "quarantined" not in result.stderr
    for g in graphs:  # nothing half-written
        assert stored_triples(oxigraph_server, g.name) == set()


def test_reset_after_apply_is_retried_without_duplicates(proxy: FaultProxy,
                                                         oxigraph_server: OxigraphServer
                                                         ) -> None:
    graphs = batch_of(4)
    seen: list[str] = []

    def once_each(method: str, path: str, body: bytes) -> str | None:
        if path.startswith("/update") and path not in seen:
            seen.append(path)
            return RESET_AFTER
        return None

    proxy.rule = once_each
    loader = loader_via(proxy)
    report = load_graphs(graphs, loader)
    assert report.loaded == 4 and loader.http.retried >= 1
    assert_loaded(oxigraph_server, graphs)


def test_reset_mid_body_is_retried(proxy: FaultProxy, oxigraph_server: OxigraphServer) -> None:
    graphs = batch_of(4)
    proxy.script = [PASS, RESET_BEFORE]  # the hash lookup passes, the update is cut
    loader = loader_via(proxy)
    report = load_graphs(graphs, loader)
    assert report.loaded == 4 and loader.http.retried == 1
    assert_loaded(oxigraph_server, graphs)


def test_slow_response_times_out_and_is_reported(proxy: FaultProxy) -> None:
    proxy.rule = lambda method, path, body: Slow(2.5) if path.startswith("/update") else None
    loader = loader_via(proxy, timeout=0.5, retries=1)
    with pytest.raises(StoreError, match=r"timed out after 0.5s after 2 attempts"):
        load_graphs(batch_of(2), loader)


def test_poison_record_is_isolated_by_bisection(proxy: FaultProxy,
                                                oxigraph_server: OxigraphServer) -> None:
    graphs = batch_of(64, marker_at=37)
    proxy.rule = lambda method, path, body: (
        Status(400, (), b"Parser error: poison") if b"POISON-MARKER" in body else None)
    quarantined: list[tuple[RecordGraph, str]] = []
    report = load_graphs(graphs, loader_via(proxy), batch_graphs=64,
                         quarantine=lambda g, why: quarantined.append((g, why)))
    assert [g.name for g, _ in quarantined] == [graphs[37].name]
    assert "poison" in quarantined[0][1]
    assert (report.read, report.loaded, report.quarantined) == (64, 63, 1) and report.balanced
    assert_loaded(oxigraph_server, graphs[:37] + graphs[38:])
    assert stored_triples(oxigraph_server, graphs[37].name) == set()


def test_killed_load_resumes_to_the_clean_result(proxy: FaultProxy,
                                                 oxigraph_server: OxigraphServer,
                                                 tmp_path: Path) -> None:
    graphs = batch_of(40)
    nq = tmp_path / "data.nq"
    nq.write_bytes(b"".join(g.nquads() for g in graphs))
    journal = tmp_path / "load.journal"
    args = [sys.executable, "-m", "ld_publish.cli_store", "load", str(nq), "--endpoint",
            proxy.base, "--store-type", "oxigraph-server", "--batch-size", "4",
            "--journal", str(journal), "-q"]
    proxy.rule = lambda method, path, body: Slow(0.3) if path.startswith("/update") else None
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = journal.read_text().splitlines() if journal.exists() else []
        if len(lines) >= 1 + 3 * 4:  # header + three batches
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    done = len(journal.read_text().splitlines()) - 1
    assert 12 <= done < 40, "the kill should land half-way"
    proxy.reset()
    rerun = subprocess.run(args[:-1], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert "resuming" in rerun.stderr
    counts = re.search(r"read (\d+) = loaded (\d+) \+ unchanged (\d+) \+ quarantined (\d+)",
                       rerun.stderr)
    assert counts is not None, rerun.stderr
    read, loaded, unchanged, quarantined = map(int, counts.groups())
    # A batch in flight at the kill may have landed without its journal line: the store's
    # hashes then count it unchanged. Nothing is loaded twice, nothing is missed.
    assert (read, quarantined) == (40, 0) and loaded + unchanged == 40
    assert done <= unchanged < 40
    assert_loaded(oxigraph_server, graphs)


def test_401_fails_fast_and_never_shows_the_password(proxy: FaultProxy, tmp_path: Path) -> None:
    secret = "s3cret-Pa55word-xyz"
    nq = tmp_path / "data.nq"
    nq.write_bytes(b"".join(g.nquads() for g in batch_of(2)))
    proxy.rule = lambda method, path, body: Status(
        401, (("WWW-Authenticate", 'Basic realm="store"'),), f"bad password {secret}".encode())
    result = CliRunner().invoke(
        load_command, [str(nq), "--endpoint", proxy.base, "--store-type", "oxigraph-server",
                       "--user", "alice", "--retries", "5"],
        env={"LD_PUBLISH_PASSWORD": secret})
    assert result.exit_code == 3
    assert "401" in result.stderr
    assert len(proxy.log) == 1  # not retried
    assert secret not in result.output + result.stderr + str(result.exception)
    loader = loader_via(proxy, user="alice", password=secret)
    with pytest.raises(StoreAuthError) as info:
        load_graphs(batch_of(1), loader)
    assert secret not in str(info.value) and secret not in repr(info.value)


def test_query_with_retries_0_says_why_it_was_not_retried(proxy: FaultProxy) -> None:
    from ld_publish.cli_store import query_command
    proxy.rule = lambda method, path, body: Status(500, (), b"internal trouble")
    result = CliRunner().invoke(query_command, ["ASK {}", "--endpoint", proxy.base,
                                                "--store-type", "oxigraph-server",
                                                "--retries", "0"])
    assert result.exit_code == 3, result.output
    assert len(proxy.log) == 1
    # A query is idempotent; it was not retried because the user asked for no retries.
    assert "not idempotent" not in result.stderr
    assert "not retried: --retries 0" in result.stderr


def nquads_file(tmp_path: Path, graphs: list[RecordGraph]) -> Path:
    nq = tmp_path / "data.nq"
    nq.write_bytes(b"".join(g.nquads() for g in graphs))
    return nq


def journal_entries(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_record_failing_with_500_every_time_is_isolated_by_bisection(
        proxy: FaultProxy, oxigraph_server: OxigraphServer, tmp_path: Path) -> None:
    """A store that answers 500 to any request holding one record (a server bug on that
    content) still takes the others: the batch is split once its retries are spent, the record
    is quarantined, and the journal says what happened to each record."""
    graphs = batch_of(16, marker_at=5)
    nq = nquads_file(tmp_path, graphs)
    proxy.rule = lambda method, path, body: (
        Status(500, (), b"java.lang.NullPointerException") if b"POISON-MARKER" in body
        else None)
    journal, quarantine = tmp_path / "load.journal", tmp_path / "quarantine"
    result = CliRunner().invoke(load_command, [
        str(nq), "--endpoint", proxy.base, "--store-type", "oxigraph-server", "--retries", "1",
        "--batch-size", "16", "--journal", str(journal), "--quarantine", str(quarantine)])
    assert result.exit_code == 0, result.output
    assert "read 16 = loaded 15 + unchanged 0 + quarantined 1" in result.stderr
    assert f"quarantined {nq} graph <{graphs[5].name}>" in result.stderr
    assert "answered 500" in result.stderr
    assert "Traceback" not in result.output
    # Split 16 -> 8 -> 4 -> 2 -> 1, each split said on stderr.
    assert result.stderr.count("splitting a batch of") == 4, result.stderr
    entries = journal_entries(journal)
    states = {e["g"]: e["s"] for e in entries if "g" in e}
    assert states == {g.name: "quarantined" if i == 5 else "loaded"
                      for i, g in enumerate(graphs)}
    assert "finished" in entries[-1]
    assert len(list(quarantine.glob("*.json"))) == 1
    assert_loaded(oxigraph_server, graphs[:5] + graphs[6:])
    assert stored_triples(oxigraph_server, graphs[5].name) == set()


def test_store_failing_mid_bisection_keeps_what_was_done_in_the_journal(
        proxy: FaultProxy, oxigraph_server: OxigraphServer, tmp_path: Path) -> None:
    """The store takes record 0 alone, then fails everything: the run stops with exit 3 and no
    record is blamed, but the journal keeps record 0, and the rerun resumes from it."""
    from ld_publish.load import load

    graphs = batch_of(8, marker_at=1)
    nq = nquads_file(tmp_path, graphs)
    down = threading.Event()
    first = graphs[0].name.encode()

    def rule(method: str, path: str, body: bytes) -> Status | None:
        if not path.startswith("/update"):
            return None
        if down.is_set() or b"POISON-MARKER" in body:
            return Status(500, (), b"internal trouble")
        if first in body and graphs[2].name.encode() not in body:
            down.set()  # record 0 alone goes through; the store dies after it
        return None

    proxy.rule = rule
    options = LoaderOptions(endpoint=proxy.base, store_type="oxigraph-server", retries=1,
                            backoff=0.01, timeout=5)
    journal, quarantine = tmp_path / "load.journal", tmp_path / "quarantine"
    with pytest.raises(StoreError, match="answered 500") as info:
        load([str(nq)], options, journal_path=journal, quarantine_dir=quarantine,
             batch_size=8)
    assert "no records" in (info.value.hint or "")
    assert not quarantine.exists()
    states = {e["g"]: e["s"] for e in journal_entries(journal) if "g" in e}
    assert states == {graphs[0].name: "loaded"}
    assert_loaded(oxigraph_server, graphs[:1])

    proxy.reset()
    proxy.rule = lambda method, path, body: (
        Status(500, (), b"internal trouble") if b"POISON-MARKER" in body else None)
    report = load([str(nq)], options, journal_path=journal, quarantine_dir=quarantine,
                  batch_size=8)
    assert (report.resumed, report.loaded, report.quarantined) == (1, 6, 1)
    assert_loaded(oxigraph_server, graphs[:1] + graphs[2:])


def test_split_after_413_is_said_on_stderr(proxy: FaultProxy, oxigraph_server: OxigraphServer,
                                           tmp_path: Path) -> None:
    graphs = batch_of(16)
    nq = nquads_file(tmp_path, graphs)
    too_large = Status(413, (), b"Request Entity Too Large")
    # More than four record graphs in one update is too large for this "server".
    proxy.rule = lambda method, path, body: (
        too_large if path.startswith("/update") and body.count(b"DROP SILENT GRAPH") > 4
        else None)
    result = CliRunner().invoke(load_command, [
        str(nq), "--endpoint", proxy.base, "--store-type", "oxigraph-server",
        "--batch-size", "16", "--quarantine", str(tmp_path / "q")])
    assert result.exit_code == 0, result.output
    assert "read 16 = loaded 16" in result.stderr
    splits = [line for line in result.stderr.splitlines() if "splitting a batch of" in line]
    assert len(splits) == 3, result.stderr  # 16 -> 8 + 8 -> 4 + 4 + 4 + 4
    assert all("413" in line for line in splits)
    assert_loaded(oxigraph_server, graphs)
