"""``export`` under faults and hostile records: concurrent runs, a full disk, a failed write,
records past the limits, duplicate keys. Run as users run it, in real processes, on real
file systems; every folder left behind is checked the way a consumer would read it."""

from __future__ import annotations

import fcntl
import json
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

from tests.fulldisk import small_disk

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import generate, synthetic_record

PAGE = Path(__file__).parent / "fixtures" / "page"
ALL_FORMATS = "turtle,jsonld,ntriples,nquads,trig"
SCHEMA_AUTHOR = pyoxigraph.NamedNode("http://schema.org/author")


def cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "ld_publish", *args], capture_output=True,
                            text=True, timeout=600, **kwargs)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def records(count: int, seed: int = 3, size: str = "compact") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [synthetic_record(n, rng, size) for n in range(count)]


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def assert_readable(folder: Path) -> None:
    """Every document and report of an export folder parses: nothing is half written."""
    formats = {".ttl": pyoxigraph.RdfFormat.TURTLE, ".jsonld": pyoxigraph.RdfFormat.JSON_LD,
               ".nt": pyoxigraph.RdfFormat.N_TRIPLES, ".nq": pyoxigraph.RdfFormat.N_QUADS,
               ".trig": pyoxigraph.RdfFormat.TRIG}
    for path in (folder / "records").iterdir():
        assert list(pyoxigraph.parse(path=str(path), format=formats[path.suffix])), path
    for path in (folder / "quarantine").glob("*.json") if (folder / "quarantine").exists() \
            else []:
        json.loads(path.read_text("utf-8"))
    if (folder / "dataset.nq").exists():
        list(pyoxigraph.parse(path=str(folder / "dataset.nq"),
                              format=pyoxigraph.RdfFormat.N_QUADS))
    if (folder / "report.json").exists():
        json.loads((folder / "report.json").read_text("utf-8"))


# ---- one folder, one run at a time ------------------------------------------------------

def test_an_export_into_a_folder_another_run_holds_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # The other run: the lock is a real flock, held here as another process would hold it.
    with open(out / ".ld-publish.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = cli("export", str(PAGE / "seed.txt"), "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert "another ld-publish export is writing to" in result.stderr
    assert "hint:" in result.stderr and "-o" in result.stderr
    assert not (out / "dataset.nq").exists() and not (out / "report.json").exists()
    assert cli("export", str(PAGE / "seed.txt"), "-o", str(out)).returncode == 0  # released


def test_two_concurrent_exports_never_corrupt_the_folder(tmp_path: Path) -> None:
    source = tmp_path / "many.jsonl"
    generate(source, 1500, size="compact")
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "ld_publish", "export", str(source), "-o",
                              str(out), "-q"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(".dataset.nq.*.tmp")):  # the first run is writing
            assert first.poll() is None, first.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = cli("export", str(PAGE / "seed.txt"), "-o", str(out))
        assert second.returncode == 2 and "another ld-publish export" in second.stderr
    finally:
        _, errors = first.communicate(timeout=600)
    assert first.returncode == 0, errors
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert (report["read"], report["written"], report["complete"]) == (1500, 1500, True)
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(path=str(out / "dataset.nq"),
                                                  format=pyoxigraph.RdfFormat.N_QUADS))
    assert len({quad.graph_name for quad in dataset}) == 1500
    assert not temporaries(out)


def test_what_a_killed_run_left_is_removed_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "records").mkdir(parents=True)
    left = [out / ".dataset.nq.4242.tmp", out / ".report.json.4242.tmp",
            out / "records" / ".x-1234abcd.ttl.4243.tmp", out / ".reserve.4242.tmp"]
    for path in left:
        path.write_bytes(b"\0" * 100)
    assert cli("export", str(PAGE / "seed.txt"), "-o", str(out)).returncode == 0
    assert not temporaries(out)
    assert_readable(out)


# ---- a failed write: a full disk, a file-size limit ---------------------------------------

def _limit_file_size(size: int) -> None:
    # As a quota does: writes past `size` bytes in any one file fail (EFBIG) instead of
    # killing the process (SIGXFSZ).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def _assert_stopped_cleanly(out: Path, result: subprocess.CompletedProcess[str],
                            words: str) -> None:
    assert result.returncode == 3, result.stderr
    assert words in result.stderr and "hint:" in result.stderr
    assert not temporaries(out), temporaries(out)
    assert not (out / "dataset.nq").exists()  # it would pass for a complete run's
    assert_readable(out)
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["complete"] is False and words in report["stopped_by"]
    listed = {f for entry in report["records"] for f in entry.get("files", [])}
    on_disk = {f"records/{p.name}" for p in (out / "records").iterdir()}
    assert listed <= on_disk  # what the report says was written, was


def test_a_failed_write_stops_cleanly_and_still_reports(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "r.jsonl", records(300))
    out = tmp_path / "out"
    result = cli("export", str(source), "-o", str(out), "-t", "turtle",
                 preexec_fn=lambda: _limit_file_size(1024 * 1024))
    _assert_stopped_cleanly(out, result, "File too large")


def test_a_full_disk_gives_exit_3_without_a_traceback(tmp_path: Path) -> None:
    source = jsonl(tmp_path / "r.jsonl", records(400))
    # 400 compact records take ~24 MB. Workers write up to 128 records ahead of the report, so
    # on a 2 MB disk a loaded machine filled it before any record was reported written; at
    # 12 MB the disk fills mid-run with a good part of the report behind it.
    with small_disk(tmp_path / "disk", "12m") as disk:
        out = disk / "out"
        result = cli("export", str(source), "-o", str(out))
        _assert_stopped_cleanly(out, result, "No space left on device")
        report = json.loads((out / "report.json").read_text("utf-8"))
        assert 0 < report["written"] < 400


# ---- what report.json says about a quarantined record -------------------------------------

def test_a_quarantined_record_carries_its_violations_in_the_report(tmp_path: Path) -> None:
    assert cli("export", str(PAGE / "bad_orcid.txt"), "-o", str(tmp_path)).returncode == 0
    [entry] = json.loads((tmp_path / "report.json").read_text())["records"]
    assert entry["status"] == "quarantined"
    [violation] = entry["violations"]
    assert violation["field"] == "contributors[1].identifiers.orcid"
    assert "checksum" in violation["message"] and violation["hint"]


# ---- duplicate keys -----------------------------------------------------------------------

@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_first_valid_record_of_a_key_is_published(tmp_path: Path, workers: str) -> None:
    many = records(60)  # enough to start the worker pool with -j 2
    key = many[5]["key"]
    broken = json.loads(json.dumps(many[5]))
    broken["contributors"][0]["identifiers"] = [{"scheme": "orcid",
                                                 "value": "0000-0002-1825-0098"}]  # bad check
    second = {**many[5], "title": {"value": "The second description", "lang": "en"}}
    third = {**many[5], "title": {"value": "The third description", "lang": "en"}}
    invalid_later = {**broken, "title": {"value": "Broken and late", "lang": "en"}}
    lines = [*many[:5], broken, *many[6:40], second, third, invalid_later, *many[40:]]
    out = tmp_path / "out"
    result = cli("export", str(jsonl(tmp_path / "r.jsonl", lines)), "-o", str(out),
                 "-j", workers, "-t", "turtle")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert (report["read"], report["written"], report["quarantined"]) == (63, 60, 3)
    by_title = {}
    for entry, record in zip(report["records"], lines, strict=True):
        by_title[record["title"]["value"]] = entry
    first = by_title[many[5]["title"]["value"]]
    assert first["status"] == "quarantined" and "checksum" in first["violations"][0]["message"]
    assert "same key" not in first["reason"]
    assert by_title["The second description"]["status"] == "written"
    published = next((out / "records").glob("*.ttl"), None)
    assert published is not None
    from ld_publish.layout import file_name
    text = (out / "records" / f"{file_name(key)}.ttl").read_text("utf-8")
    assert "The second description" in text and "third" not in text
    third_entry = by_title["The third description"]
    assert third_entry["status"] == "quarantined" and "same key" in third_entry["reason"]
    assert "it was published" in third_entry["reason"]
    late = by_title["Broken and late"]
    assert late["status"] == "quarantined" and late["violations"]  # its own findings
    assert "checksum" in late["violations"][0]["message"]


# ---- limits ---------------------------------------------------------------------------------

def test_a_5200_author_record_is_written_in_every_format(tmp_path: Path) -> None:
    [record] = records(1, size="rich")
    template = record["contributors"][0]
    record["contributors"] = [
        {**template, "position": n, "name": f"Author{n} A.", "family": f"Author{n}",
         "given": "A", "identifiers": [], "emails": []} for n in range(1, 5201)]
    out = tmp_path / "out"
    result = cli("export", str(jsonl(tmp_path / "physics.jsonl", [record])), "-o", str(out),
                 "-t", ALL_FORMATS)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["written"] == 1, report
    assert_readable(out)
    formats = {".ttl": pyoxigraph.RdfFormat.TURTLE, ".jsonld": pyoxigraph.RdfFormat.JSON_LD,
               ".nt": pyoxigraph.RdfFormat.N_TRIPLES, ".nq": pyoxigraph.RdfFormat.N_QUADS,
               ".trig": pyoxigraph.RdfFormat.TRIG}
    files = sorted((out / "records").iterdir())
    assert {p.suffix for p in files} == set(formats)
    for path in files:
        quads = pyoxigraph.parse(path=str(path), format=formats[path.suffix])
        authors = sum(1 for q in quads if q.predicate == SCHEMA_AUTHOR)
        assert authors == 5200, path
    [jsonld] = [p for p in files if p.suffix == ".jsonld"]
    work = json.loads(jsonld.read_text("utf-8"))
    names = [a["familyName"] for a in _work_node(work)["author"]]
    assert names == [f"Author{n}" for n in range(1, 5201)]  # in order


def _work_node(document: dict[str, Any]) -> dict[str, Any]:
    nodes = document.get("@graph", [document])
    return next(n for n in nodes if "author" in n)


def test_records_past_a_limit_are_quarantined_and_the_rest_are_written(tmp_path: Path) -> None:
    good_1, long_title, many_authors, good_2 = records(4, seed=11)
    long_title["title"] = {"value": "x" * 200_000, "lang": "en"}
    many_authors["contributors"] = [{"name": f"A{n} B.", "position": n} for n in range(1, 12)]
    source = jsonl(tmp_path / "r.jsonl", [good_1, long_title, many_authors, good_2])
    out = tmp_path / "out"
    result = cli("export", str(source), "-o", str(out), "--limit", "string-chars=100000",
                 "--limit", "contributors=10")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert (report["written"], report["quarantined"]) == (2, 2)
    reasons = {e["key"]: e["reason"] for e in report["records"] if e["status"] == "quarantined"}
    assert "string-chars = 100,000" in reasons[long_title["key"]]
    assert "field title.value" in reasons[long_title["key"]]
    assert "contributors = 10" in reasons[many_authors["key"]]
    # The default limits let both through.
    assert cli("export", str(source), "-o", str(tmp_path / "all")).returncode == 0
    assert json.loads((tmp_path / "all" / "report.json").read_text())["written"] == 4


def test_a_limit_that_is_not_name_equals_number_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("export", str(PAGE / "seed.txt"), "-o", str(tmp_path), "--limit", "authors=5")
    assert result.returncode == 2
    assert "--limit 'authors=5'" in result.stderr and "contributors" in result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_line_nested_100000_deep_is_quarantined_alone(tmp_path: Path, workers: str) -> None:
    good_1, good_2 = records(2, seed=13)
    deep = '{"format": "ld-publish/1", "key": "deep", "title": ' + "[" * 100_000 \
        + "]" * 100_000 + "}"
    source = tmp_path / "deep.jsonl"
    source.write_text(f"{json.dumps(good_1)}\n{deep}\n{json.dumps(good_2)}\n", "utf-8")
    out = tmp_path / "out"
    result = cli("export", str(source), "-o", str(out), "-j", workers)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert (report["read"], report["written"], report["quarantined"]) == (3, 2, 1)
    [entry] = [e for e in report["records"] if e["status"] == "quarantined"]
    assert "nesting-depth" in entry["reason"] and "line 2" in entry["reason"]
