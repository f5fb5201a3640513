"""The run-long key index: an exact map across its memory buffer and its SQLite file, with
memory that stays flat however many keys it holds."""

from __future__ import annotations

import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.key_index import KeyTable
from ld_publish.keys import key_digest


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.binary(max_size=12)),
                max_size=200), st.integers(1, 16))
def test_the_table_is_an_exact_map(writes: list[tuple[int, bytes]], buffer: int) -> None:
    table, model = KeyTable(buffer=buffer), {}  # a small buffer: most entries go to SQLite
    try:
        for key, entry in writes:
            digest = key_digest(str(key))
            assert table.get(digest) == model.get(digest)
            assert (digest in table) == (digest in model)
            table[digest] = entry
            model[digest] = entry
        for key in range(61):
            assert table.get(key_digest(str(key))) == model.get(key_digest(str(key)))
    finally:
        table.close()


def test_the_table_keeps_its_entries_out_of_memory() -> None:
    # A dict of the same entries took about 13 MB (133 bytes a key), a set of the digests 10.
    table, keys = KeyTable(), KeyTable()
    tracemalloc.start()
    try:
        for n in range(100_000):
            table[key_digest(f"k{n}")] = n.to_bytes(8, "little")
            keys.add(key_digest(f"k{n}"))
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current < 2_000_000
    assert key_digest("k99") in keys and key_digest("k100000") not in keys
    keys.close()
    assert table.get(key_digest("k77")) == (77).to_bytes(8, "little")
    assert table.get(key_digest("k100000")) is None
    table.close()
