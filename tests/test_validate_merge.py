"""``validate`` of one work from several sources: each record is checked on its own, the later
one is marked merged, and the merged record (what export would publish) is checked too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.test_merge_export import BIB, CROSSREF, KEY, _native, cli


def validate(*inputs: Path, code: int = 0) -> list[dict[str, Any]]:
    result = cli("validate", "--format", "json", *map(str, inputs))
    assert result.returncode == code, result.stderr
    records: list[dict[str, Any]] = json.loads(result.stdout)["records"]
    return records


def test_the_later_source_is_marked_merged_and_the_merged_record_is_checked() -> None:
    first, later, merged = validate(BIB, CROSSREF)
    assert [r["key"] for r in (first, later, merged)] == [KEY] * 3
    assert first["source"] == f"{BIB}:1 #1" and "merged_into" not in first
    assert later["source"] == f"{CROSSREF} #1" and later["merged_into"] == f"{BIB}:1 #1"
    assert merged["source"] == f"merged: {BIB}:1 #1 + {CROSSREF} #1"
    assert all(r["conforms"] for r in (first, later, merged))
    # The merged record's own findings: Crossref's five authors without ORCID iDs (the
    # BibTeX entry's record alone has its own, fewer, findings).
    orcid = [f for f in merged["findings"] if "ORCID" in f["message"]]
    assert len(orcid) == 5
    assert merged["findings"] != first["findings"]


def test_a_merge_that_breaks_the_shapes_fails_validation(tmp_path: Path) -> None:
    received = _native(tmp_path / "received.json", [{"kind": "received", "value": "2020-05-01"}])
    accepted = _native(tmp_path / "accepted.json", [{"kind": "accepted", "value": "2019-01-01"}])
    first, later, merged = validate(received, accepted, code=1)
    assert first["conforms"] and later["conforms"]
    assert later["merged_into"] == f"{received} #1"
    assert not merged["conforms"] and merged["source"].startswith("merged: ")
    assert any("dates" in f["field"] for f in merged["findings"]
               if f["severity"] == "violation")


def test_a_key_repeated_within_one_source_is_not_merged(tmp_path: Path) -> None:
    text = BIB.read_text("utf-8")
    twice = tmp_path / "twice.bib"
    twice.write_text(text + "\n" + text.replace("Sankar_2014", "Sankar_2014_again"), "utf-8")
    records = validate(twice)
    assert len(records) == 2
    assert not any("merged_into" in r or r["source"].startswith("merged:") for r in records)



def test_prefer_on_validate_is_read_and_checked() -> None:
    result = cli("validate", "--format", "json", "--prefer", "bibtex", str(CROSSREF), str(BIB))
    assert result.returncode == 0, result.stderr
    merged = json.loads(result.stdout)["records"][-1]
    assert merged["source"] == f"merged: {CROSSREF} #1 + {BIB}:1 #1" and merged["conforms"]
    bad = cli("validate", "--prefer", "nope", str(BIB))
    assert bad.returncode == 2 and "unknown reader 'nope'" in bad.stderr
