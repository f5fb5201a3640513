"""JSON Lines records split off their source without decoding, and decoded apart."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from ld_publish.model import Work
from ld_publish.readers import SplittingReader, readers
from ld_publish.readers.native import line_key
from ld_publish.sources import InputSource

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import synthetic_record


def _records(count: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [synthetic_record(n, rng, "compact") for n in range(count)]


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _mixed_lines() -> list[str]:
    """Valid records among every kind of line the reader rejects, and keys met twice."""
    records = _records(120)
    lines = [_line(r) for r in records]
    extra = {
        3: ["{not json}", "", "[1, 2]", '"just text"'],
        4: [_line(records[2])],  # a duplicate inside one chunk
        6: ['{"format": "ld-publish/1", "key": "twice", "key": "again", "title": "T"}',
            # rejected by the schema: its key must not count, the later "late" is published
            '{"key": "late", "title": "Early", "colour": "red"}',
            # rejected by the codec (no such day): "baddate" later is published
            '{"key": "baddate", "title": "B", "dates": [{"kind": "published", '
            '"value": "2023-02-30"}]}',
            # keys the leading-member pattern cannot see: parsed to find the key
            '{"key": "caf\\u00e9", "title": "Escaped key"}',
            '{"title": "Key last", "key": "last"}',
            '{"volume": "\\"key\\": \\"fake\\"", "key": "real", "title": "Q"}',
            # no key: the DOI is the key, found only by decoding (in the main process)
            '{"title": "No key", "doi": "10.5555/NOKEY.1"}'],
        20: ['{"title": "No key, a DOI met before", "doi": "10.5555/bench.0000020"}'],
        70: ['{"key": "late", "title": "Late"}', '{"key": "baddate", "title": "Fine"}',
             '{"key": "café", "title": "Plain key"}', '{"key": "10.5555/nokey.1", "title": "N"}',
             '{"key": "real", "title": "Real again"}', "   "],
        119: [_line(records[10]), _line({**records[0], "title": "Another record, same key"})],
    }
    out: list[str] = []
    for n, line in enumerate(lines):
        out.append(line)
        out.extend(extra.get(n, []))
    return out


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_split_and_decode_give_what_read_gives(tmp_path: Path) -> None:
    path = _write(tmp_path / "mixed.jsonl", _mixed_lines())
    reader = readers.get("jsonl")
    assert isinstance(reader, SplittingReader)
    read = list(reader.read(InputSource.from_path(path)))
    raws = list(reader.split(InputSource.from_path(path)))
    assert [reader.decode(raw) for raw in raws] == read
    assert len(read) == 120 + 19
    for raw, record in zip(raws, read, strict=True):
        assert raw.source == record.source
        if isinstance(record, Work):
            # The key told without decoding is the key decoding gives (or not told at all).
            assert raw.key in (record.key, None)
    assert [raw.key is None for raw in raws].count(True) == 5  # 3 not objects, 2 no key
    assert not isinstance(readers.get("json"), SplittingReader)  # one document, not lines


@pytest.mark.parametrize(("line", "key"), [
    ('{"format": "ld-publish/1", "key": "10.1/a", "title": "T"}', "10.1/a"),
    ('{"key":"k"}', "k"),
    ('{"title": "T", "key": "k"}', "k"),
    ('{"key": "a\\"b"}', 'a"b'),
    ('{"contributors": [{"name": "X", "key": "inner"}], "key": "outer"}', "outer"),
    ('{"title": "T"}', None),
    ('{"key": null, "title": "T"}', None),
    ('{"key": "\\ud800"}', None),
    ("[1]", None),
    ("{oops", None),
])
def test_line_key(line: str, key: str | None) -> None:
    assert line_key(line) == key
