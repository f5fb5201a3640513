"""Mutants of the readers' real fixture files, and what an export of them must always give.

A :class:`Mutant` is a fixture file changed by one or two operations that real inputs suffer or
attackers try: cut short, bytes flipped, written in another encoding, a huge value, a value
nested very deep, a value repeated many times, another format's record spliced in. The
strategies build them reproducibly from the files in :data:`FIXTURES`; :func:`check_export`
states the contract an export of any input keeps (tests/test_reader_fuzz.py and
bench/fuzz_readers.py run it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests.paths import CORPUS
from tests.paths import FIXTURES as FIXTURE_DIR

REPO = FIXTURE_DIR.parents[1]

#: The real files each reader's mutants start from: corpus records and the project's fixtures.
FIXTURES: dict[str, tuple[Path, ...]] = {
    "json": (FIXTURE_DIR / "native/minimal.json", FIXTURE_DIR / "native/rich.json"),
    "yaml": (FIXTURE_DIR / "native/minimal.yaml",),
    "jsonl": (FIXTURE_DIR / "native/records.jsonl",),
    "page": (FIXTURE_DIR / "page/seed.txt", FIXTURE_DIR / "page/three_authors.txt",
             FIXTURE_DIR / "page/bom_crlf.txt"),
    "crossref": (CORPUS / "crossref/commonmeta-py_crossref_10.7554-elife.01567.json",
                 FIXTURE_DIR / "crossref/envelope.json", FIXTURE_DIR / "crossref/work-list.json",
                 FIXTURE_DIR / "crossref/works.jsonl"),
    "jats": (CORPUS / "jats/scielo_packtools_2318-0889-tinf-33-e200068.xml",
             FIXTURE_DIR / "jats/namespaced.xml", FIXTURE_DIR / "jats/synthetic-doctype.xml"),
    "bibtex": (CORPUS / "bibtex/bolognese_crossref_elife01567.bib",
               CORPUS / "bibtex/oup_otoole2019_10.1093-neuros-nyy394.bib",
               FIXTURE_DIR / "bibtex/three_entries_one_broken.bib"),
    "ris": (CORPUS / "ris/bolognese_crossref_elife01567.ris",
            FIXTURE_DIR / "ris/three_records.ris"),
    "csl-json": (CORPUS / "csl-json/bolognese_citeproc_blogpost.json",
                 FIXTURE_DIR / "csl/items.json",
                 FIXTURE_DIR / "csl/crossref_cn_manubot_winter-scabs_10.1038-193293a0.json"),
    "datacite": (CORPUS / "datacite/commonmeta-py_datacite_10.5438-4k3m-nyvg.json",
                 FIXTURE_DIR / "datacite/kernel4_dataset.xml",
                 FIXTURE_DIR / "datacite/kernel-2.2_bolognese_datacite-schema-2.2.xml",
                 FIXTURE_DIR / "datacite/list_with_broken.json"),
    "schema-org": (CORPUS / "schema-org/bolognese_schema_org_blogposting_10.5438-4k3m-nyvg.jsonld",
                   FIXTURE_DIR / "schemaorg/graph.jsonld"),
    "html": (FIXTURE_DIR / "html/commonmeta-py_arxiv_1902.02534.html",
             FIXTURE_DIR / "html/synthetic_all_tags.html"),
}

#: Exit codes an export may end with: 0 (records written or quarantined) and 2 (an input could
#: not be read at all). 1 needs --strict; 3 (runtime) from reading inputs is a bug.
EXPORT_EXITS = (0, 2)

_BUG_MARKS = ("Traceback", "internal error", "bug in ld-publish")


@dataclass(frozen=True)
class Mutant:
    """A changed fixture: what it started from, what was done to it, and its bytes."""

    reader: str
    fixture: Path
    operations: tuple[str, ...]
    data: bytes

    @property
    def file_name(self) -> str:
        # The fixture's own name: extensions steer detection (.ris, .jsonl), as for users.
        return self.fixture.name

    def describe(self) -> str:
        return f"{self.reader}: {self.fixture.name} <- {' + '.join(self.operations)}"


# --- operations ---------------------------------------------------------------------------------

_PLACEHOLDER = "\u0000FUZZ\u0000"


def _json_leaf_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _json_leaf_paths(v, (*path, k))] or [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _json_leaf_paths(v, (*path, i))] or [path]
    return [path]


def _replace_json_leaf(text: str, pick: int, value_text: str) -> str | None:
    """``text`` (one JSON document) with one leaf replaced by the raw JSON ``value_text``;
    ``None`` when ``text`` is no JSON."""
    try:
        document = json.loads(text)
        paths = _json_leaf_paths(document)
    except (ValueError, RecursionError):  # not JSON, or already nested too deep to walk
        return None
    path = paths[pick % len(paths)]
    if not path:
        return value_text
    node = document
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = _PLACEHOLDER
    dumped = json.dumps(document, ensure_ascii=False)
    return dumped.replace(json.dumps(_PLACEHOLDER), value_text, 1)


def _replace_in_lines(data: bytes, pick: int, value_text: str) -> bytes | None:
    """JSON Lines: one line's leaf replaced (``None`` when no line is JSON)."""
    lines = data.split(b"\n")
    candidates = [i for i, line in enumerate(lines) if line.strip().startswith(b"{")]
    if not candidates:
        return None
    index = candidates[pick % len(candidates)]
    replaced = _replace_json_leaf(lines[index].decode("utf-8", "replace"), pick, value_text)
    if replaced is None:
        return None
    lines[index] = replaced.encode("utf-8")
    return b"\n".join(lines)


# Where a value starts, per family of formats: inserting there puts text inside a value.
_VALUE_STARTS = {
    "xml": re.compile(rb"<[A-Za-z][^<>]*>"),
    "bibtex": re.compile(rb"=\s*[{\"]"),
    "ris": re.compile(rb"(?m)^[A-Z][A-Z0-9]  - "),
    "yaml": re.compile(rb"(?m)^\s*-?\s*[a-z_-]+: "),
    "text": re.compile(rb"(?m)^"),
}


def _family(reader: str, data: bytes) -> str:
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start == b"<":
        return "xml"
    if start in (b"{", b"["):
        return "json"
    return {"bibtex": "bibtex", "ris": "ris", "yaml": "yaml"}.get(reader, "text")


def _insert_at_value(data: bytes, family: str, pick: int, insert: bytes) -> bytes:
    pattern = _VALUE_STARTS.get(family, _VALUE_STARTS["text"])
    starts = [m.end() for m in pattern.finditer(data)] or [len(data) // 2]
    at = starts[pick % len(starts)]
    return data[:at] + insert + data[at:]


def _structured(data: bytes, reader: str, pick: int, json_value: str,
                text_value: Callable[[str], bytes]) -> bytes:
    family = _family(reader, data)
    if family == "json":
        text = data.decode("utf-8", "replace")
        replaced = _replace_json_leaf(text, pick, json_value)
        if replaced is not None:
            return replaced.encode("utf-8")
        lines = _replace_in_lines(data, pick, json_value)
        if lines is not None:
            return lines
    return _insert_at_value(data, family, pick, text_value(family))


def huge_value(data: bytes, reader: str, pick: int, size: int) -> bytes:
    """A value ``size`` characters long where a value was (or inside one)."""
    return _structured(data, reader, pick, '"' + "x" * size + '"', lambda _: b"x" * size)


def _deep_text(family: str, depth: int) -> bytes:
    if family == "xml":
        return b"<d>" * depth + b"x" + b"</d>" * depth
    if family == "bibtex":
        return b"{" * depth + b"x" + b"}" * depth
    if family == "yaml":
        return b"[" * depth + b"x" + b"]" * depth + b"\n"
    return b"[" * depth + b"]" * depth


def deep_value(data: bytes, reader: str, pick: int, depth: int, objects: bool) -> bytes:
    """A value nested ``depth`` levels deep (JSON lists or objects, XML elements, braces)."""
    nested = ('{"d":' * depth + "1" + "}" * depth) if objects else ("[" * depth + "]" * depth)
    return _structured(data, reader, pick, nested, lambda family: _deep_text(family, depth))


def repeated_line(data: bytes, pick: int, times: int) -> bytes:
    """One line of the file repeated ``times`` times (a million authors, a giant list)."""
    lines = data.split(b"\n")
    index = pick % len(lines)
    return b"\n".join(lines[:index] + [lines[index]] * times + lines[index + 1:])


def repeated_item(data: bytes, reader: str, pick: int, times: int) -> bytes:
    """A JSON list in the document grown to ``times`` copies of its first item; a repeated
    line for other formats."""
    if _family(reader, data) == "json":
        try:
            document = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            return repeated_line(data, pick, times)
        lists: list[list[Any]] = []

        def walk(node: Any) -> None:
            if isinstance(node, list) and node:
                lists.append(node)
            for child in node.values() if isinstance(node, dict) else (
                    node if isinstance(node, list) else ()):
                walk(child)

        try:
            walk(document)
        except RecursionError:
            return repeated_line(data, pick, times)
        if lists:
            target = lists[pick % len(lists)]
            target[:] = [target[0]] * times
            return json.dumps(document, ensure_ascii=False).encode("utf-8")
    return repeated_line(data, pick, times)


def truncate(data: bytes, at: int) -> bytes:
    return data[: at % (len(data) + 1)]


def flip_bytes(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, mask in flips:
        if out:
            out[position % len(out)] ^= mask or 0xFF
    return bytes(out)


ENCODINGS = ("latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "utf-32")


def reencode(data: bytes, encoding: str) -> bytes:
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    return text.encode(encoding, "replace")


def splice(data: bytes, other: bytes, pick: int, whole: bool) -> bytes:
    """Another file's text put in at a line boundary (or in place of the whole file)."""
    if whole:
        return other
    cuts = [0, len(data)] + [m.end() for m in re.finditer(rb"\n", data)]
    at = sorted(cuts)[pick % len(cuts)]
    return data[:at] + other + b"\n" + data[at:]


# --- strategies ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sizes:
    """How big the huge, deep and repeated values get: small enough for the suite, or past
    the record limits (ld_publish/limits.py) for the long run."""

    huge: tuple[int, ...] = (70_000,)
    depth: tuple[int, ...] = (200, 5_000)
    repeat: tuple[int, ...] = (300,)


SUITE = Sizes()
LONG = Sizes(huge=(70_000, 1_100_000), depth=(200, 5_000, 100_000), repeat=(300, 25_000))


@st.composite
def _operation(draw: st.DrawFn, reader: str, sizes: Sizes, data: bytes
               ) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(("truncate", "flip", "encoding", "huge", "deep", "repeat",
                                 "splice")))
    pick = draw(st.integers(0, 1 << 16))
    if kind == "truncate":
        return f"truncate@{pick % (len(data) + 1)}", truncate(data, pick)
    if kind == "flip":
        flips = draw(st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)),
                              min_size=1, max_size=8))
        return f"flip{[(p % max(len(data), 1), m) for p, m in flips]}", flip_bytes(data, flips)
    if kind == "encoding":
        encoding = draw(st.sampled_from(ENCODINGS))
        return f"encode-{encoding}", reencode(data, encoding)
    if kind == "huge":
        size = draw(st.sampled_from(sizes.huge))
        return f"huge-{size}#{pick}", huge_value(data, reader, pick, size)
    if kind == "deep":
        depth = draw(st.sampled_from(sizes.depth))
        objects = draw(st.booleans())
        return (f"deep-{'objects' if objects else 'lists'}-{depth}#{pick}",
                deep_value(data, reader, pick, depth, objects))
    if kind == "repeat":
        times = draw(st.sampled_from(sizes.repeat))
        return f"repeat-{times}#{pick}", repeated_item(data, reader, pick, times)
    other_reader = draw(st.sampled_from(sorted(set(FIXTURES) - {reader})))
    other = draw(st.sampled_from(FIXTURES[other_reader]))
    whole = draw(st.booleans())
    return (f"splice-{other.name}{'' if not whole else '-whole'}#{pick}",
            splice(data, other.read_bytes(), pick, whole))


@st.composite
def mutants(draw: st.DrawFn, reader: str, sizes: Sizes = SUITE) -> Mutant:
    """A fixture of ``reader`` changed by one or two operations."""
    fixture = draw(st.sampled_from(FIXTURES[reader]))
    data = fixture.read_bytes()
    operations: list[str] = []
    for _ in range(draw(st.integers(1, 2))):
        name, data = draw(_operation(reader, sizes, data))
        operations.append(name)
    return Mutant(reader, fixture, tuple(operations), data)


# --- the contract of an export ------------------------------------------------------------------

def check_export(out: Path, exit_code: int, stderr: str, inputs: list[Path],
                 what: str) -> dict[str, Any]:
    """Assert what an export of any input gives: a documented exit code, no traceback and no
    internal error, a balanced report.json that accounts for every input, and a reason in every
    quarantine file. Returns the report."""
    assert exit_code in EXPORT_EXITS, f"{what}: exit {exit_code}\n{stderr[-3000:]}"
    for mark in _BUG_MARKS:
        assert mark not in stderr, f"{what}: {mark!r} on stderr\n{stderr[-3000:]}"
    report_path = out / "report.json"
    assert report_path.is_file(), f"{what}: no report.json\n{stderr[-3000:]}"
    report = json.loads(report_path.read_text("utf-8"))
    records = report["records"]
    statuses = [r["status"] for r in records]
    assert report["read"] == len(records), what
    assert report["written"] == statuses.count("written"), what
    assert report["quarantined"] == statuses.count("quarantined"), what
    assert report["read"] == report["written"] + report["quarantined"], what
    assert report["balanced"] is True, what
    failed = {f["file"] for f in report["failed_sources"]}
    assert (exit_code == 2) == bool(failed), f"{what}: exit {exit_code}, failed {failed}"
    for failure in report["failed_sources"]:
        assert failure["error"].strip(), what
    for path in inputs:
        # Every input gave records or a failure: silence would look like success.
        label = str(path)
        assert label in failed or any(r["source"].startswith(label + ":") or
                                      r["source"].startswith(label + " ") for r in records), \
            f"{what}: {path.name} gave neither a record nor a failure"
    for record in records:
        if record["status"] == "quarantined":
            reason = record.get("reason") or ""
            assert reason.strip(), f"{what}: quarantined without a reason: {record}"
            for mark in _BUG_MARKS:
                assert mark not in reason, f"{what}: {record['source']}: {reason}"
    quarantine = out / "quarantine"
    for entry in sorted(quarantine.glob("*.json")) if quarantine.is_dir() else []:
        data = json.loads(entry.read_text("utf-8"))
        assert isinstance(data.get("reason"), str) and data["reason"].strip(), \
            f"{what}: {entry.name} names no reason"
    return dict(report)
