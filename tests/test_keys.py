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
