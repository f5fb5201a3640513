"""``site --cluster``: the site folder a local ``site`` run writes, byte for byte.

Real Dask clusters (``--cluster local:2`` and a running LocalCluster joined over loopback
TCP); the CLI runs in subprocesses, as users run it.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_export import synthetic_record  # noqa: E402

from ld_publish.mapping.iris import segment  # noqa: E402
from tests.test_cluster import _invalid, cli, folder_bytes, write_jsonl  # noqa: E402

distributed = pytest.importorskip("distributed")

BASE = "https://journal.example/ld/"
CLASH = "10.5555/BENCH.0000060"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 rich records in a file cut into ranges: an invalid one, a key twice, and two keys
    that differ only in case (their pages' paths clash without case, so the second gets the
    fallback path, which the worker could not know), then a small file."""
    rng = random.Random(31)
    records: list[Any] = [synthetic_record(n, rng, "rich") for n in range(300)]
    records[20] = _invalid(records[20], "Broken")
    records[150] = {**records[150], "key": records[40]["key"]}
    assert records[60]["key"].upper() == CLASH
    records[200] = {**records[200], "key": CLASH}
    root = tmp_path_factory.mktemp("site-corpus")
    write_jsonl(root / "big.jsonl", records[:280])
    write_jsonl(root / "small.jsonl", records[280:])
    return root


def inputs(corpus: Path) -> list[str]:
    return [str(corpus / "big.jsonl"), str(corpus / "small.jsonl")]


@pytest.fixture(scope="module")
def local_site(corpus: Path) -> Path:
    out = corpus.parent / "local-site"
    result = cli("site", *inputs(corpus), "-o", str(out), "--base", BASE, "-q",
                 "--title", "Cluster test")
    assert result.returncode == 0, result.stderr
    return out


def test_a_cluster_site_is_the_local_site_byte_for_byte(corpus: Path, local_site: Path
                                                        ) -> None:
    out = corpus.parent / "cluster-site"
    result = cli("site", *inputs(corpus), "-o", str(out), "--base", BASE, "-q",
                 "--title", "Cluster test", "--cluster", "local:2", "--partition-size", "256K")
    assert result.returncode == 0, result.stderr
    files = folder_bytes(out)
    assert files == folder_bytes(local_site)
    assert not any(".ld-publish-work" in name for name in files)
    report = json.loads(files["report.json"])
    # Quarantined: the invalid record and the key's second record.
    assert (report["read"], report["published"], report["quarantined"]) == (300, 298, 2)
    # The clash of the two keys sent the later page (and its nodes) to fallback paths: the
    # driver rendered them again, for the paths the workers could not know.
    entries = json.loads(files["site.json"])["entries"]
    clash = f"work/{segment(CLASH)}"
    assert entries[clash]["path"].startswith("_/")
    assert entries[clash.replace("BENCH", "bench")]["path"] == "work/10.5555/bench.0000060"
    assert "dataset.nq.gz" in files and "index.html" in files


def test_a_cluster_rebuild_of_a_local_site_rewrites_nothing(corpus: Path, local_site: Path,
                                                            tmp_path: Path,
                                                            scheduler: Any) -> None:
    """A site built locally, rebuilt on a running cluster: every file unchanged."""
    out = tmp_path / "site"
    for name, data in folder_bytes(local_site).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    before = {name: (out / name).stat().st_mtime_ns for name in folder_bytes(out)}
    result = cli("site", *inputs(corpus), "-o", str(out), "--base", BASE,
                 "--title", "Cluster test", "--cluster", scheduler.scheduler.address)
    assert result.returncode == 0, result.stderr
    assert " 0 written" in result.stderr and " 0 removed" in result.stderr
    assert {name: (out / name).stat().st_mtime_ns for name in folder_bytes(out)} == before
