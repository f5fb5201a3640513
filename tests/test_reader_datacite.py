"""DataCite reader: REST JSON corpus record, kernel-4 XML, lists with a broken record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ld_publish.errors import UnsafeInputError
from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource
from tests.paths import CORPUS as CORPUS_DIR

CORPUS = CORPUS_DIR / "datacite" / "commonmeta-py_datacite_10.5438-4k3m-nyvg.json"
FIXTURES = Path(__file__).parent / "fixtures" / "datacite"


def one(source: InputSource) -> Work:
    [work] = readers.get("datacite").read(source)
    assert isinstance(work, Work)
    return work


def test_sniff() -> None:
    assert detect(InputSource.from_path(CORPUS)).name == "datacite"
    assert detect(InputSource.from_path(FIXTURES / "kernel4_dataset.xml")).name == "datacite"
    for other in ("csl-json", "schema-org", "bibtex", "ris"):
        assert readers.get(other).sniff(CORPUS.read_bytes(), CORPUS.name) == 0


def test_corpus_attributes() -> None:
    work = one(InputSource.from_path(CORPUS))
    source = json.loads(CORPUS.read_text())
    assert work.key == "10.5438/4k3m-nyvg"
    assert work.type is WorkType.BLOG_POST  # resourceType BlogPosting under general "Text"
    [author] = work.authors()
    assert (author.family, author.given) == ("Fenner", "Martin")
    orcid = author.identifier("orcid")
    assert orcid is not None and orcid.value == "0000-0003-1419-2405"
    assert [(d.kind, d.value.iso()) for d in work.dates] == [
        ("published", "2016-12-20"), ("created", "2016-12-20"), ("issued", "2016-12-20"),
        ("updated", "2016-12-20")]
    assert [i.value for i in work.identifiers] == ["10.5438/4k3m-nyvg", "MS-49-3632-5083"]
    cited = {r["relatedIdentifier"].lower() for r in source["relatedIdentifiers"]
             if r["relationType"] == "References"}
    assert {r.doi.value for r in work.references if r.doi} == cited
    assert len(work.references) == len(cited)
    assert [(r.relation, r.identifiers[0].value) for r in work.related] == [
        ("is-part-of", "10.5438/0000-00ss"), ("references", "10.5438/0012"),
        ("references", "10.5438/55e5-t5c0")]
    assert [k.value for k in work.keywords] == ["datacite", "doi", "metadata"]
    assert work.version == "1.0" and work.publisher is not None
    assert work.abstracts[0].value.startswith("Eating your own dog food")
    assert work.unmapped == ("agency",)
    assert work.notices == ()


def test_api_envelope_with_bom_and_crlf() -> None:
    body = json.dumps({"data": {"id": "10.5438/4k3m-nyvg", "type": "dois",
                                "attributes": json.loads(CORPUS.read_text())}}, indent=1)
    data = b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode()
    work = one(InputSource.from_bytes("env.json", data))
    assert work.key == "10.5438/4k3m-nyvg" and len(work.references) == 2


def test_kernel4_xml() -> None:
    work = one(InputSource.from_path(FIXTURES / "kernel4_dataset.xml"))
    assert work.key == "10.5061/dryad.8515"
    assert work.type is WorkType.DATASET
    assert work.title is not None and work.title.lang == "en"
    assert [t.value for t in work.subtitles] == ["Sequences and alignments"]
    assert [(t.lang, t.value) for t in work.translated_titles] == [
        ("fr", "Données : un nouvel agent du paludisme")]
    first, second, consortium = work.authors()
    assert first.identifier("orcid") is not None
    assert first.affiliations[0].identifiers[0].value == "https://ror.org/04wxnsj81"
    assert second.identifiers == ()  # bad ORCID checksum: reported, not kept
    assert any(n.field == "creators[1].nameIdentifiers[0]" for n in work.notices)
    assert consortium.kind == "organization"
    assert [c.role for c in work.contributors[3:]] == ["editor", "contributor"]
    assert {d.kind: d.value.iso() for d in work.dates} == {
        "published": "2011-07-01", "received": "2011-02-01", "accepted": "2011-05-30",
        "available": "2011-06-15", "issued": "2011-07-01"}
    nsf, anr = work.funding
    assert nsf.funder is not None and nsf.funder.identifiers[0].scheme == "crossref-funder"
    assert nsf.funder.identifiers[0].value == "10.13039/100000001"
    assert [(a.number, a.title) for a in nsf.awards] == [("DEB-1234567",
                                                          "Malaria parasites of apes")]
    assert anr.funder is not None and anr.funder.identifiers[0].scheme == "ror"
    assert [r.doi.value for r in work.references if r.doi] == ["10.1093/molbev/msp087"]
    assert {r.relation for r in work.related} == {
        "is-supplement-to", "references", "is-version-of", "is-related-to"}
    assert work.licenses[0].url == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert work.abstracts[0].value.startswith("Sequences of Plasmodium & alignments.")
    assert work.abstracts[0].lang == "en"
    assert work.subjects == ("FOS: Biological sciences",)
    assert [i.scheme for i in work.identifiers] == ["doi", "pmid"]
    assert set(work.unmapped) >= {"sizes", "formats", "geoLocations",
                                  "descriptions[1] (Methods)"}


def test_external_entity_in_xml_is_refused() -> None:
    data = (b'<?xml version="1.0"?><!DOCTYPE resource [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<resource xmlns="http://datacite.org/schema/kernel-4"><titles><title>&x;</title>'
            b"</titles></resource>")
    with pytest.raises(UnsafeInputError):
        list(readers.get("datacite").read(InputSource.from_bytes("x.xml", data)))


def test_list_with_broken_record() -> None:
    records = list(readers.get("datacite-json").read(
        InputSource.from_path(FIXTURES / "list_with_broken.json")))
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    broken = records[1]
    assert isinstance(broken, Rejected)
    assert (broken.source.position, broken.source.pointer, broken.raw) == (2, "data[1]", "42")
    first, third = records[0], records[2]
    assert isinstance(first, Work) and isinstance(third, Work)
    assert first.type is WorkType.PREPRINT and third.type is WorkType.SOFTWARE
    orcid = first.authors()[0].identifier("orcid")
    assert orcid is not None and orcid.value == "0000-0002-1825-0097"  # "orcid:" prefix
    assert first.authors()[0].affiliations[0].identifiers[0].value == \
        "https://ror.org/04wxnsj81"
    assert any(n.field == "dates[0].date" and n.severity == "violation"
               for n in first.notices)
    assert first.date("accepted").iso() == "2015-02"
    assert len(first.references) == 1  # Cites and References of one DOI: one entry
    assert first.funding[0].awards[0].number == "1234"
    assert first.unmapped == ("state",)
    assert third.authors()[0].kind == "organization"
