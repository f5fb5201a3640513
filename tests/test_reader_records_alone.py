"""A record that must not be read fails alone: the other records of its file are read.

Each reader gets a file of two records, the first with a value that is refused (a text field
that carries a DOCTYPE declaring an external entity, a value nested past the depth limit); the
first must come out as a ``Rejected`` naming the field, with a hint, and the second as a
``Work``.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ld_publish.errors import InputError
from ld_publish.model import Rejected, Work
from ld_publish.readers import readers
from ld_publish.sources import InputSource

HOSTILE = '<!DOCTYPE t [<!ENTITY e SYSTEM "file:///etc/passwd">]><i>&e;</i>'


def _csl() -> bytes:
    return json.dumps([{"type": "article-journal", "title": "T", "publisher": HOSTILE},
                       {"type": "article-journal", "title": "Fine"}]).encode()


def _datacite() -> bytes:
    def record(title: str) -> dict[str, object]:
        return {"attributes": {"titles": [{"title": title}], "creators": [{"name": "A"}],
                               "types": {"resourceTypeGeneral": "Text"}}}
    return json.dumps({"data": [record(HOSTILE), record("Fine")]}).encode()


def _schemaorg() -> bytes:
    return json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "ScholarlyArticle", "name": HOSTILE},
        {"@type": "ScholarlyArticle", "name": "Fine"}]}).encode()


def _ris() -> bytes:
    return f"TY  - JOUR\nTI  - {HOSTILE}\nER  - \nTY  - JOUR\nTI  - Fine\nER  - \n".encode()


def _crossref() -> bytes:
    return json.dumps([{"DOI": "10.1/a", "title": ["T"], "container-title": [HOSTILE]},
                       {"DOI": "10.1/b", "title": ["Fine"]}]).encode()


CASES = {
    "csl-json": (_csl, "publisher"),
    "datacite": (_datacite, "titles[0].title"),
    "schema-org": (_schemaorg, "name"),
    "ris": (_ris, "TI"),
    "crossref": (_crossref, "container-title[0]"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_unsafe_dtd_in_one_record_rejects_that_record_alone(name: str) -> None:
    make, field = CASES[name]
    source = InputSource.from_bytes(f"two.{name}", make())
    first, second = readers.get(name).read(source)
    assert isinstance(first, Rejected), first
    assert first.field == field
    assert "external entity &e;" in first.reason
    assert first.hint and first.raw
    assert isinstance(second, Work) and second.title is not None
    assert second.title.value == "Fine"


# --- a value nested past the limit --------------------------------------------------------------

_DEEP = '"<deep>"'


def _json_pair(first: dict[str, object], second: dict[str, object],
               wrap: Callable[[list[object]], object] = lambda items: items) -> str:
    return json.dumps(wrap([{**first, "x": "<deep>"}, second]))


DEEP_CASES: dict[str, tuple[str, str]] = {
    "json": ("deep.json", _json_pair({"key": "a", "title": "A"}, {"key": "b", "title": "Fine"})),
    "jsonl": ("deep.jsonl", '{"key": "a", "title": "A", "x": "<deep>"}\n'
                            '{"key": "b", "title": "Fine"}\n'),
    "crossref": ("deep.json", _json_pair({"DOI": "10.1/a", "title": ["A"]},
                                         {"DOI": "10.1/b", "title": ["Fine"]})),
    "crossref-lines": ("deep.jsonl", '{"DOI": "10.1/a", "title": ["A"], "x": "<deep>"}\n'
                                     '{"DOI": "10.1/b", "title": ["Fine"]}\n'),
    "csl-json": ("deep.json", _json_pair({"type": "article-journal", "title": "A"},
                                         {"type": "article-journal", "title": "Fine"})),
    "datacite": ("deep.json", _json_pair(
        {"attributes": {"titles": [{"title": "A"}], "types": {}}},
        {"attributes": {"titles": [{"title": "Fine"}], "creators": [{"name": "C"}],
                        "types": {"resourceTypeGeneral": "Text"}}},
        lambda items: {"data": items})),
    "schema-org": ("deep.jsonld", _json_pair(
        {"@type": "ScholarlyArticle", "name": "A"}, {"@type": "ScholarlyArticle", "name": "Fine"},
        lambda items: {"@context": "https://schema.org", "@graph": items})),
}


@pytest.mark.parametrize("depth", [100, 5_000])
@pytest.mark.parametrize("case", sorted(DEEP_CASES))
def test_a_value_nested_past_the_limit_rejects_that_record_alone(case: str, depth: int) -> None:
    # 5,000 levels made json.loads raise RecursionError, which failed the whole file as a
    # "bug in ld-publish" (found by tests/test_reader_fuzz.py).
    name, text = DEEP_CASES[case]
    deep = "[" * depth + "]" * depth
    data = text.replace(_DEEP, deep).encode()
    reader = readers.get(case.removesuffix("-lines"))
    first, second = reader.read(InputSource.from_bytes(name, data))
    assert isinstance(first, Rejected), first
    assert "nesting-depth = 64" in first.reason
    assert first.field is not None and first.field.startswith("x")
    assert first.hint
    assert isinstance(second, Work) and second.title is not None
    assert second.title.value == "Fine"


def _deep_yaml(depth: int) -> InputSource:
    deep = "[" * depth + "]" * depth
    data = f"- key: a\n  title: A\n  x: {deep}\n- key: b\n  title: Fine\n".encode()
    return InputSource.from_bytes("deep.yaml", data)


def test_deep_yaml_rejects_that_record_alone() -> None:
    first, second = readers.get("yaml").read(_deep_yaml(300))
    assert isinstance(first, Rejected) and "nesting-depth" in first.reason
    assert isinstance(second, Work)


def test_yaml_deeper_than_its_parser_goes_is_a_clear_error() -> None:
    # libyaml stops at its own depth limit before any record exists: the file fails, clearly.
    with pytest.raises(InputError, match=r"deep\.yaml is not valid YAML.*nesting depth") as info:
        list(readers.get("yaml").read(_deep_yaml(3_000)))
    assert info.value.hint is not None and "nests" in info.value.hint
