"""CSL-JSON reader: corpus blog post, an array with a broken item, odd values as notices."""

from __future__ import annotations

import json
from pathlib import Path

from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource
from tests.paths import CORPUS as CORPUS_DIR

CORPUS = CORPUS_DIR / "csl-json" / "bolognese_citeproc_blogpost.json"
FIXTURE = Path(__file__).parent / "fixtures" / "csl" / "items.json"
CROSSREF = CORPUS_DIR / "crossref" / "commonmeta-py_crossref_10.7554-elife.01567.json"


def test_sniff_tells_csl_from_other_json() -> None:
    assert detect(InputSource.from_path(CORPUS)).name == "csl-json"
    assert readers.get("csl").sniff(CROSSREF.read_bytes(), CROSSREF.name) == 0
    for other in CORPUS_DIR.glob("[ds]*/*.json*"):
        assert readers.get("csl").sniff(other.read_bytes(), other.name) == 0, other


def test_corpus_blog_post() -> None:
    [work] = readers.get("citeproc").read(InputSource.from_path(CORPUS))
    assert isinstance(work, Work)
    assert work.key == work.doi == "10.5438/4k3m-nyvg"
    assert work.type is WorkType.BLOG_POST
    assert work.container is not None and work.container.type is WorkType.BLOG
    assert work.container.title == "DataCite Blog"
    [author] = work.authors()
    assert (author.family, author.given) == ("Fenner", "Martin")
    [translator] = [c for c in work.contributors if c.role == "translator"]
    assert translator.family == "Ross" and translator.position == 1
    assert work.date("published").iso() == "2016-12-20"
    source = json.loads(CORPUS.read_text())
    assert [k.value for k in work.keywords] == source["categories"]
    assert work.publisher is not None and work.publisher.name == "DataCite"
    assert work.url == "https://blog.datacite.org/eating-your-own-dog-food"
    assert work.unmapped == ()


def test_array_with_broken_item() -> None:
    records = list(readers.get("csl").read(InputSource.from_path(FIXTURE)))
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    broken = records[1]
    assert isinstance(broken, Rejected)
    assert broken.source.position == 2 and broken.source.pointer == "[1]"
    assert broken.raw == '"not an item"'


def test_odd_values_become_notices() -> None:
    first = next(iter(readers.get("csl").read(InputSource.from_path(FIXTURE))))
    assert isinstance(first, Work)
    notices = {n.field: n for n in first.notices}
    assert first.title is not None and first.title.value == "Café & Homo"
    assert "title" in notices
    assert first.doi == "10.1000/abc" and "DOI" in notices
    assert "ISSN" in notices and first.container is not None
    assert [i.value for i in first.container.identifiers] == ["2050-084X"]
    assert notices["issued.date-parts[0]"].severity == "violation"
    assert first.date("published").iso() == "2015-02"
    people = first.authors()
    assert (people[1].name, people[1].kind) == ("Human Genome Consortium", "organization")
    assert (people[2].kind, people[2].name) == ("person", "Smith, J.; Brown, K.")
    assert "author[2]" in notices
    assert [c.name for c in first.contributors if c.role == "editor"] == ["Itor Ed"]
    assert first.pages is not None and first.pages.last == "20"
    assert set(first.unmapped) == {"accessed", "custom-field"}


def test_null_date_parts_and_raw_date() -> None:
    third = list(readers.get("csl").read(InputSource.from_path(FIXTURE)))[2]
    assert isinstance(third, Work)
    assert third.type is WorkType.BOOK_CHAPTER
    assert third.date("published").iso() == "2016"
    assert third.date("received").iso() == "2016-01-05"
    assert any("empty date part" in n.message for n in third.notices)
    assert third.key == "csl:c"


def test_single_object_with_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + CORPUS.read_bytes().replace(b"\n", b"\r\n")
    [work] = readers.get("csl").read(InputSource.from_bytes("x.json", data))
    assert isinstance(work, Work) and work.doi == "10.5438/4k3m-nyvg"
