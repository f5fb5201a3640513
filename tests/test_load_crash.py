"""Crash consistency of ``ld-publish load``: SIGKILL at random points, many times, into the
embedded store and into an Oxigraph server.

The export's graphs (``new``) and a changed version of each (``old``: its string literals
marked, one triple more) take turns as the target of a cycle: a few runs of ``load`` are killed
at random times, then one run is let finish. After every kill the store must hold each graph
exactly as one of the two versions, never a half-replaced one, with one content hash that is
the hash of what the graph holds (else a rerun would skip a graph it should replace); with
``--journal``, every graph the journal says it loaded must be in the store as loaded. After
every finished run the store holds exactly the target's graphs. Cycles alternate between runs
with and without ``--journal``, batch sizes are drawn at random, and the last cycle's target is
the export itself.

The quick variant runs in the normal suite (about 10 s per store); ``pytest -m slow`` runs the
long one. ``LD_PUBLISH_CRASH_SEED`` replays a run's random choices (the seed is in every
failure message).
"""

from __future__ import annotations

import gc
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ld_publish.graph import RecordGraph
from ld_publish.loaders import HASH_PREDICATE, META_GRAPH
from ld_publish.query import parse_json_results
from ld_publish.sparql_escape import sparql_term
from tests.stores import OxigraphServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import synthetic_record

pytestmark = pytest.mark.store
REPO = Path(__file__).resolve().parents[1]
RECORDS = 60
Terms = tuple[str, str, str]
Content = frozenset[Terms]


def content_hash(content: Content) -> str:
    return f"sha256:{RecordGraph.from_terms('k', 'g', 'g', content).content_hash}"


@dataclass(frozen=True)
class Version:
    label: str
    path: Path
    graphs: dict[str, Content]
    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, label: str, path: Path, graphs: dict[str, Content]) -> Version:
        return cls(label, path, graphs, {g: content_hash(c) for g, c in graphs.items()})


def read_nquads(path: Path) -> dict[str, Content]:
    graphs: dict[str, set[Terms]] = {}
    for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        assert isinstance(q.graph_name, ox.NamedNode)
        graphs.setdefault(q.graph_name.value, set()).add(
            (str(q.subject), str(q.predicate), str(q.object)))
    return {g: frozenset(c) for g, c in graphs.items()}


def older(content: Content, name: str) -> Content:
    """The same graph before an edit: string literals marked, and one triple more."""
    changed = {(s, p, o[:-1] + ' (old)"' if o.endswith('"') else o) for s, p, o in content}
    changed.add((f"<{name}>", "<urn:test:crash:version>", '"old"'))
    return frozenset(changed)


def cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "ld_publish", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Version, Version]:
    folder = tmp_path_factory.mktemp("crash")
    rng = random.Random(5)
    records = folder / "records.jsonl"
    records.write_text("".join(json.dumps(synthetic_record(n, rng, "compact")) + "\n"
                               for n in range(RECORDS)), "utf-8")
    # A base of its own: the Oxigraph server is shared with the other store tests.
    base = f"https://crash-{uuid.uuid4().hex[:8]}.example/"
    export = cli("export", str(records), "-o", str(folder / "out"), "-t", "nquads",
                 "--base", base, "-q")
    _out, err = export.communicate(timeout=300)
    assert export.returncode == 0, err
    new = Version.of("new", folder / "out" / "dataset.nq", read_nquads(folder / "out" /
                                                                       "dataset.nq"))
    assert len(new.graphs) == RECORDS
    old_graphs = {name: older(content, name) for name, content in new.graphs.items()}
    lines = [f"{s} {p} {o} <{name}> .\n" for name, content in old_graphs.items()
             for s, p, o in sorted(content)]
    (folder / "old.nq").write_text("".join(lines), "utf-8")
    old = Version.of("old", folder / "old.nq", old_graphs)
    assert read_nquads(old.path) == old.graphs
    return new, old


@dataclass
class Snapshot:
    graphs: dict[str, Content]
    hashes: dict[str, list[str]]
    other: set[str]


@dataclass
class Target:
    """A store as the CLI is pointed at it, and a way to look at everything in it at once."""

    name: str
    args: list[str]
    snapshot: Callable[[list[str]], Snapshot]


def embedded_target(path: Path) -> Target:
    def snapshot(names: list[str]) -> Snapshot:
        # The killed process is gone, and its lock with it: the store opens.
        store = ox.Store(str(path))
        try:
            quads = list(store.quads_for_pattern(None, None, None, None))
        finally:
            del store
            gc.collect()
        return split_quads((q.graph_name.value, str(q.subject), str(q.predicate), str(q.object))
                           for q in quads if isinstance(q.graph_name, ox.NamedNode))
    return Target("embedded", ["--store", str(path)], snapshot)


def server_target(server: OxigraphServer) -> Target:
    def snapshot(names: list[str]) -> Snapshot:
        # One query is one snapshot of the store: graphs and hashes from the same instant.
        values = " ".join(sparql_term(n) for n in [*names, META_GRAPH])
        query = f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        r = httpx.post(server.query_url, data={"query": query}, timeout=60,
                       headers={"Accept": "application/sparql-results+json"})
        r.raise_for_status()
        answer = parse_json_results(r.content)
        assert answer.solutions is not None
        wanted = set(names)
        return split_quads(
            (row["g"].value, str(row["s"]), str(row["p"]), str(row["o"]))  # type: ignore[union-attr]
            for row in answer.solutions.rows
            if row["g"].value != META_GRAPH or row["s"].value in wanted)  # type: ignore[union-attr]
    return Target("oxigraph-server", ["--endpoint", server.base, "--store-type",
                                      "oxigraph-server"], snapshot)


def split_quads(quads: object) -> Snapshot:
    graphs: dict[str, set[Terms]] = {}
    hashes: dict[str, list[str]] = {}
    other: set[str] = set()
    pred = f"<{HASH_PREDICATE}>"
    for g, s, p, o in quads:  # type: ignore[attr-defined]
        if g == META_GRAPH:
            if p == pred:
                hashes.setdefault(s[1:-1], []).append(ox.Literal(o[1:-1]).value
                                                      if o.startswith('"') else o)
        elif g.startswith("urn:ld-publish:"):
            other.add(g)
        else:
            graphs.setdefault(g, set()).add((s, p, o))
    return Snapshot({g: frozenset(c) for g, c in graphs.items()}, hashes, other)


@dataclass
class Tally:
    kills: int = 0
    mid_load: int = 0  # kills that found the store part old, part new
    finished_first: int = 0  # kills that came after the run had finished
    rounds: int = 0
    runs: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.rounds} rounds, {self.kills} kills ({self.mid_load} mid-load, "
                f"{self.finished_first} after the run had finished)")


class Crasher:
    """Runs ``load`` into one store, killing most runs, and checks the store after each."""

    def __init__(self, target: Target, new: Version, old: Version, folder: Path,
                 seed: int) -> None:
        self.target, self.new, self.old = target, new, old
        self.names = sorted(new.graphs)
        self.folder = folder
        self.seed = seed
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.journal = folder / "load.journal"
        self.window = (0.5, 2.0)
        #: Which version each graph held at the last look.
        self.state: dict[str, str] = {}

    def where(self) -> str:
        return (f"[{self.target.name}, LD_PUBLISH_CRASH_SEED={self.seed}, {self.tally}; "
                f"last: {self.tally.runs[-1] if self.tally.runs else '-'}]")

    def start(self, version: Version, journal: bool, batch: int) -> subprocess.Popen[str]:
        args = ["load", str(version.path), *self.target.args, "--batch-size", str(batch),
                "--quarantine", str(self.folder / "quarantine"), "-q"]
        return cli(*args, "--journal", str(self.journal)) if journal else cli(*args)

    def finish(self, version: Version, journal: bool) -> float:
        """One run let finish; the store must then hold exactly ``version``."""
        batch = self.rng.choice([4, 16, 64])
        self.tally.runs.append(f"finish {version.label} journal={journal} batch={batch}")
        began = time.monotonic()
        run = self.start(version, journal, batch)
        _out, err = run.communicate(timeout=300)
        took = time.monotonic() - began
        assert run.returncode == 0, f"{self.where()} {err}"
        counts = re.search(r"read (\d+) = loaded (\d+) \+ unchanged (\d+) \+ quarantined 0", err)
        assert counts, f"{self.where()} {err}"
        read, loaded, unchanged = map(int, counts.groups())
        assert read == loaded + unchanged == RECORDS, f"{self.where()} {err}"
        self.check(version, exact=True)
        assert not (self.folder / "quarantine").exists(), self.where()
        return took

    def kill(self, version: Version) -> None:
        journal, batch = self.rng.random() < 0.5, self.rng.choice([1, 2, 4, 8, 16])
        delay = self.rng.uniform(*self.window)
        before = self.journal.read_text("utf-8") if self.journal.exists() else ""
        run = self.start(version, journal, batch)
        try:
            run.wait(timeout=delay)
            finished = True
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait(timeout=30)
            finished = False
        run.communicate()
        self.tally.kills += 1
        self.tally.finished_first += finished
        self.tally.runs.append(f"kill {version.label} journal={journal} batch={batch} after "
                               f"{delay:.2f}s{' (had finished)' if finished else ''}")
        assert not finished or run.returncode == 0, self.where()
        seen = self.check(version, exact=finished)
        if journal and self.journal.exists():
            self.check_journal(seen, before)

    def check(self, target: Version, *, exact: bool) -> Snapshot:
        seen = self.target.snapshot(self.names)
        where = self.where()
        assert not seen.other, f"{where} leftover graphs {seen.other}"
        assert set(seen.graphs) == set(self.names), f"{where} graphs missing or extra"
        state: dict[str, str] = {}
        for name in self.names:
            content = seen.graphs[name]
            versions = [v for v in (self.new, self.old) if v.graphs[name] == content]
            assert versions, (f"{where} {name} is half-replaced: {len(content)} triples, "
                              "neither version")
            assert seen.hashes.get(name) == [versions[0].hashes[name]], \
                f"{where} {name}: hashes {seen.hashes.get(name)} do not match its content"
            state[name] = versions[0].label
        to_do = [n for n in self.names if self.state.get(n) != target.label]
        done = [n for n in to_do if state[n] == target.label]
        if exact:
            assert len(done) == len(to_do), f"{where} not converged to {target.label}"
        elif 0 < len(done) < len(to_do):
            self.tally.mid_load += 1
        self.state = state
        return seen

    def check_journal(self, seen: Snapshot, before: str) -> None:
        """What the killed run wrote to the journal, it had done: each graph it says it loaded
        is in the store with that hash."""
        text = self.journal.read_text("utf-8")
        written = text[len(before):] if text.startswith(before) else text
        for line in written.splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # torn by the kill
            if entry.get("s") == "loaded":
                assert seen.hashes.get(entry["g"]) == [entry["h"]], \
                    f"{self.where()} the journal says {entry['g']} is loaded; the store not"

    def run(self, rounds: int, kills: int, min_mid_load: int) -> Tally:
        """``rounds`` times: ``kills`` killed runs, each towards a version drawn at random (so
        the store holds a mix of both), then one run that must converge to the export. Runs
        with and without the journal take turns at converging."""
        # Settle on the old version, and learn how long a run that loads everything takes.
        full = self.finish(self.old, journal=False)
        # Most kills then land after start-up, while graphs are being replaced.
        self.window = (0.45 * full, 1.0 * full)
        journal = self.rng.random() < 0.5
        done = 0
        while done < rounds or (self.tally.mid_load < min_mid_load and done < 3 * rounds):
            for _ in range(kills):
                self.kill(self.rng.choice([self.new, self.old]))
            self.finish(self.new, journal)
            journal = not journal
            done += 1
            self.tally.rounds += 1
        return self.tally


def seed() -> int:
    return int(os.environ.get("LD_PUBLISH_CRASH_SEED") or random.randrange(2**32))


def target_for(kind: str, request: pytest.FixtureRequest, folder: Path) -> Target:
    if kind == "embedded":
        return embedded_target(folder / "store")
    return server_target(request.getfixturevalue("oxigraph_server"))


@pytest.mark.parametrize("kind", ["embedded", "oxigraph-server"])
def test_killed_loads_converge_and_never_leave_a_half_replaced_graph(
        kind: str, versions: tuple[Version, Version], request: pytest.FixtureRequest,
        tmp_path: Path) -> None:
    new, old = versions
    crasher = Crasher(target_for(kind, request, tmp_path), new, old, tmp_path, seed())
    tally = crasher.run(rounds=2, kills=3, min_mid_load=1)
    assert tally.mid_load >= 1, f"no kill landed mid-load: {crasher.where()}"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["embedded", "oxigraph-server"])
def test_killed_loads_converge_many_times(kind: str, versions: tuple[Version, Version],
                                          request: pytest.FixtureRequest,
                                          tmp_path: Path) -> None:
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("the long crash test runs with `pytest -m slow`")
    new, old = versions
    crasher = Crasher(target_for(kind, request, tmp_path), new, old, tmp_path, seed())
    tally = crasher.run(rounds=15, kills=5, min_mid_load=30)
    assert tally.mid_load >= 30, f"too few kills landed mid-load: {crasher.where()}"
    print(f"{kind}: {crasher.where()}")


def test_resumed_journal_does_not_skip_a_graph_changed_since(tmp_path: Path) -> None:
    """A run with --journal is killed after its last batch (the journal lists every graph but
    is not finished); a run without the journal then loads other content; the journal's run
    again must put its content back, not skip graphs on the journal's word."""
    from click.testing import CliRunner

    from ld_publish.cli_store import load_command
    from tests.stores import synthetic_graph

    def nquads(label: str) -> Path:
        path = tmp_path / f"{label}.nq"
        path.write_bytes(b"".join(synthetic_graph(i, title=f"{label} {i}").nquads()
                                  for i in range(5)))
        return path

    def load(path: Path, *more: str) -> str:
        result = CliRunner().invoke(load_command, [str(path), "--store", str(store), *more])
        assert result.exit_code == 0, result.output
        return result.stderr

    store, journal = tmp_path / "store", tmp_path / "load.journal"
    v1, v2 = nquads("v1"), nquads("v2")
    load(v2, "--journal", str(journal))
    lines = journal.read_text("utf-8").splitlines(keepends=True)
    assert "finished" in lines[-1]
    journal.write_text("".join(lines[:-1]), "utf-8")  # as a kill before the last line leaves it
    load(v1)
    said = load(v2, "--journal", str(journal))
    assert "resuming" in said and "read 5 = loaded 5 + unchanged 0" in said, said
    got = ox.Store(str(store))
    try:
        titles = sorted(q.object.value for q in got.quads_for_pattern(
            None, ox.NamedNode("http://schema.org/name"), None, None))
    finally:
        del got
    assert titles == [f"v2 {i}" for i in range(5)]
