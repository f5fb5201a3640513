"""JSON Lines records decoded in the worker processes: the main process only splits lines and
tells their keys, and every outcome, duplicate and failure is what reading in the main
process gives."""

from __future__ import annotations

import gc
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from ld_publish.export import export
from ld_publish.fanout import Task, _Batch, _process_jobs
from ld_publish.layout import file_name
from ld_publish.model import Rejected, Source, Work
from ld_publish.pipeline import CHUNK, Options, Outcome, SourceFailure, process, split_records
from ld_publish.readers import RawRecord, SplittingReader, readers
from ld_publish.readers.native import JsonLinesRecordsReader, line_key
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
        4: [_line(records[2])],  # a duplicate, decoded here with the first chunk's records
        45: [_line(records[44]),  # a duplicate inside one chunk
             '{"format": "ld-publish/1", "key": "twice", "key": "again", "title": "T"}',
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
        50: ['{"title": "No key, a DOI met before", "doi": "10.5555/bench.0000020"}'],
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


def _run(inputs: list[str], workers: int, **options: Any
         ) -> tuple[list[Outcome], list[tuple[str, str]]]:
    failures: list[SourceFailure] = []
    outcomes = list(process(inputs, Options(workers=workers, formats=("turtle",), **options),
                            on_failure=failures.append))
    return outcomes, [(f.label, str(f.error)) for f in failures]


def test_split_and_decode_give_what_read_gives(tmp_path: Path) -> None:
    path = _write(tmp_path / "mixed.jsonl", _mixed_lines())
    reader = readers.get("jsonl")
    assert isinstance(reader, SplittingReader)
    read = list(reader.read(InputSource.from_path(path)))
    raws = list(reader.split(InputSource.from_path(path)))
    assert [reader.decode(raw) for raw in raws] == read
    assert len(read) == 120 + 20
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


def test_workers_decode_and_outcomes_are_those_of_a_serial_run(tmp_path: Path) -> None:
    mixed = _write(tmp_path / "mixed.jsonl", _mixed_lines())
    more = _write(tmp_path / "more.jsonl", [_line(r) for r in _records(40, seed=9)])
    inputs = [str(mixed), str(more)]
    stream = split_records(inputs, None, set())
    # All lines go to the workers undecoded but those whose key is not told cheaply.
    assert sum(isinstance(item, RawRecord) for _, item in stream) == 120 + 15 + 40
    serial, serial_failures = _run(inputs, 1)
    parallel, parallel_failures = _run(inputs, 2)
    assert len(parallel) == 120 + 20 + 40 > CHUNK
    assert parallel == serial
    assert parallel_failures == serial_failures == []
    quarantined = [o for o in parallel if o.quarantined]
    assert len(quarantined) == 14 + 40  # more.jsonl holds the first 40 keys again
    assert "appears twice" in next(o.reason or "" for o in quarantined if "twice" in (o.raw or ""))
    by_title = {o.record.title.value: o for o in quarantined if o.record and o.record.title}
    for title in ("Another record, same key", "No key, a DOI met before", "Plain key",
                  "N", "Real again"):
        assert "same key" in (by_title[title].reason or ""), title
    published = {o.key for o in parallel if not o.quarantined}
    assert {"late", "baddate", "last", "real", "café", "10.5555/nokey.1"} <= published


def test_a_duplicate_in_a_later_chunk_leaves_the_first_records_files(tmp_path: Path) -> None:
    records = _records(150)
    key = records[1]["key"]
    records[140] = {**records[1], "title": "The second description"}
    lines = [_line(r) for r in records]
    lines.insert(3, json.dumps({"key": "k2", "title": "Rejected first", "colour": "red"}))
    lines.append(json.dumps({"key": "k2", "title": "Published second"}))
    out = tmp_path / "out"
    report = export([str(_write(tmp_path / "r.jsonl", lines))], out,
                    Options(workers=2, formats=("turtle",)))
    assert (report.read, report.written, report.quarantined) == (152, 150, 2)
    first = (out / "records" / f"{file_name(key)}.ttl").read_text("utf-8")
    assert records[1]["title"]["value"] in first and "second description" not in first
    assert "Published second" in (out / "records" / f"{file_name('k2')}.ttl").read_text()
    entries = json.loads((out / "report.json").read_text())["records"]
    assert "same key" in entries[141]["reason"] and entries[141]["source"].endswith(":142 #142")


def _deep(key: str) -> str:
    # A line the reader fails on as a reader bug would (see _reader_bug): reading the whole
    # source fails there. (Deep nesting did, before the nesting limit made it one record's
    # quarantine.)
    return f'{{"key": "{key}", "x": "{_BUG}"}}'


_BUG = "trips-the-reader"


@pytest.fixture(autouse=True)
def _reader_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    # Worker processes are forked from this one, so they inherit the patched reader.
    decode_line = JsonLinesRecordsReader._line_record

    def failing(self: JsonLinesRecordsReader, text: str, where: Source) -> Work | Rejected:
        if _BUG in text:
            raise RecursionError("maximum recursion depth exceeded (a reader bug)")
        return decode_line(self, text, where)

    monkeypatch.setattr(JsonLinesRecordsReader, "_line_record", failing)


def test_a_source_a_worker_cannot_decode_ends_there(tmp_path: Path) -> None:
    # The whole source fails at that line, in a worker as when read here: its later records
    # are not published, their keys do not count, and its later failures are not reported.
    records = _records(200)
    lines = [_line(r) for r in records[:100]]
    lines[40:40] = [_deep("deep"), "{not json}", '{"title": "T", "doi": "10.5555/after.deep"}']
    a = _write(tmp_path / "a.jsonl", lines)
    b = _write(tmp_path / "b.jsonl", [_line({**records[70], "title": "From b"}),
                                      '{"key": "10.5555/after.deep", "title": "From b too"}']
               + [_line(r) for r in _records(40, seed=3)])
    c = tmp_path / "c.jsonl"
    # Past the decoder's read-ahead after the deep line: a byte that is not UTF-8.
    c.write_bytes("".join(f"{line}\n" for line in [
        *map(_line, records[150:155]), _deep("deep2"), *map(_line, records[160:165]),
        "{not json}"]).encode() + b'{"key": "\xff"}\n' + _line(records[170]).encode() + b"\n")
    inputs = [str(a), str(b), str(c)]
    serial, serial_failures = _run(inputs, 1)
    parallel, parallel_failures = _run(inputs, 2)
    assert parallel == serial
    assert parallel_failures == serial_failures
    assert [label for label, _ in serial_failures] == [str(a), str(c)]
    assert all("RecursionError" in error for _, error in serial_failures)
    assert [o.key for o in parallel[:40]] == [r["key"] for r in records[:40]]
    assert [(o.key, o.quarantined) for o in parallel[40:42]] == [
        (records[70]["key"], False), ("10.5555/after.deep", False)]

    out = tmp_path / "out"
    report = export(inputs, out, Options(workers=2, formats=("turtle",)))
    assert (report.read, len(report.failed_sources)) == (87, 2)
    written = {p.name for p in (out / "records").iterdir()}
    expected = {f"{file_name(o.key)}.ttl" for o in serial if not o.quarantined}
    assert len(expected) == 47 and written == expected
    assert "From b" in (out / "records" / f"{file_name(records[70]['key'])}.ttl").read_text()


def test_few_records_are_read_here_as_in_a_serial_run(tmp_path: Path) -> None:
    lines = [_line(r) for r in _records(10)]
    lines[3:3] = [_deep("deep"), "{not json}"]
    path = _write(tmp_path / "few.jsonl", lines)
    other = _write(tmp_path / "other.jsonl", [_line(r) for r in _records(45, seed=2)[5:]])
    for inputs in ([str(path)], [str(path), str(other)]):  # all records here; the first 32
        serial = _run(inputs, 1)
        assert _run(inputs, 2) == serial
        assert len(serial[1]) == 1 and [o.key for o in serial[0][:3]] == [
            r["key"] for r in _records(3)]
    assert len(serial[0]) == 3 + 40


def test_a_worker_skips_the_rest_of_a_source_it_failed() -> None:
    reader = readers.get("jsonl")
    assert isinstance(reader, SplittingReader)
    lines = [_line(r) for r in _records(3)] + [_deep("deep")]
    raws = [RawRecord(line, Source("a.jsonl", "jsonl", n, n), line_key(line))
            for n, line in enumerate(lines, 1)]
    jobs: list[Task] = [(raws[0], reader, "a.jsonl", 1, False),
                        (raws[3], reader, "a.jsonl", 1, False),
                        (raws[1], reader, "a.jsonl", 1, False),
                        (raws[2], reader, "b.jsonl", 2, False)]
    done = _process_jobs(jobs, Options(formats=("turtle",)))
    assert [type(d).__name__ for d in done] == ["Outcome", "SourceFailure", "NoneType", "Outcome"]
    assert isinstance(done[1], SourceFailure) and done[1].label == "a.jsonl"


def test_json_records_go_through_the_pool_as_before(tmp_path: Path) -> None:
    records = _records(70)
    records[50] = {**records[5], "title": "Same key"}
    path = tmp_path / "list.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    serial, _ = _run([str(path)], 1)
    parallel, _ = _run([str(path)], 2)
    assert parallel == serial and len(serial) == 70
    assert [o.quarantined for o in serial].count(True) == 1


def test_chunks_are_freed_as_soon_as_their_outcomes_are_out(tmp_path: Path) -> None:
    # Without the cyclic collector: what references hold past their turn stays for good.
    path = _write(tmp_path / "r.jsonl", [_line(r) for r in _records(400)])
    gc.collect()
    gc.disable()
    try:
        most = 0
        for n, _ in enumerate(process([str(path)], Options(workers=2, formats=("turtle",)))):
            if n % 40 == 0:
                most = max(most, sum(isinstance(o, _Batch) for o in gc.get_objects()))
    finally:
        gc.enable()
    assert 0 < most <= 2 * 2 + 2
