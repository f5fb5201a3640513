"""The CLI on bad input: a clear message naming file, record and field, the documented exit
code, and never a traceback. Run in a real subprocess, as users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).parent / "fixtures" / "page"


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "ld_publish", *args], input=stdin,
                            capture_output=True, cwd=cwd, timeout=300)
    out = subprocess.CompletedProcess(result.args, result.returncode,
                                      result.stdout.decode("utf-8", "replace"),
                                      result.stderr.decode("utf-8", "replace"))
    assert "Traceback" not in out.stdout + out.stderr, out.stderr
    return out


@pytest.mark.parametrize(("fixture", "field", "words"), [
    ("bad_orcid.txt", "contributors[1].identifiers.orcid", "checksum"),
    ("bad_doi.txt", "identifiers.doi", "not a DOI"),
    ("no_title.txt", "title", "no title"),
    ("bad_date.txt", "dates.received", "2024.13.45"),
])
def test_validate_names_file_record_and_field_and_exits_1(fixture: str, field: str,
                                                          words: str) -> None:
    result = run("validate", str(PAGE / fixture))
    assert result.returncode == 1
    text = result.stdout
    assert fixture in text  # the file
    assert "FAILS" in text
    line = next(line for line in text.splitlines() if "violation" in line and field in line)
    assert words in line
    assert "hint:" in text


@pytest.mark.parametrize("fixture", ["bad_orcid.txt", "no_title.txt"])
def test_export_quarantines_an_invalid_record_and_balances(tmp_path: Path, fixture: str) -> None:
    # three_authors.txt has a key of its own (the others share the seed's or one another's).
    result = run("export", str(PAGE / fixture), str(PAGE / "three_authors.txt"),
                 "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "quarantined" in result.stderr and fixture in result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["read"] == 2 and report["written"] == 1 and report["quarantined"] == 1
    assert report["balanced"]
    [entry] = list((tmp_path / "quarantine").glob("*.json"))
    data = json.loads(entry.read_text())
    assert data["source"]["file"].endswith(fixture)
    assert data["report"]["conforms"] is False
    assert data["raw"] == (PAGE / fixture).read_text("utf-8")  # the raw input is kept
    assert data["record"]["key"]
    strict = run("export", str(PAGE / fixture), "-o", str(tmp_path / "strict"), "--strict")
    assert strict.returncode == 1


def test_empty_file_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run("export", str(empty), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "empty.txt is empty" in result.stderr
    assert "hint:" in result.stderr


def test_binary_garbage_exits_2(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(4096) + b"\x00" * 16)
    result = run("export", str(garbage), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "garbage.bin is binary data" in result.stderr


def test_fifty_megabyte_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    seed = (PAGE / "seed.txt").read_bytes()
    with big.open("wb") as handle:
        handle.write(seed)
        filler = b"Filler line of an oversized page that keeps going. " * 20 + b"\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(filler)
    result = run("export", str(big), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "big.txt" in result.stderr and "MiB" in result.stderr
    assert "hint:" in result.stderr


def test_missing_file_and_unknown_reader_exit_2(tmp_path: Path) -> None:
    missing = run("export", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out"))
    assert missing.returncode == 2 and "nope.txt: no such file" in missing.stderr
    unknown = run("export", str(PAGE / "seed.txt"), "--from", "marc21", "-o",
                  str(tmp_path / "out2"))
    assert unknown.returncode == 2 and "unknown reader 'marc21'" in unknown.stderr
    assert not (tmp_path / "out2").exists()  # refused before anything was created


def test_a_failed_export_leaves_no_temporary_files(tmp_path: Path) -> None:
    # The run fails after its temporary files exist: report.json cannot replace a folder.
    out = tmp_path / "out"
    (out / "report.json").mkdir(parents=True)  # report.json cannot replace a folder
    result = run("export", str(PAGE / "seed.txt"), "-o", str(out))
    assert result.returncode == 3 and "Traceback" not in result.stderr  # EXIT_RUNTIME
    assert f"cannot write to {out}" in result.stderr
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_other_inputs_go_on_when_one_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run("export", str(empty), str(PAGE / "seed.txt"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["written"] == 1
    assert report["failed_sources"][0]["file"].endswith("empty.txt")


def test_stdin_and_quiet(tmp_path: Path) -> None:
    result = run("export", "-", "-o", str(tmp_path), "-q",
                 stdin=(PAGE / "seed.txt").read_bytes())
    assert result.returncode == 0 and result.stderr == ""
    assert len(list((tmp_path / "records").glob("*.ttl"))) == 1


def test_formats_lists_every_reader_and_writer() -> None:
    from ld_publish.readers import readers
    from ld_publish.writers import writers

    result = run("formats")
    assert result.returncode == 0
    for name in [*readers.names(), *writers.names()]:
        assert f"  {name} " in result.stdout


def test_python_dash_m_and_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and "ld-publish" in result.stdout


def test_a_second_record_of_the_key_from_another_file_is_merged_not_overwritten(
        tmp_path: Path) -> None:
    # crlf.txt is the seed page with CRLF line ends: another description of the same work.
    result = run("export", str(PAGE / "seed.txt"), str(PAGE / "crlf.txt"), "-o", str(tmp_path))
    assert result.returncode == 0
    assert "1 records merged" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["written"], report["quarantined"], report["merged"]) == (1, 0, 1)
    [entry] = [r for r in report["records"] if r["status"] == "merged"]
    assert entry["source"].startswith(str(PAGE / "crlf.txt"))
    assert entry["into"].startswith(str(PAGE / "seed.txt"))
    [written] = [r for r in report["records"] if r["status"] == "written"]
    assert written["source"].startswith(str(PAGE / "seed.txt"))
    assert report["merges"][0]["sources"] == [written["source"], entry["source"]]


def test_tar_archive_is_read_member_by_member_and_damage_is_reported(tmp_path: Path) -> None:
    import gzip
    import tarfile

    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.txt").write_bytes((PAGE / "three_authors.txt").read_bytes())
    (folder / "b.json.gz").write_bytes(gzip.compress(
        (Path(__file__).parents[1] / "samples" / "crossref-elife-01567.json").read_bytes()))
    archive = tmp_path / "records.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("a.txt", "b.json.gz"):
            tar.add(folder / name, arcname=name)
    result = run("export", str(archive), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [r["source"].split("!")[1].split(":")[0] for r in report["records"]] == [
        "a.txt", "b.json.gz #1"]

    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = run("export", str(damaged), str(PAGE / "seed.txt"), "-o", str(tmp_path / "o2"))
    assert result.returncode == 2
    assert "damaged.tar.gz" in result.stderr and "damaged or truncated" in result.stderr
    report = json.loads((tmp_path / "o2" / "report.json").read_text())
    assert any(r["source"].startswith(str(PAGE / "seed.txt")) and r["status"] == "written"
               for r in report["records"])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_unpaired_surrogates_quarantine_their_record_not_the_run(tmp_path: Path,
                                                                  workers: str) -> None:
    # JSON can smuggle an unpaired surrogate in through a \ud800 escape; UTF-8 cannot hold it.
    base = json.loads((Path(__file__).parent.parent / "samples" / "native-minimal.json")
                      .read_text("utf-8"))
    lines = []
    for n in range(40):  # more than one chunk, so the workers decode too
        record = dict(base, key=f"rec-{n}", doi=f"10.5555/surrogate.{n}")
        if n == 5:
            record["key"] = "rec-\ud800-5"
        if n == 33:
            record["title"] = {"value": "A title \udc00 here", "lang": "en"}
        lines.append(json.dumps(record))
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join(lines) + "\n", "ascii")
    result = run("export", str(source), "-o", str(tmp_path / "out"), "-j", workers)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert (report["written"], report["quarantined"]) == (38, 2)
    reasons = {e["key"]: e["reason"] for e in report["records"] if e["status"] == "quarantined"}
    assert reasons["rec-\ud800-5"].startswith("field key contains an unpaired UTF-16 surrogate")
    assert reasons["rec-33"].startswith("field title contains an unpaired UTF-16 surrogate")


def test_summary_counts_warnings_and_notices_apart(tmp_path: Path) -> None:
    # A line separator in the title is a warning, a decomposed name a notice; the summary used
    # to add the notices to the warnings.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import random

    from bench_export import synthetic_record
    record = synthetic_record(1, random.Random(1), "compact")
    record["title"]["value"] = "Regions\u2028and borders"
    record["contributors"][0]["family"] = "Mu\u0308ller"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n", "utf-8")
    out = tmp_path / "out"
    result = run("export", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    severities = [f["severity"] for r in report["records"] for f in r.get("warnings", [])]
    assert severities.count("info") > 0 and severities.count("warning") > 0
    assert (report["warnings"], report["infos"]) == (severities.count("warning"),
                                                     severities.count("info"))
    assert f"{report['warnings']} warnings, {report['infos']} notices" in result.stderr


@pytest.mark.parametrize("forced", ["crossref", "ris", "jsonl", "json", "bibtex", "datacite"])
def test_a_wrong_from_is_exit_2_naming_the_format_the_file_has(tmp_path: Path,
                                                                forced: str) -> None:
    # One rule for every reader: the RIS and JSON Lines readers used to quarantine every line
    # of a file in another format (exit 0), others refused it (exit 2).
    out = tmp_path / "out"
    result = run("export", "--from", forced, str(PAGE / "seed.txt"), "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert f"does not look like {forced} input; it looks like page" in result.stderr
    assert "hint: leave out --from" in result.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["read"] == 0 and len(report["failed_sources"]) == 1


def test_from_is_trusted_when_no_reader_recognises_the_file(tmp_path: Path) -> None:
    # Naming the reader is what users do when detection fails: the named reader reads the file
    # (here it finds a record without the fields a work needs, which goes to quarantine).
    source = tmp_path / "notes.txt"
    source.write_text("Just some prose that is no record at all.\nAnother line.\n", "utf-8")
    detected = run("export", str(source), "-o", str(tmp_path / "a"))
    assert detected.returncode == 2 and "cannot tell which format" in detected.stderr
    forced = run("export", "--from", "page", str(source), "-o", str(tmp_path / "b"))
    assert forced.returncode == 0, forced.stderr
    report = json.loads((tmp_path / "b" / "report.json").read_text("utf-8"))
    assert (report["read"], report["quarantined"], report["failed_sources"]) == (1, 1, [])


def test_shell_completion_completes_commands_and_readers() -> None:
    env = {**os.environ, "_LD_PUBLISH_COMPLETE": "bash_complete", "COMP_WORDS": "ld-publish exp",
           "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-m", "ld_publish"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert "plain,export" in done.stdout.splitlines()


def test_a_folder_holding_a_readme_is_read_and_the_readme_noted(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "seed.txt").write_bytes((PAGE / "seed.txt").read_bytes())
    (folder / "README.md").write_text("# Records of the journal\n\nExported weekly.\n", "utf-8")
    (folder / "LICENSE").write_text("CC0 1.0 Universal\n", "utf-8")
    out = tmp_path / "out"
    result = run("export", str(folder), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"note: skipped {folder / 'README.md'}: no reader recognises it" in result.stderr
    assert "2 files of no known format skipped" in result.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["written"] == 1 and report["failed_sources"] == []
    assert sorted(s["file"] for s in report["skipped_sources"]) == [
        str(folder / "LICENSE"), str(folder / "README.md")]
    # validate and load treat the folder the same way.
    checked = run("validate", str(folder))
    assert checked.returncode == 0 and "note: skipped" in checked.stderr, checked.stderr
    loaded = run("load", str(folder), "--store", str(tmp_path / "store"), "--quarantine",
                 str(tmp_path / "q"))
    assert loaded.returncode == 0 and "note: skipped" in loaded.stderr, loaded.stderr
    # Named on its own, a file of no known format is still an error.
    alone = run("export", str(folder / "README.md"), "-o", str(tmp_path / "alone"))
    assert alone.returncode == 2 and "cannot tell which format" in alone.stderr


def test_an_export_into_a_folder_with_an_earlier_one_replaces_its_records(
        tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import random

    from bench_export import synthetic_record
    rng = random.Random(3)
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps(synthetic_record(n, rng, "compact")) + "\n"
                             for n in range(3)), "utf-8")
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps(synthetic_record(7, rng, "compact")) + "\n", "utf-8")
    out = tmp_path / "out"
    assert run("export", str(first), "-o", str(out)).returncode == 0
    (out / "notes.txt").write_text("mine, not ld-publish's", "utf-8")
    result = run("export", str(second), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "6 files of an earlier run removed" in result.stderr  # 3 records × .ttl, .jsonld
    report = json.loads((out / "report.json").read_text("utf-8"))
    listed = {f for r in report["records"] for f in r.get("files", [])}
    on_disk = {f"records/{p.name}" for p in (out / "records").iterdir()}
    assert on_disk == listed and len(listed) == 2 and report["removed_stale"] == 6
    # Only the files export names itself are touched.
    assert (out / "notes.txt").read_text("utf-8") == "mine, not ld-publish's"


@pytest.mark.parametrize("reader,document", [
    ("csl-json", "[]"), ("datacite", '{"data": []}'), ("json", "[]"),
    ("crossref", '{"status": "ok", "message-type": "work-list", "message": {"items": []}}'),
    ("schema-org", '{"@context": "https://schema.org", "@graph": '
                   '[{"@type": "Person", "name": "A"}]}'),
])
def test_a_document_holding_no_record_is_exit_2_not_a_silent_success(
        tmp_path: Path, reader: str, document: str) -> None:
    # Found by the reader fuzzing: such files read as nothing, and the export said nothing.
    source = tmp_path / "nothing.json"
    source.write_text(document, "utf-8")
    result = run("export", "--from", reader, str(source), "-o", str(tmp_path / "out"))
    assert result.returncode == 2, result.stderr
    assert "holds no" in result.stderr and "hint:" in result.stderr


def test_fuzz_finds_stay_fixed(tmp_path: Path) -> None:
    # A CSL item whose "type" is an object made every JSON reader's sniffing raise TypeError
    # (a "bug in ld-publish"); a UTF-16 file cut in the middle of a character read as nothing.
    csl = tmp_path / "items.json"
    csl.write_text(json.dumps([{"id": "a", "type": {"d": {"d": 1}}, "title": "T"}]), "utf-8")
    result = run("export", str(csl), "-o", str(tmp_path / "a"))
    assert "bug in ld-publish" not in result.stderr and result.returncode in (0, 2)
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"\xff\xfe{")
    result = run("export", "--from", "jsonl", str(cut), "-o", str(tmp_path / "b"))
    assert result.returncode == 2 and "ends in the middle of a character" in result.stderr
