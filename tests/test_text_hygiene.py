"""Unicode hygiene: every text is published in NFC without control characters or line
separators, and bidi controls, zero-width characters and mojibake are reported, whichever
reader the text came from."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.text_hygiene import clean_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import synthetic_record

BREAKERS = "\u2028\u2029\u0085"
CONTROLS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F,
                              *range(0x80, 0xA0)]]


@pytest.mark.parametrize(("text", "published", "words"), [
    ("Mu\u0308ller", "Müller", "NFC"),
    ("one\u2028two", "one\ntwo", "U+2028 replaced by a newline"),
    ("a\u0085b", "a\nb", "U+0085 replaced"),
    ("esc\u009b[31m", "esc[31m", "U+009B removed"),
    ("bell\x07", "bell", "U+0007 removed"),
    ("evil\u202etxt.exe", "evil\u202etxt.exe", "bidirectional control U+202E"),
    ("10.1000/a\u200db", "10.1000/a\u200db", "zero-width character U+200D"),
    ("RÃ¼diger", "RÃ¼diger", "did the source mean 'Rüdiger'"),
    ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "ÐŸÑ€Ð¸Ð²ÐµÑ‚", "'Привет'"),
])
def test_each_kind_is_cleaned_or_reported(text: str, published: str, words: str) -> None:
    cleaned, notices = clean_text(text, "title")
    assert cleaned == published
    assert any(words in n.message for n in notices), [n.message for n in notices]
    assert all(n.field == "title" and n.value == text and n.hint for n in notices)


@pytest.mark.parametrize("text", ["Plain ASCII", "Müller", "Привет, мир", "東京大学",
                                  "García-Márquez", "tab\tand\nnewline", "© 2024 — “quoted”",
                                  "Ã la carte"])
def test_ordinary_text_passes_untouched_and_unreported(text: str) -> None:
    assert clean_text(text, "title") == (text, [])


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_published_text_is_nfc_without_controls_or_separators(text: str) -> None:
    cleaned, _ = clean_text(text, "f")
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not any(ch in cleaned for ch in [*BREAKERS, *CONTROLS])
    again, notices = clean_text(cleaned, "f")
    assert again == cleaned  # cleaning twice changes nothing more
    assert all(n.severity == "warning" for n in notices)  # only what is reported, not changed


def _record(**changes: Any) -> dict[str, Any]:
    record = synthetic_record(1, random.Random(4), "compact")
    record.update(changes)
    return record


def test_the_cli_publishes_clean_text_in_every_format_and_reports_why(tmp_path: Path) -> None:
    record = _record(title={"value": "Regions\u2028and\u0085borders\u009b of \u202eEurope",
                            "lang": "en"})
    record["contributors"][0].update(family="Mu\u0308ller", name="Mu\u0308ller A.")
    record["contributors"][1].update(family="Müller", name="Müller B.")
    source = tmp_path / "r.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=True) + "\n", "utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "ld_publish", "export", str(source), "-o",
                             str(out), "-t", "turtle,jsonld,ntriples,nquads,trig"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for path in (out / "records").iterdir():
        text = path.read_text("utf-8")
        assert not any(ch in text for ch in [*BREAKERS, "\u009b"]), path
        assert "Mu\u0308ller" not in text and "Müller" in text
    [entry] = json.loads((out / "report.json").read_text())["records"]
    messages = {(w["field"], w["message"].split(":")[0]) for w in entry["warnings"]}
    assert ("title", "line separator U+0085, U+2028 replaced by a newline") in messages
    assert ("title", "control character U+009B removed") in messages
    assert ("title", "bidirectional control U+202E in the text") in messages
