"""The run-long key index: the Bloom filter never forgets a key, the table is an exact map across
its memory buffer and its SQLite file, memory stays flat, and a wrong "maybe" of the filter
changes no byte of an export."""

from __future__ import annotations

import json
import random
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish import key_index
from ld_publish.export import export
from ld_publish.key_index import KeyFilter, KeyTable
from ld_publish.keys import key_digest
from ld_publish.pipeline import Options

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from bench_export import synthetic_record


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=300), st.integers(2, 64))
def test_the_filter_never_forgets_a_key(keys: list[str], capacity: int) -> None:
    seen = KeyFilter(capacity=capacity)  # small layers: the growth from layer to layer runs
    for key in keys:
        seen.add(key_digest(key))
    assert all(key_digest(key) in seen for key in keys)


def test_the_filter_is_rarely_wrong_and_small() -> None:
    seen = KeyFilter()
    for n in range(300_000):
        seen.add(key_digest(f"doi:10.5555/in.{n}"))
    wrong = sum(key_digest(f"doi:10.5555/out.{n}") in seen for n in range(100_000))
    assert wrong < 200  # under 0.2 %
    assert seen.bytes_used < 4 * 300_000  # under 4 bytes a key (layers are allocated whole)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.binary(min_size=1, max_size=12)),
                max_size=200), st.integers(1, 16))
def test_the_table_is_an_exact_map(writes: list[tuple[int, bytes]], buffer: int) -> None:
    table, model = KeyTable(buffer=buffer), {}  # a small buffer: most entries go to SQLite
    try:
        for key, entry in writes:
            digest = key_digest(str(key))
            assert table.get(digest) == model.get(digest)
            table[digest] = entry
            model[digest] = entry
        for key in range(61):
            assert table.get(key_digest(str(key))) == model.get(key_digest(str(key)))
    finally:
        table.close()


def test_the_table_keeps_its_entries_out_of_memory() -> None:
    # A dict of the same entries took about 13 MB (133 bytes a key).
    table = KeyTable()
    tracemalloc.start()
    try:
        for n in range(100_000):
            table[key_digest(f"k{n}")] = n.to_bytes(8, "little")
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current < 2_000_000
    assert table.get(key_digest("k77")) == (77).to_bytes(8, "little")
    assert table.get(key_digest("k100000")) is None
    table.close()


def test_a_wrong_maybe_of_the_filter_changes_no_byte(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Records the filter wrongly takes as met before are held by the workers and published
    by the main process: the same files, N-Quads and report as when it is right."""
    rng = random.Random(5)
    records = [synthetic_record(n, rng, "compact") for n in range(150)]
    records += [records[3], records[90]]  # real duplicates too
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")

    def run(out: Path) -> dict[str, bytes]:
        export([str(source)], out, Options(workers=2))
        return {str(p.relative_to(out)): p.read_bytes()
                for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".lock"}

    right = run(tmp_path / "right")
    # Small, overfull layers: many new keys are taken as met.
    monkeypatch.setattr(key_index, "_FIRST_CAPACITY", 16)
    monkeypatch.setattr(key_index, "_ERROR", 0.9)
    sloppy = KeyFilter()
    for n in range(150):
        sloppy.add(key_digest(f"in {n}"))
    assert sum(key_digest(f"out {n}") in sloppy for n in range(150)) > 30
    wrong = run(tmp_path / "wrong")
    assert wrong == right
    report = json.loads(right["report.json"])
    assert report["written"] == 150 and report["quarantined"] == 2
