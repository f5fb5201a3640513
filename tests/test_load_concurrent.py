"""Two ``ld-publish load`` runs at once into one Oxigraph server leave every record graph exactly
as exported: with no blank nodes, loading a graph twice, in any interleaving, is the same graph
(the duplicated author lists that blank nodes made are impossible)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ld_publish.query import parse_json_results
from tests.stores import OxigraphServer

from .paths import FIXTURES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import synthetic_record

pytestmark = pytest.mark.store
REPO = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    return subprocess.Popen([sys.executable, "-m", "ld_publish", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _graphs(dataset: Path) -> dict[str, set[str]]:
    graphs: dict[str, set[str]] = {}
    for quad in ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS):
        assert not isinstance(quad.subject, ox.BlankNode)
        assert not isinstance(quad.object, ox.BlankNode)
        graphs.setdefault(quad.graph_name.value, set()).add(str(quad.triple))
    return graphs


def _stored(server: OxigraphServer, name: str) -> set[str]:
    r = httpx.post(server.query_url, timeout=60,
                   data={"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"},
                   headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    answer = parse_json_results(r.content)
    assert answer.solutions is not None
    return {str(ox.Triple(row["s"], row["p"], row["o"]))  # type: ignore[arg-type]
            for row in answer.solutions.rows}


def test_two_concurrent_loads_leave_every_graph_equal_to_the_export(
        oxigraph_server: OxigraphServer, tmp_path: Path) -> None:
    rng = random.Random(8)
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(synthetic_record(n, rng)) + "\n" for n in range(300)),
                       "utf-8")
    out = tmp_path / "out"
    done = _cli("export", str(records), str(FIXTURES / "page" / "seed.txt"), "-o", str(out),
                "-q", "-t", "turtle")
    assert done.wait(timeout=300) == 0, done.communicate()
    expected = _graphs(out / "dataset.nq")
    assert len(expected) == 301

    # --force: both runs write every graph (none skips one the other has just recorded).
    runs = [_cli("load", str(out), "--endpoint", oxigraph_server.base, "--store-type",
                 "oxigraph-server", "--batch-size", "16", "--force",
                 "--quarantine", str(tmp_path / f"quarantine{n}")) for n in range(2)]
    for run in runs:
        _stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr
    for name, triples in expected.items():
        assert _stored(oxigraph_server, name) == triples, name
