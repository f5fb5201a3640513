"""Records and files past the size limits: the record fails alone, the file's other records are
read, and memory never holds more than the limit of one record.

``record-bytes`` bounds one record of a streamed format (a JSON Lines line, a RIS record, a
BibTeX entry); ``document-bytes`` bounds a file read as one document. Both are set with
``--limit``; the messages name the limit and how to raise it.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ld_publish.errors import InputError
from ld_publish.limits import DEFAULT_LIMITS, Limits, use
from ld_publish.model import Rejected, Work
from ld_publish.readers import readers
from ld_publish.sources import InputSource

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import synthetic_record

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def small_records() -> Any:
    use(Limits(record_bytes=2_000, document_bytes=20_000))
    yield
    use(DEFAULT_LIMITS)


def test_a_line_past_the_limit_is_not_held_whole(small_records: None) -> None:
    data = b"first\n" + b"x" * 1_000_000 + b"\nthird\r\nfourth"
    lines = list(InputSource.from_bytes("a.txt", data).lines())
    assert [line.number for line in lines] == [1, 2, 3, 4]
    assert [lines[0].text, lines[2].text, lines[3].text] == ["first\n", "third\r\n", "fourth"]
    too_long = lines[1]
    assert too_long.error is not None and len(too_long.text) < 500
    assert "1,000,001 bytes long" in too_long.error.reason
    assert "record-bytes = 2,000" in too_long.error.reason
    assert "--limit record-bytes=N" in too_long.error.hint


def test_a_line_just_at_the_limit_is_read(small_records: None) -> None:
    data = b"y" * 2_000 + b"\n" + b"z" * 2_000
    lines = list(InputSource.from_bytes("a.txt", data).lines())
    assert [(line.error, len(line.text)) for line in lines] == [(None, 2_001), (None, 2_000)]


def _pair(reader: str, big: str) -> list[Work | Rejected]:
    return list(readers.get(reader).read(InputSource.from_bytes("in", big.encode())))


@pytest.mark.parametrize("reader", ["jsonl", "crossref"])
def test_json_lines_past_the_limit_fail_alone(reader: str, small_records: None) -> None:
    if reader == "jsonl":
        lines = [{"key": "a", "title": "A" * 5_000}, {"key": "b", "title": "Fine"}]
    else:
        lines = [{"DOI": "10.1/a", "title": ["A" * 5_000]}, {"DOI": "10.1/b", "title": ["Fine"]}]
    source = InputSource.from_bytes("in.jsonl", "".join(json.dumps(x) + "\n"
                                                        for x in lines).encode())
    first, second = readers.get(reader).read(source)
    assert isinstance(first, Rejected) and "record-bytes = 2,000" in first.reason
    assert first.source.line == 1 and first.hint and "--limit record-bytes" in first.hint
    assert isinstance(second, Work) and second.title is not None
    assert second.title.value == "Fine"


def test_a_ris_record_past_the_limit_fails_alone(small_records: None) -> None:
    wrapped = "".join(f"   continuation line {n} of a long abstract\n" for n in range(200))
    text = (f"TY  - JOUR\nTI  - Too big\nAB  - start\n{wrapped}ER  - \n"
            "TY  - JOUR\nTI  - Fine\nAU  - Doe, Jane\nER  - \n")
    first, second = _pair("ris", text)
    assert isinstance(first, Rejected)
    assert "record 1 (from line 1) is longer than the limit record-bytes = 2,000" in first.reason
    assert len(first.raw) < 2_500
    assert isinstance(second, Work) and second.title is not None
    assert second.title.value == "Fine"


def test_ris_wrapped_values_are_joined(small_records: None) -> None:
    # Joined once at the end of the record, as one value with single spaces.
    text = "TY  - JOUR\nTI  - A title\n  wrapped\n   twice\nAU  - Doe, J\nER  - \n"
    [work] = _pair("ris", text)
    assert isinstance(work, Work) and work.title is not None
    assert work.title.value == "A title wrapped twice"


def test_a_ris_file_of_lines_outside_records_keeps_a_bounded_part(small_records: None) -> None:
    text = "".join(f"stray line {n}\n" for n in range(5_000)) + \
        "TY  - JOUR\nTI  - Fine\nER  - \n"
    first, second = _pair("ris", text)
    assert isinstance(first, Rejected) and "belong to no record" in first.reason
    assert len(first.raw) < 3_000
    assert isinstance(second, Work)


def test_a_bibtex_entry_past_the_limit_fails_alone(small_records: None) -> None:
    text = ("@article{big, title = {" + "word " * 1_000 + "}, author = {Doe, J}}\n"
            "@article{fine, title = {Fine}, author = {Doe, J}, year = 2020}\n")
    first, second = _pair("bibtex", text)
    assert isinstance(first, Rejected) and "record-bytes = 2,000" in first.reason
    assert first.source.pointer == "big" and first.hint
    assert isinstance(second, Work)


def test_a_document_past_the_limit_names_the_limit(small_records: None) -> None:
    data = json.dumps([{"key": f"k{n}", "title": "t" * 100} for n in range(300)]).encode()
    with pytest.raises(InputError) as info:
        list(readers.get("json").read(InputSource.from_bytes("big.json", data)))
    assert "document-bytes = 20,000" in info.value.message
    assert info.value.hint and "--limit document-bytes=N" in info.value.hint


def test_cli_quarantines_a_line_past_the_limit_and_writes_the_rest(tmp_path: Path) -> None:
    rng = random.Random(4)
    good = [synthetic_record(n, rng, "compact") for n in range(3)]
    big = {**synthetic_record(9, rng, "compact"), "key": "big",
           "abstracts": [{"value": "an abstract " * 5_000, "lang": "en"}]}
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in [good[0], big, good[1], good[2]]),
                      "utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "ld_publish", "export", str(source), "-o",
                             str(out), "--limit", "record-bytes=50000", "-j", "1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert (report["read"], report["written"], report["quarantined"]) == (4, 3, 1)
    [entry] = [r for r in report["records"] if r["status"] == "quarantined"]
    assert "line 2 is" in entry["reason"] and "record-bytes = 50,000" in entry["reason"]
    assert "Traceback" not in result.stderr


def test_cli_document_limit_is_exit_2_with_the_hint(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "ld_publish", "export",
                             str(FIXTURES / "page" / "seed.txt"), "-o", str(out), "--limit",
                             "document-bytes=1000"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "document-bytes = 1,000" in result.stderr and "--limit document-bytes=N" in \
        result.stderr


def test_load_takes_the_limits_too(tmp_path: Path) -> None:
    rng = random.Random(5)
    good = synthetic_record(1, rng, "compact")
    big = {**synthetic_record(2, rng, "compact"), "key": "big",
           "abstracts": [{"value": "an abstract " * 5_000, "lang": "en"}]}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(good) + "\n" + json.dumps(big) + "\n", "utf-8")

    def load(store: str, *more: str) -> str:
        result = subprocess.run([sys.executable, "-m", "ld_publish", "load", str(source),
                                 "--store", str(tmp_path / store), "--quarantine",
                                 str(tmp_path / "q"), *more],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stderr

    said = load("limited", "--limit", "record-bytes=50000")
    assert "read 2 = loaded 1 + unchanged 0 + quarantined 1" in said, said
    assert "line 2 is 61,759 bytes long" in said and "record-bytes = 50,000" in said
    assert "read 2 = loaded 2 + unchanged 0 + quarantined 0" in load("default")
