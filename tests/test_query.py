"""`query` and `serve`: results as table/CSV/JSON from the embedded store and an endpoint."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ld_publish.cli_store import load_command, query_command, serve_command
from ld_publish.loaders.embedded import EmbeddedLoader
from tests.stores import OxigraphServer, free_port, stop, synthetic_graph

TITLE = 'Quote " comma , newline\nend 😀'
SELECT = ("SELECT ?g ?title WHERE { GRAPH ?g { ?w <http://schema.org/name> ?title } } "
          "ORDER BY ?g")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def loaded_store(tmp_path: Path) -> Path:
    nq = tmp_path / "data.nq"
    nq.write_bytes(synthetic_graph(1, title=TITLE).nquads() + synthetic_graph(2).nquads())
    store = tmp_path / "store"
    result = CliRunner().invoke(load_command, [str(nq), "--store", str(store), "-q"])
    assert result.exit_code == 0, result.stderr
    assert "read 2 = loaded 2" in result.stderr
    return store


def run_query(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(query_command, list(args), input=stdin)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_csv_keeps_awkward_values(loaded_store: Path) -> None:
    out = run_query(SELECT, "--store", str(loaded_store), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["g", "title"]
    assert [r[1] for r in rows[1:]] == [TITLE, "Work 2"]


def test_json_is_sparql_results(loaded_store: Path) -> None:
    doc = json.loads(run_query(SELECT, "--store", str(loaded_store), "--format", "json"))
    assert doc["head"]["vars"] == ["g", "title"]
    assert [b["title"]["value"] for b in doc["results"]["bindings"]] == [TITLE, "Work 2"]


def test_table_escapes_control_characters(loaded_store: Path) -> None:
    out = run_query(SELECT, "--store", str(loaded_store))
    assert "newline\\nend 😀" in out and "2 row(s)" in out


def test_query_from_stdin_and_file(loaded_store: Path, tmp_path: Path) -> None:
    ask = "ASK { GRAPH ?g { ?s ?p ?o } }"
    assert run_query("--store", str(loaded_store), stdin=ask) == "true\n"
    qfile = tmp_path / "q.rq"
    qfile.write_text(ask)
    assert run_query("--file", str(qfile), "--store", str(loaded_store)) == "true\n"


def test_bad_query_is_a_usage_error(loaded_store: Path) -> None:
    result = CliRunner().invoke(query_command, ["SELEKT nothing", "--store", str(loaded_store)])
    assert result.exit_code == 2 and "not valid SPARQL" in result.stderr


@pytest.mark.store
def test_endpoint_query_matches_embedded(loaded_store: Path, oxigraph_server: OxigraphServer,
                                         tmp_path: Path) -> None:
    nq = tmp_path / "data.nq"
    nq.write_bytes(synthetic_graph(1, title=TITLE).nquads() + synthetic_graph(2).nquads())
    result = CliRunner().invoke(load_command, [str(nq), "--endpoint", oxigraph_server.base,
                                               "--store-type", "oxigraph-server", "-q"])
    assert result.exit_code == 0, result.stderr
    query = SELECT.replace("GRAPH ?g {", "GRAPH ?g { FILTER(STRSTARTS(STR(?g), "
                           "'https://example.org/graph/'))")
    remote = run_query(query, "--endpoint", oxigraph_server.base, "--store-type",
                       "oxigraph-server", "--format", "csv")
    local = run_query(query, "--store", str(loaded_store), "--format", "csv")
    assert remote == local


@pytest.mark.store
def test_serve_exposes_the_store_on_loopback(loaded_store: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ld_publish.cli_store", "serve", "--store",
                             str(loaded_store), "--port", str(port)], cwd=REPO,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                r = httpx.post(f"http://127.0.0.1:{port}/query",
                               data={"query": "ASK { GRAPH ?g { ?s ?p ?o } }"},
                               headers={"Accept": "application/sparql-results+json"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.json()["boolean"] is True
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            stop(proc)  # type: ignore[arg-type]


def test_serve_refuses_a_store_another_process_holds(loaded_store: Path) -> None:
    holder = EmbeddedLoader(loaded_store)
    try:
        result = CliRunner().invoke(serve_command, ["--store", str(loaded_store)])
        assert result.exit_code == 3 and "lock" in result.stderr
    finally:
        holder.close()


# --- the CLI conventions of issue 12 --------------------------------------------------------------

def test_default_graph_is_the_union_of_record_graphs_without_bookkeeping(
        loaded_store: Path) -> None:
    # The plain query people write, with no GRAPH clause.
    out = run_query("SELECT ?t WHERE { ?w <http://schema.org/name> ?t } ORDER BY ?t",
                    "--store", str(loaded_store), "--format", "csv")
    assert list(csv.reader(io.StringIO(out)))[1:] == [[TITLE], ["Work 2"]]
    hashes = run_query("SELECT ?g WHERE { ?g <urn:ld-publish:contentHash> ?h }",
                       "--store", str(loaded_store), "--format", "csv")
    assert hashes.strip() == "g"
    # The bookkeeping graph is still there for whoever names it.
    named = run_query("SELECT ?g WHERE { GRAPH <urn:ld-publish:meta> { ?g ?p ?h } }",
                      "--store", str(loaded_store), "--format", "csv")
    assert len(named.strip().splitlines()) == 3


@pytest.mark.parametrize("fmt,parse_as", [("turtle", "TURTLE"), ("table", "TURTLE"),
                                          ("ntriples", "N_TRIPLES"), ("jsonld", "JSON_LD")])
def test_construct_honours_format(loaded_store: Path, fmt: str, parse_as: str) -> None:
    import pyoxigraph as ox
    out = run_query("CONSTRUCT { ?w <http://schema.org/name> ?t } WHERE "
                    "{ ?w <http://schema.org/name> ?t }", "--store", str(loaded_store),
                    "--format", fmt)
    triples = list(ox.parse(out.encode(), format=getattr(ox.RdfFormat, parse_as)))
    assert sorted(t.object.value for t in triples) == sorted([TITLE, "Work 2"])


def test_formats_that_do_not_fit_the_query_are_usage_errors(loaded_store: Path) -> None:
    construct = CliRunner().invoke(query_command, [
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--store", str(loaded_store),
        "--format", "csv"])
    assert construct.exit_code == 2 and "--format turtle" in construct.stderr
    select = CliRunner().invoke(query_command, [SELECT, "--store", str(loaded_store),
                                                "--format", "turtle"])
    assert select.exit_code == 2 and "--format table, csv, tsv or json" in select.stderr


def test_tsv_uses_sparql_term_syntax(loaded_store: Path) -> None:
    out = run_query(SELECT, "--store", str(loaded_store), "--format", "tsv")
    header, *rows = out.splitlines()
    assert header == "?g\t?title"
    assert rows[1].endswith('\t"Work 2"') and rows[1].startswith("<")


def test_quiet_and_no_short_f(loaded_store: Path) -> None:
    said = CliRunner().invoke(query_command, [SELECT, "--store", str(loaded_store)])
    assert "2 solution(s)" in said.stderr
    quiet = CliRunner().invoke(query_command, [SELECT, "--store", str(loaded_store), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    # -f means --from everywhere else; here it is not an option at all.
    wrong = CliRunner().invoke(query_command, ["-f", "q.rq", "--store", str(loaded_store)])
    assert wrong.exit_code == 2 and "No such option '-f'" in wrong.stderr
