"""Crash consistency of ``export``: killed (SIGKILL, workers and all) at random points, a
folder never shows a half-written file, and rerunning always converges to the clean result,
byte for byte.

The suite kills a few runs; ``LD_PUBLISH_CRASH_RUNS=50`` kills as many as asked (the longer
run the README quotes).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import generate

RUNS = int(os.environ.get("LD_PUBLISH_CRASH_RUNS", "3"))
FORMATS = {".ttl": pyoxigraph.RdfFormat.TURTLE, ".jsonld": pyoxigraph.RdfFormat.JSON_LD}


def _export(source: Path, out: Path) -> subprocess.Popen[bytes]:
    # A session of its own, so the kill takes the worker processes with it.
    return subprocess.Popen([sys.executable, "-m", "ld_publish", "export", str(source), "-o",
                             str(out), "-q", "-j", "2"], start_new_session=True,
                            stderr=subprocess.PIPE)


def _snapshot(out: Path) -> dict[str, bytes]:
    files = {f"records/{p.name}": p.read_bytes() for p in (out / "records").iterdir()}
    files["dataset.nq"] = (out / "dataset.nq").read_bytes()
    report = json.loads((out / "report.json").read_text("utf-8"))
    files["report.json"] = json.dumps(report, sort_keys=True).encode()
    return files


def _assert_nothing_half_written(out: Path) -> None:
    """What a consumer of the folder sees between runs: whole files only."""
    if (out / "records").exists():
        for path in (out / "records").iterdir():
            if path.name.endswith(".tmp"):
                continue  # never published under a reader's name; the next run removes it
            assert list(pyoxigraph.parse(path=str(path), format=FORMATS[path.suffix])), path
    if (out / "dataset.nq").exists():
        list(pyoxigraph.parse(path=str(out / "dataset.nq"), format=pyoxigraph.RdfFormat.N_QUADS))
    if (out / "report.json").exists():
        report = json.loads((out / "report.json").read_text("utf-8"))
        assert report["balanced"]


@pytest.mark.slow
def test_killed_exports_never_leave_half_files_and_a_rerun_converges(tmp_path: Path) -> None:
    source = tmp_path / "records.jsonl"
    generate(source, 200, size="compact")
    clean = tmp_path / "clean"
    reference = _export(source, clean)
    assert reference.wait(timeout=600) == 0, reference.stderr.read() if reference.stderr else ""
    expected = _snapshot(clean)

    out = tmp_path / "out"
    rng = random.Random(int(os.environ.get("LD_PUBLISH_CRASH_SEED", "7")))
    killed = 0
    for _ in range(RUNS):
        run = _export(source, out)
        time.sleep(rng.uniform(0.3, 2.5))
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            killed += 1
        run.wait(timeout=60)
        _assert_nothing_half_written(out)
    assert killed, "every run finished before its kill: kill earlier"

    final = _export(source, out)
    assert final.wait(timeout=600) == 0, final.stderr.read() if final.stderr else ""
    assert not [p for p in out.rglob("*.tmp")]
    snapshot = _snapshot(out)
    report = json.loads(snapshot.pop("report.json"))
    expected_report = json.loads(expected["report.json"])
    assert {k: report[k] for k in ("read", "written", "quarantined", "complete")} == \
        {k: expected_report[k] for k in ("read", "written", "quarantined", "complete")}
    assert snapshot == {k: v for k, v in expected.items() if k != "report.json"}
