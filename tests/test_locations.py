"""Inputs and output folders as ``file://`` URLs; output folders of other protocols are refused
before anything is read or written (inputs on object storage: tests/test_object_storage.py)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_export import synthetic_record  # noqa: E402

from ld_publish.errors import UsageError  # noqa: E402
from ld_publish.locations import local_path  # noqa: E402
from tests.test_cluster import assert_same_output, cli, folder_bytes, write_jsonl  # noqa: E402


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """Records in a folder whose name needs percent-encoding in a URL."""
    rng = random.Random(4)
    return write_jsonl(tmp_path / "in put" / "r.jsonl",
                       [synthetic_record(n, rng, "compact") for n in range(40)])


def test_local_path_of_file_urls_and_paths() -> None:
    assert local_path("file:///data/a%20b/in.jsonl", "input") == "/data/a b/in.jsonl"
    assert local_path("file://localhost/data/x", "input") == "/data/x"
    assert local_path("local:///data/x", "input") == "/data/x"
    assert local_path("/data/x", "input") == "/data/x"
    assert local_path("relative/x", "input") == "relative/x"
    assert local_path("-", "input") == "-"


@pytest.mark.parametrize("url", ["s3://bucket/records", "gcs://b/x", "file://server/data/x"])
def test_other_locations_are_refused_as_folders_with_a_hint(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        local_path(url, "output folder")
    assert url in str(caught.value) and caught.value.hint


def test_export_to_and_from_file_urls_writes_what_paths_give(source: Path, tmp_path: Path
                                                             ) -> None:
    # The labels in report.json are the paths the URLs name, so the runs compare byte for byte.
    plain = tmp_path / "plain"
    assert cli("export", str(source), "-o", str(plain), "-q").returncode == 0
    out = tmp_path / "by url"
    result = cli("export", source.as_uri(), "-o", out.as_uri(), "-q")
    assert result.returncode == 0, result.stderr
    report = assert_same_output(plain, out)
    assert report["written"] == 40


def test_a_cluster_export_reads_and_writes_file_urls(source: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    plain = tmp_path / "plain"
    assert cli("export", str(source), "-o", str(plain), "-q").returncode == 0
    out = tmp_path / "cluster"
    result = cli("export", source.parent.as_uri(), "-o", out.as_uri(), "-q",
                 "--cluster", "local:2")
    assert result.returncode == 0, result.stderr
    assert folder_bytes(out / "records") == folder_bytes(plain / "records")
    assert (out / "dataset.nq").read_bytes() == (plain / "dataset.nq").read_bytes()


def test_load_and_site_take_file_urls(source: Path, tmp_path: Path) -> None:
    result = cli("load", source.as_uri(), "--store", str(tmp_path / "store"), "-q")
    assert result.returncode == 0, result.stderr
    assert "read 40 = loaded 40" in result.stderr
    site = tmp_path / "site"
    result = cli("site", source.as_uri(), "-o", site.as_uri(), "-q",
                 "--base", "https://journal.example/ld/")
    assert result.returncode == 0, result.stderr
    assert (site / "index.html").is_file() and (site / "site.json").is_file()


@pytest.mark.parametrize("command", ["export", "site"])
def test_an_object_store_output_is_exit_2_and_nothing_is_written(source: Path,
                                                                 command: str) -> None:
    result = cli(command, str(source), "-o", "s3://bucket/out",
                 "--base", "https://journal.example/ld/")
    assert result.returncode == 2, result.stderr
    assert "s3://" in result.stderr and "cannot be on object storage" in result.stderr
    assert "inputs may be on object storage" in result.stderr and "upload" in result.stderr
    # Taken as a path, the URL would have made a folder "s3:" where the CLI runs.
    assert not (ROOT / "s3:").exists()


def test_load_refuses_a_quarantine_or_journal_on_object_storage(source: Path,
                                                               tmp_path: Path) -> None:
    for option in ("--quarantine", "--journal"):
        result = cli("load", str(source), "--store", str(tmp_path / "store"), option,
                     "s3://bucket/q", "-q")
        assert result.returncode == 2, result.stderr
        assert "s3://bucket/q" in result.stderr and "cannot be on object storage" in result.stderr
    assert not (ROOT / "s3:").exists() and not (tmp_path / "store").exists()


@pytest.mark.parametrize("command", ["load", "query"])
def test_an_embedded_store_on_object_storage_is_refused(source: Path, command: str) -> None:
    args = (str(source),) if command == "load" else ("SELECT * WHERE { ?s ?p ?o } LIMIT 1",)
    result = cli(command, *args, "--store", "s3://bucket/store", "-q")
    assert result.returncode == 2, result.stderr
    assert "s3://bucket/store" in result.stderr and "cannot be on object storage" in result.stderr
    assert not (ROOT / "s3:").exists()
