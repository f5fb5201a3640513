"""``export --cluster``: the same records/, dataset.nq and report.json as a local run.

Runs real Dask clusters: one LocalCluster (2 worker processes, on loopback TCP) for the
module, which the CLI joins with ``--cluster tcp://...``, and one ``--cluster local:2`` run
that starts its own. The CLI runs in subprocesses, as users run it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_export import synthetic_record  # noqa: E402

distributed = pytest.importorskip("distributed")


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "ld_publish", *args], capture_output=True,
                            text=True, timeout=600, cwd=ROOT, env={**os.environ, **(env or {})},
                            input=stdin)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def write_jsonl(path: Path, records: list[dict[str, Any]], newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("".join(json.dumps(r, ensure_ascii=False) + newline
                             for r in records).encode("utf-8"))
    return path


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) by relative path."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_output(local: Path, cluster: Path) -> dict[str, Any]:
    """records/, quarantine/ (every file), dataset.nq and report.json byte-identical; nothing
    else left behind but the lock file; the report."""
    assert folder_bytes(cluster / "records") == folder_bytes(local / "records")
    assert folder_bytes(cluster / "quarantine") == folder_bytes(local / "quarantine")
    assert (cluster / "dataset.nq").read_bytes() == (local / "dataset.nq").read_bytes()
    assert (cluster / "report.json").read_bytes() == (local / "report.json").read_bytes()
    assert sorted(p.name for p in cluster.iterdir()) == sorted(p.name for p in local.iterdir())
    report: dict[str, Any] = json.loads((cluster / "report.json").read_text("utf-8"))
    return report


# ---- the inputs and the local run they are compared with ---------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 rich records: one large JSON Lines file (cut into byte ranges), a folder of two
    small files (one partition) and a gzipped tar of two members."""
    rng = random.Random(11)
    records = [synthetic_record(n, rng, "rich") for n in range(3000)]
    root = tmp_path_factory.mktemp("corpus")
    write_jsonl(root / "big.jsonl", records[:2600])
    write_jsonl(root / "small" / "a.jsonl", records[2600:2700])
    write_jsonl(root / "small" / "b.jsonl", records[2700:2800], newline="\r\n")
    members = root / "members"
    write_jsonl(members / "m1.jsonl", records[2800:2900])
    write_jsonl(members / "m2.jsonl", records[2900:])
    with tarfile.open(root / "members.tar.gz", "w:gz") as archive:
        for name in ("m1.jsonl", "m2.jsonl"):
            archive.add(members / name, arcname=f"part/{name}")
    return root


def corpus_inputs(corpus: Path) -> list[str]:
    return [str(corpus / "big.jsonl"), str(corpus / "small"), str(corpus / "members.tar.gz")]


@pytest.fixture(scope="module")
def local_run(corpus: Path) -> Path:
    out = corpus.parent / "local-out"
    result = cli("export", *corpus_inputs(corpus), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


# ---- 1: byte-identical output -------------------------------------------------------------

def test_a_local_cluster_run_writes_what_a_local_run_writes(corpus: Path, local_run: Path
                                                            ) -> None:
    out = corpus.parent / "cluster-out"
    result = cli("export", *corpus_inputs(corpus), "-o", str(out), "-q",
                 "--cluster", "local:2", "--partition-size", "1M")
    assert result.returncode == 0, result.stderr
    report = assert_same_output(local_run, out)
    assert (report["read"], report["written"], report["quarantined"]) == (3000, 3000, 0)
    assert len(folder_bytes(out / "records")) == 6000


def test_the_large_file_is_cut_into_byte_ranges_at_line_starts(corpus: Path,
                                                               tmp_path: Path) -> None:
    from ld_publish.partitions import Part, plan

    parts = [p for p in plan(corpus_inputs(corpus), None, 1 << 20, 2, tmp_path)
             if isinstance(p, Part)]
    ranges = [piece for part in parts for piece in part.pieces if piece.kind == "range"]
    assert len(ranges) > 5  # and only the large file is cut
    assert {piece.label for piece in ranges} == {str(corpus / "big.jsonl")}
    data = (corpus / "big.jsonl").read_bytes()
    assert b"".join(data[r.start:r.end] for r in ranges) == data
    assert all(data[r.start - 1:r.start] == b"\n" for r in ranges[1:])
    kinds = [[piece.kind for piece in part.pieces] for part in parts]
    assert kinds[-2:] == [["file", "file"], ["tar"]]  # small files share one partition


def read_in_ranges(path: Path, size: int, spool: Path) -> list[Any]:
    """The records of ``path`` read range by range, each placed by the scans before it, as
    the cluster driver places them."""
    from ld_publish.partitions import Part, Position, plan, read_piece, scan_piece
    from ld_publish.sources import InputSource

    parts = [p for p in plan([str(path)], None, size, 1, spool) if isinstance(p, Part)]
    pieces = [piece for part in parts for piece in part.pieces]
    assert all(piece.kind == "range" for piece in pieces) and len(pieces) > 1
    digest = InputSource.from_path(path).digest()
    lines = records = 0
    out: list[Any] = []
    for piece in pieces:
        for items in read_piece(piece, None, Position(lines, records, digest)):
            out.extend(items)
        scan = scan_piece(piece, None)
        lines, records = lines + scan.lines, records + scan.records
    return out


@pytest.mark.parametrize("size", [1, 300, 2000])
def test_records_read_in_ranges_are_the_records_read_whole(tmp_path: Path, size: int) -> None:
    from ld_publish.pipeline import read_records

    rng = random.Random(3)
    rec = [json.dumps(synthetic_record(n, rng, "compact")).encode() for n in range(7)]
    data = b"".join([
        b"\xef\xbb\xbf" + rec[0] + b"\n",  # a byte order mark: the file's, dropped
        b"\n", b"  \t \n",  # blank lines count as lines, not as records
        rec[1] + b"\r\n",
        rec[2] + b"\r" + rec[3] + b"\n",  # a lone CR ends a line too
        b'{"key": "x", "title": "caf\xe9"}\n',  # not UTF-8: quarantined alone
        b"\xef\xbb\xbf" + rec[4] + b"\n",  # a BOM inside the file is no BOM: not JSON
        b"{not json\n",
        rec[5] + b"\n",
        rec[6],  # no final newline
    ])
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    whole = list(read_records([str(path)]))
    assert len(whole) == 9
    assert read_in_ranges(path, size, tmp_path / "spool") == whole


def test_a_source_failing_in_a_range_drops_what_the_later_ranges_wrote(tmp_path: Path) -> None:
    """The merge, run in this process on real partition results: when a worker reports its
    source failed at the end of range 1 (as a reader bug would), ranges 2 and later are
    dropped, and the documents their tasks wrote are removed."""
    from dataclasses import replace

    from ld_publish.cluster import _Merge
    from ld_publish.cluster_work import (
        WORK,
        Failed,
        PartDone,
        Settled,
        process_part,
        scan_part,
    )
    from ld_publish.errors import InputError
    from ld_publish.export import Sink, _in_folder
    from ld_publish.partitions import Part, plan
    from ld_publish.pipeline import Options, SourceFailure
    from ld_publish.sources import InputSource

    rng = random.Random(8)
    source = write_jsonl(tmp_path / "r.jsonl", [synthetic_record(n, rng, "compact")
                                                for n in range(12)])
    failure = SourceFailure(str(source), InputError("the reader broke here"))
    kept: list[str] = []

    def writer(inputs: list[str], options: Options, sink: Sink) -> None:
        work = sink.root / WORK
        work.mkdir()
        parts = [p for p in plan(inputs, None, 6000, 1, work) if isinstance(p, Part)]
        assert len(parts) >= 4
        digest = InputSource.from_path(source).digest()
        done: dict[int, PartDone] = {}
        lines = records = 0
        for part in parts:
            done[part.index] = process_part(part, options, str(sink.root), frozenset(),
                                            (lines, records), digest, False)
            scan = scan_part(part, options)[0]
            lines, records = lines + scan.lines, records + scan.records
            if part.index <= 1:
                kept.extend(item.label for item in done[part.index].items
                            if isinstance(item, Settled))
        done[1] = replace(done[1], items=(*done[1].items, Failed(failure, 0)))
        written = sorted(p.name for p in (sink.root / "records").iterdir())
        assert len(written) == 2 * 12  # every range's task wrote its records
        _Merge(sink, work).run([(part, part.index) for part in parts],
                               lambda index, part: done[index])

    out = tmp_path / "out"
    report = _in_folder([str(source)], out, Options(), False, None, None, writer, "nq")
    assert report.read == report.written == len(kept) < 12
    assert report.failed_sources == [{"file": str(source), "error": "the reader broke here"}]
    entries = json.loads((out / "report.json").read_text("utf-8"))["records"]
    assert [entry["source"] for entry in entries] == kept
    files = sorted(f"records/{p.name}" for p in (out / "records").iterdir())
    assert files == sorted(name for entry in entries for name in entry["files"])


def test_a_worker_that_does_not_see_the_files_says_so(tmp_path: Path) -> None:
    """What a worker on a machine without the shared file system reports (run here, with
    paths no machine has)."""
    from ld_publish.cluster_work import process_part, scan_part
    from ld_publish.errors import ClusterError
    from ld_publish.partitions import Part, Piece
    from ld_publish.pipeline import Options

    part = Part(0, (Piece("in.jsonl", str(tmp_path / "elsewhere" / "in.jsonl"), "file"),))
    with pytest.raises(ClusterError, match=r"does not see the input in\.jsonl") as caught:
        scan_part(part, Options())
    assert "same path" in (caught.value.hint or "")
    with pytest.raises(ClusterError, match="does not see the output folder"):
        process_part(part, Options(), str(tmp_path / "out"), frozenset(), None, None, False)


# ---- 2: duplicate keys and invalid records across partitions -------------------------------

def _invalid(record: dict[str, Any], title: str) -> dict[str, Any]:
    broken = json.loads(json.dumps(record))
    broken["contributors"][0]["identifiers"] = [{"scheme": "orcid",
                                                 "value": "0000-0002-1825-0098"}]  # bad check
    broken["title"] = {"value": title, "lang": "en"}
    return broken


@pytest.fixture(scope="module")
def duplicates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One key four times in a file cut into ranges (first invalid, then valid twice, then
    invalid), another key first in the ranges and again in a later file, a line that is no
    JSON at a range's start, and one file named twice."""
    rng = random.Random(5)
    many = [synthetic_record(n, rng, "compact") for n in range(240)]
    key = many[3]["key"]
    other = many[150]
    lines: list[Any] = list(many)
    lines[3] = _invalid(many[3], "The first, broken")
    lines[90] = {**many[3], "title": {"value": "The second description", "lang": "en"}}
    lines[170] = {**many[3], "title": {"value": "The third description", "lang": "en"}}
    lines[230] = _invalid(many[3], "Broken and late")
    assert all(line.get("key") != key for line in [*lines[4:90], *lines[91:170]])
    root = tmp_path_factory.mktemp("dups")
    ranged = root / "ranged.jsonl"
    write_jsonl(ranged, lines)
    # A line that is not JSON right after the first cut (64 KiB): a reader's rejection.
    data = ranged.read_bytes()
    cut = data.index(b"\n", 65536) + 1
    ranged.write_bytes(data[:cut] + b"{not json\n\n" + data[cut:])
    write_jsonl(root / "later.jsonl", [{**other, "title": {"value": "Other, again",
                                                            "lang": "en"}}, many[0]])
    write_jsonl(root / "twice.jsonl", [synthetic_record(900, rng, "compact")])
    (root / "empty.jsonl").write_bytes(b"")
    return root


def dup_inputs(root: Path) -> list[str]:
    return [str(root / "ranged.jsonl"), str(root / "later.jsonl"), str(root / "empty.jsonl"),
            str(root / "twice.jsonl"), "-"]


def test_duplicate_keys_and_invalid_records_across_partitions_as_locally(
        duplicates: Path, scheduler: Any) -> None:
    # twice.jsonl is named twice: once by path, once on standard input (its own label).
    twice = (duplicates / "twice.jsonl").read_text("utf-8")
    local = duplicates / "local-out"
    result = cli("export", *dup_inputs(duplicates), "-o", str(local), "-q", stdin=twice)
    assert result.returncode == 2, result.stderr  # empty.jsonl cannot be read
    out = duplicates / "cluster-out"
    result = cli("export", *dup_inputs(duplicates), "-o", str(out), "-q",
                 "--cluster", scheduler.scheduler.address, "--partition-size", "64K",
                 stdin=twice)
    assert result.returncode == 2, result.stderr
    assert "empty.jsonl is empty" in result.stderr
    report = assert_same_output(local, out)
    assert [f["file"] for f in report["failed_sources"]] == [str(duplicates / "empty.jsonl")]
    # 241 lines of the ranged file (one no JSON), 2 + 1 + 1 of the others; quarantined: the
    # key's first and last (invalid; the last also names the published one), its third (a
    # duplicate within its file) and the line that is no JSON; merged into the records
    # published first (their keys were, from other sources): both records of later.jsonl and
    # the copy on standard input.
    assert (report["read"], report["written"], report["quarantined"], report["merged"]) == (
        245, 238, 4, 3)
    reasons = [entry.get("reason", "") for entry in report["records"]]
    assert sum("not valid JSON" in reason for reason in reasons) == 1
    assert sum("same key" in reason for reason in reasons) == 2
    assert [len(merge["sources"]) for merge in report["merges"]] == [2, 2, 2]
    assert report["merges"][-1]["sources"][-1] == "<stdin> #1"


# ---- 3: a worker killed in the middle of a partition --------------------------------------

class KillOnce(distributed.WorkerPlugin):  # type: ignore[misc]
    """SIGKILLs the worker process that first starts processing a partition, once some of
    the partition's documents are written (a real death, mid-task)."""

    def __init__(self, marker: str, records: str) -> None:
        self.marker = marker
        self.records = records

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).startswith("ld-publish-part-"):
            return
        try:
            fd = os.open(self.marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            return  # killed one already
        os.write(fd, f"{key} {os.getpid()}".encode())
        os.close(fd)
        threading.Thread(target=self._kill_soon, daemon=True).start()

    def _kill_soon(self) -> None:
        before = len(os.listdir(self.records))
        for _ in range(3000):  # until this task has written some records (or 30 s)
            if len(os.listdir(self.records)) >= before + 20:
                break
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_worker_changes_nothing_in_the_output(scheduler: Any, tmp_path: Path
                                                       ) -> None:
    # Fewer records than above (the time goes to the local run it is compared with), still
    # cut into a dozen ranges.
    rng = random.Random(17)
    source = write_jsonl(tmp_path / "r.jsonl", [synthetic_record(n, rng, "rich")
                                                for n in range(600)])
    local = tmp_path / "local"
    result = cli("export", str(source), "-o", str(local), "-q")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    (out / "records").mkdir(parents=True)
    marker = tmp_path / "killed"
    scheduler.register_plugin(KillOnce(str(marker), str(out / "records")), name="kill-once")
    try:
        result = cli("export", str(source), "-o", str(out), "-q",
                     "--cluster", scheduler.scheduler.address, "--partition-size", "256K")
    finally:
        scheduler.unregister_worker_plugin("kill-once")
    assert result.returncode == 0, result.stderr
    assert marker.exists()  # a worker was killed
    report = assert_same_output(local, out)
    sources = [entry["source"] for entry in report["records"]]
    assert len(sources) == len(set(sources)) == 600  # no record twice
    scheduler.wait_for_workers(2)  # the nanny restarted it for the next tests


# ---- 5: what the user gets when the cluster is wrong --------------------------------------

#: Each command that takes --cluster, with the folder or store it would make, as arguments.
CLUSTER_COMMANDS = {
    "export": lambda target: ("export", "-o", str(target)),
    "load": lambda target: ("load", "--store", str(target)),
    "site": lambda target: ("site", "-o", str(target), "--base", "https://journal.example/ld/"),
}


@pytest.mark.parametrize("command", sorted(CLUSTER_COMMANDS))
@pytest.mark.parametrize("spec", ["local:0", "locals", "tcp://127.0.0.1", "udp://host:1"])
def test_a_bad_cluster_value_exits_2_with_a_hint(tmp_path: Path, spec: str,
                                                 command: str) -> None:
    source = write_jsonl(tmp_path / "r.jsonl", [synthetic_record(0, random.Random(1),
                                                                 "compact")])
    target = tmp_path / "out"
    result = cli(*CLUSTER_COMMANDS[command](target), str(source), "--cluster", spec)
    assert result.returncode == 2, result.stderr
    assert "--cluster" in result.stderr and "hint:" in result.stderr
    assert not target.exists()  # checked before any folder or store is made


@pytest.mark.parametrize("command", sorted(CLUSTER_COMMANDS))
def test_an_unreachable_scheduler_exits_3_with_a_hint(tmp_path: Path, command: str) -> None:
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    source = write_jsonl(tmp_path / "r.jsonl", [synthetic_record(0, random.Random(1),
                                                                 "compact")])
    target = tmp_path / "out"
    result = cli(*CLUSTER_COMMANDS[command](target), str(source),
                 "--cluster", f"tcp://127.0.0.1:{port}",
                 env={"LD_PUBLISH_CLUSTER_TIMEOUT": "2"})
    assert result.returncode == 3, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and "dask scheduler" in result.stderr
    assert not target.exists()


def test_a_folder_with_a_readme_is_read_and_the_readme_noted_as_locally(
        tmp_path: Path, scheduler: Any) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    rng = random.Random(9)
    write_jsonl(folder / "a.jsonl", [synthetic_record(n, rng, "compact") for n in range(5)])
    (folder / "README.md").write_text("# What these records are\n\nNotes.\n", "utf-8")
    local, out = tmp_path / "local", tmp_path / "cluster"
    assert cli("export", str(folder), "-o", str(local), "-q").returncode == 0
    result = cli("export", str(folder), "-o", str(out), "--cluster",
                 scheduler.scheduler.address)
    assert result.returncode == 0, result.stderr
    assert "note: skipped" in result.stderr and "README.md" in result.stderr
    report = assert_same_output(local, out)
    assert [s["file"] for s in report["skipped_sources"]] == [str(folder / "README.md")]
    assert report["written"] == 5 and report["failed_sources"] == []
