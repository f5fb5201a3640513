"""A record that must not be read fails alone: the other records of its file are read.

Each reader gets a file of two records, the first with a value that is refused (a text field
that carries a DOCTYPE declaring an external entity); the first must come out as a ``Rejected``
naming the field, with a hint, and the second as a ``Work``.
"""

from __future__ import annotations

import json

import pytest

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
