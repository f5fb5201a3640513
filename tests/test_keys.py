"""FirstOfKey: the run-long index of keys keeps each first record's place compactly; what it
tells about duplicates must be what the full labels told."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ld_publish.keys import FirstOfKey
from ld_publish.model import Source


@dataclass(frozen=True)
class Seen:
    """The parts of an Outcome that FirstOfKey reads (and _duplicate replaces)."""

    key: str
    source: Source
    quarantined: bool = False
    from_work: bool = True
    record: object = None
    reason: str | None = None
    hint: str | None = None
    documents: object = None
    files: tuple[str, ...] = ()
    nquads: bytes | None = None
    graph: object = None
    merged_into: str | None = None


@pytest.mark.parametrize("line", [None, 0, 7, 2**41])
@pytest.mark.parametrize("position", [0, 1, 123_456, 2**40])
def test_a_duplicate_names_the_first_record_as_its_label_does(line: int | None,
                                                              position: int) -> None:
    firsts = FirstOfKey()
    first = Source("/data/part 1: a #file.jsonl", "jsonl", position, line)
    firsts.decide(Seen("k", first))  # type: ignore[arg-type]
    later = Source("/data/other.jsonl", "jsonl", 3, 3)
    outcome, write = firsts.decide(Seen("k", later))  # type: ignore[arg-type]
    assert not write
    assert outcome.reason is not None and f"({first.label()})" in outcome.reason


def test_first_valid_record_wins_and_the_same_record_read_twice_is_no_duplicate() -> None:
    firsts = FirstOfKey()
    a = Source("a.jsonl", "jsonl", 1, 1)
    b = Source("b.jsonl", "jsonl", 1, 1)
    quarantined, _ = firsts.decide(Seen("k", a, quarantined=True))  # type: ignore[arg-type]
    assert quarantined.reason is None
    published, _ = firsts.decide(Seen("k", b))  # type: ignore[arg-type]
    assert published.reason is None  # the first *valid* record is published
    again, _ = firsts.decide(Seen("k", b))  # type: ignore[arg-type]
    assert again.reason is None  # the same file named twice: published twice, identically
    later, _ = firsts.decide(Seen("k", Source("c.jsonl", "jsonl", 2, 2)))  # type: ignore[arg-type]
    assert later.reason is not None and "(b.jsonl:1 #1)" in later.reason


@dataclass(frozen=True)
class Record:
    """What a kept record must have for FirstOfKey: its source."""

    source: Source


def _seen(path: str, position: int = 1, quarantined: bool = False) -> Seen:
    source = Source(path, "bibtex", position, position)
    reason = "the record violates the shapes" if quarantined else None
    return Seen("k", source, quarantined=quarantined, record=Record(source), reason=reason)


def test_merging_keeps_later_records_of_other_sources_only() -> None:
    firsts = FirstOfKey(merging=True)
    first, write = firsts.decide(_seen("a.bib"))  # type: ignore[arg-type]
    assert write and first.reason is None and first.record is None
    same_file, _ = firsts.decide(_seen("a.bib", 2))  # type: ignore[arg-type]
    assert "same key" in (same_file.reason or "")  # within one source: a duplicate still
    other, write = firsts.decide(_seen("b.json"))  # type: ignore[arg-type]
    assert not write and other.reason is None and other.merged_into == "a.bib:1 #1"
    again, _ = firsts.decide(_seen("b.json", 2))  # type: ignore[arg-type]
    assert "same key" in (again.reason or "")  # b.json gave the key its description already
    broken, _ = firsts.decide(_seen("c.ris", quarantined=True))  # type: ignore[arg-type]
    assert broken.merged_into is None and "besides" in (broken.reason or "")
    third, _ = firsts.decide(_seen("d.ris"))  # type: ignore[arg-type]
    assert third.merged_into == "a.bib:1 #1"
    (group,) = firsts.merges.groups()
    assert group.first == ("a.bib", 1, 1)
    assert [r.source.path for r in group.later] == ["b.json", "d.ris"]


def test_without_merging_or_after_standard_input_a_later_source_is_a_duplicate() -> None:
    plain = FirstOfKey()
    plain.decide(_seen("a.bib"))  # type: ignore[arg-type]
    later, _ = plain.decide(_seen("b.json"))  # type: ignore[arg-type]
    assert "same key" in (later.reason or "") and not plain.merges
    # Standard input cannot be read again for the merge at the end of the run.
    merging = FirstOfKey(merging=True)
    merging.decide(_seen("<stdin>"))  # type: ignore[arg-type]
    later, _ = merging.decide(_seen("b.json"))  # type: ignore[arg-type]
    assert "same key" in (later.reason or "") and not merging.merges
