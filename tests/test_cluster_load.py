"""``load --cluster``: the store holds what a local ``load`` of the same input puts there.

Real Dask clusters (``--cluster local:2``: two worker processes) and real stores: the
embedded Oxigraph store, and the Oxigraph server of tests/conftest_stores.py. The CLI runs in
subprocesses, as users run it.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_export import synthetic_record  # noqa: E402

from tests.test_cluster import _invalid, cli, folder_bytes, write_jsonl  # noqa: E402

distributed = pytest.importorskip("distributed")
ox = pytest.importorskip("pyoxigraph")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,200 rich records: a large JSON Lines file (cut into byte ranges) with an invalid
    record, a line that is no JSON and one key three times (first invalid, then valid twice:
    the second is published, the third quarantined), and a small file repeating a key (merged
    into the big file's record, as in a local load)."""
    rng = random.Random(21)
    records: list[Any] = [synthetic_record(n, rng, "rich") for n in range(1200)]
    key = records[10]["key"]
    records[10] = _invalid(records[10], "Broken first")
    records[600] = {**records[600], "key": key}
    records[1000] = {**records[1000], "key": key}
    records[300] = _invalid(records[300], "Broken alone")
    root = tmp_path_factory.mktemp("load-corpus")
    big = write_jsonl(root / "big.jsonl", records[:1100])
    data = big.read_bytes()
    cut = data.index(b"\n", len(data) // 3) + 1
    big.write_bytes(data[:cut] + b"{not json\n" + data[cut:])
    write_jsonl(root / "small" / "a.jsonl", [*records[1100:], records[5]])
    return root


def inputs(corpus: Path) -> list[str]:
    return [str(corpus / "big.jsonl"), str(corpus / "small")]


def store_quads(path: Path) -> list[str]:
    """Every quad of an embedded store (the record graphs and the hashes' bookkeeping)."""
    store = ox.Store.read_only(str(path))
    return sorted(str(quad) for quad in store)


def counts(stderr: str) -> str:
    """The run's summary line without its timing."""
    line = [ln for ln in stderr.splitlines() if ln.startswith("read ")][-1]
    return re.sub(r" in [0-9.]+s$", "", line)


@pytest.fixture(scope="module")
def local_load(corpus: Path) -> tuple[Path, Path, str]:
    store, quarantine = corpus.parent / "local-store", corpus.parent / "local-quarantine"
    result = cli("load", *inputs(corpus), "--store", str(store), "--quarantine",
                 str(quarantine), "-q")
    assert result.returncode == 0, result.stderr
    return store, quarantine, counts(result.stderr)


# Two loads of 1,200 rich records (~450,000 triples each, the local one in this test's setup)
# take one to two minutes on a loaded two-core machine. (The export's cluster test keeps the
# issue's 3,000 records; the load path's partitions are the same.)
@pytest.mark.timeout(900)
def test_a_cluster_load_fills_the_store_as_a_local_load(corpus: Path,
                                                        local_load: tuple[Path, Path, str]
                                                        ) -> None:
    store, quarantine = corpus.parent / "cluster-store", corpus.parent / "cluster-quarantine"
    work = corpus.parent / "work"
    result = cli("load", *inputs(corpus), "--store", str(store), "--quarantine",
                 str(quarantine), "-q", "--cluster", "local:2", "--partition-size", "1M",
                 "--work-dir", str(work))
    assert result.returncode == 0, result.stderr
    local_store, local_quarantine, local_counts = local_load
    # 1,202 read: 1,201 lines of records and one that is no JSON; quarantined: the two
    # invalid records, the line and the key's third record (a repeat within its file);
    # merged: the small file's repeat of a key of the big file (another source).
    assert local_counts.startswith(
        "read 1202 = loaded 1197 + unchanged 0 + quarantined 4 + merged 1;")
    assert counts(result.stderr) == local_counts
    quads = store_quads(store)
    assert quads == store_quads(local_store)
    assert len(quads) > 400_000
    assert folder_bytes(quarantine) == folder_bytes(local_quarantine)
    # One file per key (load's quarantine is by key): the key's first record (invalid) is
    # replaced by its third, as locally; the small file's repeat was merged, not quarantined.
    reasons = [json.loads(data)["reason"] for data in folder_bytes(quarantine).values()]
    assert len(reasons) == 3
    assert sum("same key" in reason for reason in reasons) == 1
    assert sum("violates the shapes" in reason for reason in reasons) == 1
    assert list(work.iterdir()) == []  # the work folder's contents are removed


def test_a_rerun_with_a_journal_finds_everything_unchanged(corpus: Path, tmp_path: Path
                                                           ) -> None:
    """A first load with --bulk, then a second cluster load with a journal into the store
    the first filled: nothing is loaded again, nothing changes."""
    store = tmp_path / "store"
    first = cli("load", str(corpus / "small"), "--store", str(store), "--quarantine",
                str(tmp_path / "q"), "-q", "--cluster", "local:2", "--bulk")
    assert first.returncode == 0, first.stderr
    # Alone, the small file's copy of a record of big.jsonl is the first of its key.
    assert counts(first.stderr).startswith("read 101 = loaded 101 + unchanged 0 + "
                                           "quarantined 0;")
    before = store_quads(store)
    again = cli("load", str(corpus / "small"), "--store", str(store), "--quarantine",
                str(tmp_path / "q"), "-q", "--cluster", "local:2", "--journal",
                str(tmp_path / "journal"))
    assert again.returncode == 0, again.stderr
    assert counts(again.stderr).startswith("read 101 = loaded 0 + unchanged 101 + "
                                           "quarantined 0;")
    assert store_quads(store) == before


def server_quads(server: Any, base: str) -> list[str]:
    """The quads of the graphs under ``base`` on the server, as the CLI prints them."""
    query = (f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
             f"FILTER(STRSTARTS(STR(?g), \"{base}\")) }}")
    result = cli("query", query, "--endpoint", server.base, "--store-type",
                 "oxigraph-server", "--format", "tsv", "-q")
    assert result.returncode == 0, result.stderr
    return sorted(result.stdout.splitlines()[1:])


def test_a_cluster_load_into_an_oxigraph_server(corpus: Path, oxigraph_server: Any,
                                                tmp_path: Path) -> None:
    """Against a SPARQL server: the same graphs as a local load into the embedded store."""
    base = "https://cluster-load.test/ld/"
    source = corpus / "small"
    local = tmp_path / "local-store"
    result = cli("load", str(source), "--store", str(local), "--base", base, "-q",
                 "--quarantine", str(tmp_path / "q1"))
    assert result.returncode == 0, result.stderr
    result = cli("load", str(source), "--endpoint", oxigraph_server.base, "--store-type",
                 "oxigraph-server", "--base", base, "-q", "--quarantine", str(tmp_path / "q2"),
                 "--cluster", "local:2")
    assert result.returncode == 0, result.stderr
    assert counts(result.stderr).startswith("read 101 = loaded 101 + unchanged 0 + "
                                            "quarantined 0;")
    query = (f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
             f"FILTER(STRSTARTS(STR(?g), \"{base}\")) }}")
    embedded = cli("query", query, "--store", str(local), "--format", "tsv", "-q")
    assert embedded.returncode == 0, embedded.stderr
    expected = sorted(embedded.stdout.splitlines()[1:])
    assert len(expected) > 30_000
    assert server_quads(oxigraph_server, base) == expected
    assert folder_bytes(tmp_path / "q2") == folder_bytes(tmp_path / "q1")


def test_work_dir_without_cluster_is_a_usage_error(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "r.jsonl", [synthetic_record(0, random.Random(1),
                                                                 "compact")])
    result = cli("load", str(source), "--store", str(tmp_path / "store"),
                 "--work-dir", str(tmp_path / "w"))
    assert result.returncode == 2 and "--work-dir is for --cluster" in result.stderr


# ---- a worker killed in the middle of a partition ------------------------------------------

class KillWhileWriting(distributed.WorkerPlugin):  # type: ignore[misc]
    """SIGKILLs the worker process that first starts a partition's task, once the task's shard
    holds a few records (a real death, mid-task)."""

    def __init__(self, marker: str, work: str) -> None:
        self.marker = marker
        self.work = work

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).startswith("ld-publish-part-"):
            return
        try:
            fd = os.open(self.marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            return  # killed one already
        os.close(fd)
        threading.Thread(target=self._kill_soon, daemon=True).start()

    def _kill_soon(self) -> None:
        mine = f".{os.getpid()}.tmp"
        for _ in range(3000):  # until this process's shard has some records (or 30 s)
            found = [p for p in Path(self.work).glob("*/.part-*") if p.name.endswith(mine)]
            if found and found[0].stat().st_size > 50_000:
                break
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_worker_changes_nothing_in_the_store(scheduler: Any, tmp_path: Path) -> None:
    rng = random.Random(19)
    source = write_jsonl(tmp_path / "r.jsonl", [synthetic_record(n, rng, "rich")
                                                for n in range(500)])
    local = cli("load", str(source), "--store", str(tmp_path / "local"), "-q",
                "--quarantine", str(tmp_path / "q1"))
    assert local.returncode == 0, local.stderr
    work, marker = tmp_path / "work", tmp_path / "killed"
    work.mkdir()
    scheduler.register_plugin(KillWhileWriting(str(marker), str(work)), name="kill-load")
    try:
        result = cli("load", str(source), "--store", str(tmp_path / "cluster"), "-q",
                     "--quarantine", str(tmp_path / "q2"), "--cluster",
                     scheduler.scheduler.address, "--partition-size", "256K",
                     "--work-dir", str(work))
    finally:
        scheduler.unregister_worker_plugin("kill-load")
    assert result.returncode == 0, result.stderr
    assert marker.exists()  # a worker was killed
    assert counts(result.stderr) == counts(local.stderr)
    assert counts(local.stderr).startswith("read 500 = loaded 500 + unchanged 0 + "
                                           "quarantined 0;")
    assert store_quads(tmp_path / "cluster") == store_quads(tmp_path / "local")
    scheduler.wait_for_workers(2)  # the nanny restarted it
