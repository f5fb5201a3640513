"""The store of records to merge: what it tells during the stream and gives in the merge phase
must be what the dict of groups it replaced told and gave, in memory and past its spill
threshold on disk alike."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.errors import UsageError
from ld_publish.keys import Place
from ld_publish.merge_store import SPILL, SPILL_VARIABLE, MergeStore, spill_threshold
from ld_publish.model import Source, Text, Work

PATHS = ["a.jsonl", "b.bib", "c.json", "d.ris"]


def _first(key: int) -> Place:
    """Where key ``key``'s first record was read: a file of its own for some, lines or not."""
    path = PATHS[key % 2] if key % 5 else f"own-{key}.json"
    return (path, None if key % 3 == 0 else 10 + key, key + 1)


def _record(key: int, path: str, n: int) -> Work:
    line = None if n % 4 == 0 else n
    return Work(f"10.5555/{key}", Source(path, "native", n + 1, line),
                title=Text(f"record {n} of {key} from {path}", "en"))


# (key, path of the later record) in stream order; a key's first record is at _first(key).
Stream = list[tuple[int, int]]
streams = st.lists(st.tuples(st.integers(0, 12), st.integers(0, len(PATHS) - 1)), max_size=60)


def _model(stream: Stream) -> tuple[dict[str, tuple[Place, list[Work]]], list[bool]]:
    """What FirstOfKey.merges (a dict of MergeGroup by key) held, and what each add said."""
    groups: dict[str, tuple[Place, list[Work]]] = {}
    said = []
    for n, (key, path_index) in enumerate(stream):
        record = _record(key, PATHS[path_index], n)
        first, later = groups.get(record.key, (_first(key), []))
        path = record.source.path
        kept = path != first[0] and all(r.source.path != path for r in later)
        if kept:
            later.append(record)
            groups[record.key] = (first, later)
        said.append(kept)
    return groups, said


def _fill(stream: Stream, spill: int) -> MergeStore:
    store = MergeStore(spill=spill)
    for n, (key, path_index) in enumerate(stream):
        store.add(f"10.5555/{key}", _first(key), _record(key, PATHS[path_index], n))
    return store


@settings(max_examples=60, deadline=None)
@given(streams, st.integers(0, 8))
def test_the_store_keeps_what_the_dict_of_groups_kept(stream: Stream, spill: int) -> None:
    groups, said = _model(stream)
    store = MergeStore(spill=spill)
    try:
        for n, (key, path_index) in enumerate(stream):
            record = _record(key, PATHS[path_index], n)
            assert store.add(record.key, _first(key), record) == said[n]
        kept = sum(len(later) for _, later in groups.values())
        assert store.spilled == (kept > spill)  # past the threshold, on disk
        assert len(store) == len(groups) and bool(store) == bool(groups)
        assert [(g.key, g.first, g.later) for g in store.groups()] == [
            (key, first, later) for key, (first, later) in groups.items()]
        # Lookups by place: each group's first, in order met; nothing elsewhere.
        assert store.unread_paths() == Counter(first[0] for first, _ in groups.values())
        for seq, (first, _) in enumerate(groups.values()):
            assert store.unread(first) == seq
        assert store.unread(("a.jsonl", 999, 999)) is None
        assert store.unread(("nowhere.json", None, 1)) is None
    finally:
        store.close()


@settings(max_examples=60, deadline=None)
@given(streams, st.integers(0, 8), st.randoms(use_true_random=False), st.floats(0, 1))
def test_the_merge_phase_gives_every_group_in_the_order_met(
        stream: Stream, spill: int, rng: random.Random, found_share: float) -> None:
    groups, _ = _model(stream)
    store = _fill(stream, spill)
    # The first records read again: some not found (their file changed), in any order (the
    # input order of their places need not be the order their merges were met in).
    places = [first for first, _ in groups.values()]
    found = [place for place in places if rng.random() < found_share]
    rng.shuffle(found)
    read = {place: Work(f"first at {place}", Source(place[0], "native", place[2], place[1]))
            for place in found}

    def reading() -> Iterator[tuple[int, Work]]:
        for place in found:
            seq = store.unread(place)  # asked as each comes, as find_records does
            assert seq == places.index(place)
            yield seq, read[place]
            assert store.unread(place) is None  # read: no longer wanted

    try:
        given_back = [(g.key, g.first, g.later, first) for g, first in store.in_turn(reading())]
        assert given_back == [(key, first, later, read.get(first))
                              for key, (first, later) in groups.items()]
        assert not store and not list(store.groups())  # each group left as it was given
    finally:
        store.close()


def test_records_read_ahead_of_their_turn_spill_too() -> None:
    # Later copies in the reverse order of the first ones: every first record but the last
    # one read comes ahead of its turn and waits, past the threshold on disk.
    store = MergeStore(spill=12)
    keys = range(10)
    for key in reversed(keys):
        store.add(f"k{key}", ("first.jsonl", key, key + 1), _record(key, "copy.jsonl", key))
    assert not store.spilled
    firsts = {key: _record(key, "first.jsonl", key) for key in keys}
    found = ((store.unread(("first.jsonl", key, key + 1)), firsts[key]) for key in keys)
    out = []
    for group, first in store.in_turn(found):  # type: ignore[arg-type]
        assert store.spilled  # 10 later records and 3 first records read ahead: past 12
        out.append((group.key, first))
    assert out == [(f"k{key}", firsts[key]) for key in reversed(keys)]
    store.close()


def test_the_threshold_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SPILL_VARIABLE, raising=False)
    assert spill_threshold() == SPILL
    monkeypatch.setenv(SPILL_VARIABLE, "3")
    assert spill_threshold() == 3 and MergeStore().spill == 3
    monkeypatch.setenv(SPILL_VARIABLE, "lots")
    with pytest.raises(UsageError, match=SPILL_VARIABLE):
        spill_threshold()
