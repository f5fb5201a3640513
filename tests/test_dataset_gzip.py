"""``export --dataset nq.gz``: the run-wide N-Quads gzip-compressed, the same quads and the same
bytes run after run, and read back by ``load`` and ``validate`` like dataset.nq."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import synthetic_record

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "ld_publish", *args], capture_output=True,
                            text=True, timeout=600, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_the_compressed_dataset_is_the_plain_one_gzipped_and_loads_alike(tmp_path: Path
                                                                          ) -> None:
    rng = random.Random(3)
    records = [synthetic_record(n, rng, "compact") for n in range(60)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    assert cli("export", str(source), "-o", str(plain), "-q").returncode == 0
    # An earlier run's dataset.nq in the folder would not match the new report: it goes.
    packed.mkdir()
    (packed / "dataset.nq").write_bytes(b"<urn:stale> <urn:p> <urn:o> <urn:g> .\n")
    assert cli("export", str(source), "-o", str(packed), "-q", "--dataset", "nq.gz"
               ).returncode == 0
    assert not (packed / "dataset.nq").exists()
    first = (packed / "dataset.nq.gz").read_bytes()
    assert gzip.decompress(first) == (plain / "dataset.nq").read_bytes()
    assert len(first) * 5 < (plain / "dataset.nq").stat().st_size
    # Deterministic: no file name or time in the gzip header.
    assert cli("export", str(source), "-o", str(packed), "-q", "--dataset", "nq.gz"
               ).returncode == 0
    assert (packed / "dataset.nq.gz").read_bytes() == first
    # And back to the plain form: the compressed one goes.
    assert cli("export", str(source), "-o", str(packed), "-q").returncode == 0
    assert not (packed / "dataset.nq.gz").exists()
    assert cli("export", str(source), "-o", str(packed), "-q", "--dataset", "nq.gz"
               ).returncode == 0

    stores = {}
    for name, folder in (("plain", plain), ("packed", packed)):
        store_dir = tmp_path / f"store-{name}"
        done = cli("load", str(folder), "--store", str(store_dir), "-q")
        assert done.returncode == 0, done.stderr
        store = ox.Store(str(store_dir))
        stores[name] = {str(q) for q in store if "urn:ld-publish" not in str(q.graph_name)}
        del store
    assert len(stores["plain"]) > 60 * 100
    assert stores["packed"] == stores["plain"]

    checked = cli("validate", str(packed))
    assert checked.returncode == 0, checked.stderr
    assert "60" in checked.stderr + checked.stdout


def test_an_unknown_dataset_form_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(synthetic_record(1, random.Random(1), "compact")) + "\n")
    done = cli("export", str(source), "-o", str(tmp_path / "out"), "--dataset", "zip")
    assert done.returncode == 2
    assert "nq.gz" in done.stderr


def test_a_graph_that_comes_back_later_is_refused_however_far_back(tmp_path: Path) -> None:
    """The loader remembers every graph of a file (on disk past a few thousand): a graph whose
    quads are split would be half-replaced by the second part."""
    from ld_publish.errors import InputError
    from ld_publish.loaders import read_record_graphs

    quads = [f"<urn:s> <urn:p> \"{n}\" <urn:g:{n}> .\n" for n in range(4500)]
    for name, back in (("near.nq", 4498), ("far.nq", 3)):
        path = tmp_path / name
        path.write_text("".join(quads) + quads[back], "utf-8")
        read = 0
        try:
            for _ in read_record_graphs(path):
                read += 1
        except InputError as exc:
            assert f"<urn:g:{back}> are not contiguous" in exc.message
        else:
            raise AssertionError("a split graph was read")
        assert read == 4500
    whole = tmp_path / "whole.nq.gz"
    whole.write_bytes(gzip.compress("".join(quads).encode()))
    assert sum(1 for _ in read_record_graphs(whole)) == 4500
