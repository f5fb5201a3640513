"""A full disk during a load ends it with exit 3 and a message, never a traceback, and once
there is space again the rerun converges.

The disk is real: a small tmpfs mounted for the test (needs root), and, always, a per-file size
limit (RLIMIT_FSIZE) set on the load process, under which writes fail with EFBIG the way they
fail with ENOSPC on a full disk.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from ld_publish.graph import RecordGraph
from tests.stores import EX, OxigraphServer, synthetic_graph

REPO = Path(__file__).resolve().parent.parent


def graphs(count: int) -> list[RecordGraph]:
    out = []
    for i in range(count):
        g = synthetic_graph(i, extra=20)
        out.append(RecordGraph.build(g.key, f"{EX}disk/{i}", g.root, g.triples))
    return out


def run_load(*args: str, file_size_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("LD_PUBLISH_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "ld_publish", "load", *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=limit)


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Callable[[str], None]]:
    """A tmpfs of ``size`` at ``path``; yields a function that resizes it."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); the RLIMIT_FSIZE "
                    "variant covers the full disk")

    def resize(new_size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={new_size}", str(path)], check=True)

    try:
        yield resize
    finally:
        subprocess.run(["umount", str(path)], check=False)


def store_graphs(path: Path) -> dict[str, set[str]]:
    store = ox.Store(str(path))
    try:
        found: dict[str, set[str]] = {}
        for q in store.quads_for_pattern(None, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(EX):
                found.setdefault(q.graph_name.value, set()).add(str(q.triple))
        return found
    finally:
        del store


def assert_clean_failure(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize("disk", ["tmpfs", "rlimit-fsize"])
def test_full_disk_under_the_embedded_store_is_exit_3_and_rerun_converges(
        disk: str, tmp_path: Path) -> None:
    data = graphs(600)
    nq = tmp_path / "data.nq"
    nq.write_bytes(b"".join(g.nquads() for g in data))
    store, journal = tmp_path / "disk" / "store", tmp_path / "load.journal"
    args = (str(nq), "--store", str(store), "--journal", str(journal),
            "--quarantine", str(tmp_path / "quarantine"), "-q")
    if disk == "tmpfs":
        with tmpfs(tmp_path / "disk", "1m") as resize:
            failed = run_load(*args)
            assert_clean_failure(failed, str(store), "No space left on device",
                                 "hint: free space")
            resize("64m")
            rerun = run_load(*args)
            assert rerun.returncode == 0, rerun.stderr
            got = store_graphs(store)
    else:
        (tmp_path / "disk").mkdir()
        failed = run_load(*args, file_size_limit=256 * 1024)
        assert_clean_failure(failed, str(store), "File too large", "hint: free space")
        rerun = run_load(*args)
        assert rerun.returncode == 0, rerun.stderr
        got = store_graphs(store)
    assert "read 600 = " in rerun.stderr and "quarantined 0" in rerun.stderr
    assert got == {g.name: {str(t) for t in g.triples} for g in data}
    assert not (tmp_path / "quarantine").exists()


@pytest.mark.store
def test_journal_that_cannot_be_finished_is_exit_3(oxigraph_server: OxigraphServer,
                                                     tmp_path: Path) -> None:
    """The journal's last line ("finished") does not fit: the load is in the store, but the
    journal cannot say so, and the user is told."""
    nq = tmp_path / "data.nq"
    nq.write_bytes(b"".join(g.nquads() for g in graphs(20)))
    common = (str(nq), "--endpoint", oxigraph_server.base, "--store-type", "oxigraph-server",
              "--force", "-q")
    first = run_load(*common, "--journal", str(tmp_path / "first.journal"))
    assert first.returncode == 0, first.stderr
    lines = (tmp_path / "first.journal").read_bytes().splitlines(keepends=True)
    assert b"finished" in lines[-1]
    # The same run again fits every line but the last one.
    room = sum(len(line) for line in lines[:-1]) + 8
    second = tmp_path / "second.journal"
    result = run_load(*common, "--journal", str(second), file_size_limit=room)
    assert_clean_failure(result, f"cannot write the load journal {second}")
    assert b"finished" not in second.read_bytes()
