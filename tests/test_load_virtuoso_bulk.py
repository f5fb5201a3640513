"""``load --bulk`` into a real Virtuoso: its own bulk loader (``ld_dir`` + ``rdf_loader_run``)
when it can read ``--bulk-dir``, else concurrent Graph Store POSTs; hashes after the content.

The test server allows its own folder (DirsAllowed in tests/stores.py), so bulk folders are made
under it; a folder outside it stands for a server that cannot read the files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ld_publish.errors import StoreError, UsageError
from ld_publish.graph import RecordGraph
from ld_publish.loaders import LoaderOptions, load_graphs, loaders
from ld_publish.loaders.base import hash_literal
from ld_publish.loaders.run import BULK_BATCH_GRAPHS
from ld_publish.loaders.sparql import SparqlLoader
from ld_publish.loaders.virtuoso import LOOKUP_CHUNK, STAGE_MIN_GRAPHS
from tests.stores import VirtuosoServer
from tests.test_load_stores import (
    StoreUnderTest,
    fresh_prefix,
    graphs_under,
    to_rdflib,
    with_list,
)

pytestmark = pytest.mark.store


@pytest.fixture
def bulk_dir(virtuoso_server: VirtuosoServer) -> Iterator[Path]:
    folder = virtuoso_server.directory / f"bulk-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    yield folder


def open_store(server: VirtuosoServer, bulk_dir: Path | None = None, **kw: object
               ) -> StoreUnderTest:
    settings: dict[str, object] = {"retries": 1, **kw}
    options = LoaderOptions(endpoint=server.base, store_type="virtuoso", user="dba",
                            password=server.password,
                            bulk_dir=str(bulk_dir) if bulk_dir else None,
                            **settings)  # type: ignore[arg-type]
    loader = loaders.get("sparql")(options)
    assert isinstance(loader, SparqlLoader)
    return StoreUnderTest("virtuoso", loader, loader.endpoints.query)


def graphs_named(server: VirtuosoServer, prefix: str) -> int:
    """How many graphs under ``prefix`` hold anything. Asked in SQL: a fresh, small Virtuoso
    answers SPARQL's ``SELECT DISTINCT ?g`` over all graphs in tens of seconds."""
    out = server.isql(f"select count(*) from (select distinct G from DB.DBA.RDF_QUAD) x "
                      f"where id_to_iri(G) like '{prefix}%'")
    return int(re.findall(r"^\s*(\d+)\s*$", out, re.M)[-1])


def expect_exactly(server: VirtuosoServer, store: StoreUnderTest,
                   graphs: list[RecordGraph]) -> None:
    """The store holds exactly these graphs under their prefix, each with its hash."""
    prefix = graphs[0].name.rsplit("/graph/", 1)[0]
    assert graphs_named(server, prefix) == len(graphs)
    hashes = store.loader.stored_hashes([g.name for g in graphs])
    for g in graphs:
        assert to_rdflib(g.triples).isomorphic(store.graph(g.name)), g.name
        assert hashes.get(g.name) == hash_literal(g), g.name


def load_list_rows(server: VirtuosoServer, folder: Path) -> str:
    return server.isql(f"select ll_file, ll_state from DB.DBA.load_list "
                       f"where ll_file like '{folder}/%'")


def load_list(server: VirtuosoServer, folder: Path) -> list[tuple[str, int, int]]:
    """The load_list rows of ``folder``'s files in the order registered: (file name, state,
    whether an error is recorded)."""
    out = server.isql(f"select concat('ROW ', ll_file, ' ', cast(ll_state as varchar), ' ', "
                      f"case when ll_error is null then '0' else '1' end) from "
                      f"DB.DBA.load_list where ll_file like '{folder}/%' order by ll_started")
    return [(Path(m[0]).name, int(m[1]), int(m[2]))
            for m in re.findall(r"^ROW (\S+) (\d+) (\d)\s*$", out, re.M)]


@pytest.mark.parametrize("path", ["ld_dir", "post"])
def test_bulk_load_gives_the_store_a_normal_load_gives(virtuoso_server: VirtuosoServer,
                                                       bulk_dir: Path, path: str) -> None:
    store = open_store(virtuoso_server, bulk_dir if path == "ld_dir" else None)
    try:
        prefix = fresh_prefix()
        graphs = graphs_under(prefix, 300, extra=5)
        report = load_graphs(graphs, store.loader, bulk=True)
        assert (report.read, report.loaded, report.unchanged) == (300, 300, 0)
        assert report.requests == 1  # all added by the bulk path, none left to the replace
        expect_exactly(virtuoso_server, store, graphs)
        again = load_graphs(graphs, store.loader)
        assert (again.loaded, again.unchanged) == (0, 300)
    finally:
        store.loader.close()
    if path == "ld_dir":
        # The server's bulk loader read two files, the content's then the hashes' (no
        # INSERT DATA), each to its end, and they are gone afterwards.
        rows = load_list(virtuoso_server, bulk_dir)
        assert [(state, error) for _, state, error in rows] == [(2, 0), (2, 0)]
        assert not rows[0][0].endswith("-hashes.nq") and rows[1][0].endswith("-hashes.nq")
        assert list(bulk_dir.iterdir()) == []


def test_one_lookup_tells_hashes_and_held_graphs_apart(virtuoso_server: VirtuosoServer
                                                       ) -> None:
    # More names than one lookup query takes: hashed, content without a hash (what a killed
    # bulk load leaves), a hash without content (an empty record graph), and nothing.
    store = open_store(virtuoso_server)
    loader = store.loader
    assert loader.virtuoso_bulk is not None
    try:
        prefix = fresh_prefix()
        graphs = graphs_under(prefix, LOOKUP_CHUNK + 40)
        hashed, bare, absent = graphs[:30], graphs[30:35], graphs[35:]
        load_graphs(hashed, loader)
        gsp = f"{virtuoso_server.base}/sparql-graph-crud-auth"
        for g in bare:
            httpx.post(gsp, params={"graph-uri": g.name}, content=g.ntriples(),
                       auth=httpx.DigestAuth("dba", virtuoso_server.password),
                       headers={"Content-Type": "application/n-triples"}).raise_for_status()
        empty = RecordGraph.build("empty", f"{prefix}graph/empty", f"{prefix}work/empty", [])
        load_graphs([empty], loader)
        before = loader.http.attempts_made
        names = [g.name for g in [*absent[:200], *hashed, empty, *bare, *absent[200:]]]
        hashes, held = loader.virtuoso_bulk.lookup(names)
        assert loader.http.attempts_made - before == 2  # one query per LOOKUP_CHUNK names
        assert hashes == {g.name: hash_literal(g) for g in [*hashed, empty]}
        assert held == {g.name for g in [*hashed, empty, *bare]}
        assert loader.bulk_lookup(names) == (hashes, held)
    finally:
        loader.close()


def test_a_first_bulk_load_asks_little_per_batch(virtuoso_server: VirtuosoServer,
                                                 bulk_dir: Path) -> None:
    # Per batch: one lookup per LOOKUP_CHUNK names, the content's file (seen, registered,
    # loaded, checkpointed, checked twice), then the hashes' file (the same, but not looked
    # for): no other lookup, no INSERT DATA.
    store = open_store(virtuoso_server, bulk_dir)
    try:
        graphs = graphs_under(fresh_prefix(), LOOKUP_CHUNK + 1)
        report = load_graphs(graphs, store.loader, bulk=True)
        assert report.loaded == len(graphs)
        assert store.loader.http.attempts_made == 2 + 6 + 5
        expect_exactly(virtuoso_server, store, graphs)
    finally:
        store.loader.close()


def test_a_graph_in_two_batches_in_a_row_ends_with_the_later_content(
        virtuoso_server: VirtuosoServer, bulk_dir: Path) -> None:
    # The next batch is looked up while this one loads; a graph of both must not be taken for
    # new in the next (the bulk loader would add its content to the first one's).
    store = open_store(virtuoso_server, bulk_dir)
    try:
        prefix = fresh_prefix()
        graphs = graphs_under(prefix, BULK_BATCH_GRAPHS, extra=1)
        later = graphs_under(prefix, 1, extra=2, marker=" (changed)")[0]
        assert later.name == graphs[0].name
        report = load_graphs([*graphs, later], store.loader, bulk=True)
        assert (report.read, report.loaded) == (len(graphs) + 1, len(graphs) + 1)
        assert graphs_named(virtuoso_server, prefix) == len(graphs)
        assert to_rdflib(later.triples).isomorphic(store.graph(later.name))
        names = [later.name, graphs[1].name, graphs[-1].name]
        assert store.loader.stored_hashes(names) == {
            g.name: hash_literal(g) for g in (later, graphs[1], graphs[-1])}
    finally:
        store.loader.close()


def test_a_bulk_run_stages_its_replaced_graphs_through_the_bulk_loader(
        virtuoso_server: VirtuosoServer, bulk_dir: Path) -> None:
    # Graphs the store holds are replaced (a MOVE from a staging graph, atomic per graph);
    # in batches of stage_min_graphs or more the staging graphs are filled by one file
    # instead of a Graph Store PUT each (lowered here from STAGE_MIN_GRAPHS to keep it short).
    store = open_store(virtuoso_server, bulk_dir)
    assert store.loader.virtuoso_bulk is not None
    assert store.loader.virtuoso_bulk.stage_min_graphs == STAGE_MIN_GRAPHS
    store.loader.virtuoso_bulk.stage_min_graphs = 30
    count = 40
    try:
        prefix = fresh_prefix()
        load_graphs(graphs_under(prefix, count), store.loader, bulk=True)
        new = [*graphs_under(prefix, count, marker=" (changed)"), with_list(prefix)]
        before = store.loader.http.attempts_made
        report = load_graphs(new, store.loader, bulk=True)
        assert (report.loaded, report.unchanged) == (len(new), 0)
        # A lookup, the staging file (looked for, registered, loaded, checkpointed, checked
        # twice), one PUT (the graph with blank nodes: not for a bulk loader), one MOVE update
        # (up to 128 graphs): no PUT per graph.
        assert store.loader.http.attempts_made - before == 1 + 6 + 1 + 1
        expect_exactly(virtuoso_server, store, new)

        # A record the store refuses breaks the staging file: the batch is staged by PUTs
        # then, which isolate it; its graph keeps its content.
        again = graphs_under(prefix, count, marker=" (again)")
        broken = RecordGraph.from_terms("broken", again[1].name, again[1].root,
                                        [*again[1].terms,
                                         (f"<{prefix}s>", f"<{prefix}p>", '"broken')])
        refused: list[str] = []
        report = load_graphs([again[0], broken, *again[2:]], store.loader, bulk=True,
                             quarantine=lambda g, why: refused.append(g.name))
        assert (report.loaded, report.quarantined, refused) == (count - 1, 1, [broken.name])
        expect_exactly(virtuoso_server, store, [again[0], new[1], *again[2:], new[-1]])
    finally:
        store.loader.close()
    # The first load's content and hashes, the staging file, the broken staging file.
    rows = load_list(virtuoso_server, bulk_dir)
    assert [(state, error) for _, state, error in rows] == [(2, 0), (2, 0), (2, 0), (2, 1)]


def test_bulk_load_replaces_what_is_held_and_relabels_blank_nodes(
        virtuoso_server: VirtuosoServer, bulk_dir: Path) -> None:
    store = open_store(virtuoso_server, bulk_dir)
    try:
        prefix = fresh_prefix()
        old = graphs_under(prefix, 20)
        load_graphs(old, store.loader)
        listed = with_list(prefix)
        twin = RecordGraph.build("twin", f"{prefix}graph/twin", listed.root, listed.triples)
        new = [*graphs_under(prefix, 40, marker=" (changed)"), listed, twin]
        report = load_graphs(new, store.loader, bulk=True)
        assert (report.loaded, report.unchanged) == (42, 0)
        expect_exactly(virtuoso_server, store, new)
        # Bulk loaders keep blank node labels per file: the two lists must not share nodes.
        rows = store.rows(f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH ?g {{ ?b "
                          f"<{prefix.rsplit('/', 2)[0]}/first> ?x }} "
                          f"VALUES ?g {{ <{listed.name}> <{twin.name}> }} }}")
        assert int(rows[0]["n"].value) == 4
    finally:
        store.loader.close()


@pytest.mark.parametrize("path", ["ld_dir", "post"])
def test_a_bulk_load_cut_short_is_finished_by_a_rerun(virtuoso_server: VirtuosoServer,
                                                      bulk_dir: Path, path: str) -> None:
    # What a kill between the bulk content and its hashes leaves: content and no hash, and one
    # graph with only part of its triples.
    store = open_store(virtuoso_server, bulk_dir if path == "ld_dir" else None)
    gsp = f"{virtuoso_server.base}/sparql-graph-crud-auth"
    auth = httpx.DigestAuth("dba", virtuoso_server.password)
    try:
        prefix = fresh_prefix()
        graphs = graphs_under(prefix, 30, extra=6)
        for g, body in [(g, g.ntriples()) for g in graphs[:10]] + [
                (graphs[10], b"".join(graphs[10].ntriples().splitlines(keepends=True)[:3]))]:
            httpx.post(gsp, params={"graph-uri": g.name}, content=body, auth=auth,
                       headers={"Content-Type": "application/n-triples"}).raise_for_status()
        assert store.loader.stored_hashes([g.name for g in graphs]) == {}
        report = load_graphs(graphs, store.loader, bulk=True)
        assert (report.loaded, report.unchanged) == (30, 0)
        expect_exactly(virtuoso_server, store, graphs)
    finally:
        store.loader.close()


def test_two_records_with_the_same_content_both_get_it(virtuoso_server: VirtuosoServer) -> None:
    # They used to share one staging graph: the first MOVE took it and the second graph was
    # left empty under a hash claiming the content.
    store = open_store(virtuoso_server)
    try:
        prefix = fresh_prefix()
        one = graphs_under(prefix, 1)[0]
        two = RecordGraph.build("two", f"{prefix}graph/two", one.root, one.triples)
        report = load_graphs([one, two], store.loader)
        assert report.loaded == 2
        expect_exactly(virtuoso_server, store, [one, two])
    finally:
        store.loader.close()


def test_a_folder_the_server_cannot_see_stops_the_load_before_any_hash(
        virtuoso_server: VirtuosoServer, bulk_dir: Path) -> None:
    store = open_store(virtuoso_server, bulk_dir, bulk_dir_server="/nowhere/ld-publish")
    try:
        graphs = graphs_under(fresh_prefix(), 5)
        with pytest.raises(StoreError, match="does not see the bulk file") as caught:
            load_graphs(graphs, store.loader, bulk=True)
        assert "--bulk-dir-server" in (caught.value.hint or "")
        assert store.loader.stored_hashes([g.name for g in graphs]) == {}
        assert graphs_named(virtuoso_server, graphs[0].name.rsplit("/graph/", 1)[0]) == 0
    finally:
        store.loader.close()


def test_a_folder_the_server_may_not_read_says_dirs_allowed(
        virtuoso_server: VirtuosoServer) -> None:
    # Outside the test server's DirsAllowed (Virtuoso also allows /tmp, its temporary folder).
    try:
        outside = Path(tempfile.mkdtemp(prefix="ld-publish-test-", dir="/var/tmp"))
    except OSError:
        pytest.skip("/var/tmp is not writable here")
    store = open_store(virtuoso_server, outside, retries=0)
    try:
        graphs = graphs_under(fresh_prefix(), 5)
        with pytest.raises(StoreError) as caught:
            load_graphs(graphs, store.loader, bulk=True)
        assert "DirsAllowed" in (caught.value.hint or "")
        assert store.loader.stored_hashes([g.name for g in graphs]) == {}
    finally:
        store.loader.close()
        shutil.rmtree(outside, ignore_errors=True)


def test_bulk_dir_is_for_virtuoso_only(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="virtuoso"):
        loaders.get("sparql")(LoaderOptions(endpoint="http://127.0.0.1:1",
                                            store_type="oxigraph-server",
                                            bulk_dir=str(tmp_path)))


def test_cli_bulk_load_through_the_servers_bulk_loader(virtuoso_server: VirtuosoServer,
                                                       bulk_dir: Path, tmp_path: Path) -> None:
    prefix = fresh_prefix()
    graphs = graphs_under(prefix, 50)
    nq = tmp_path / "data.nq"
    nq.write_bytes(b"".join(g.nquads() for g in graphs))
    run = [sys.executable, "-m", "ld_publish", "load", str(nq), "--endpoint",
           virtuoso_server.base, "--store-type", "virtuoso", "--user", "dba",
           "--quarantine", str(tmp_path / "q")]
    env = {**os.environ, "LD_PUBLISH_PASSWORD": virtuoso_server.password}
    done = subprocess.run([*run, "--bulk-dir", str(bulk_dir)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 2 and "--bulk" in done.stderr  # --bulk-dir alone is a mistake
    done = subprocess.run([*run, "--bulk", "--bulk-dir", str(bulk_dir)], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "read 50 = loaded 50 + unchanged 0 + quarantined 0" in done.stderr
    store = open_store(virtuoso_server)
    try:
        expect_exactly(virtuoso_server, store, graphs)
    finally:
        store.loader.close()
    assert load_list_rows(virtuoso_server, bulk_dir).count(".nq") == 2  # content, hashes
