"""The identifier contract every reader keeps: an invalid identifier of any scheme is left out
of the record, reported as a notice (field, value, message, hint), and never published or used
to mint an IRI; a suspicious DOI is reported naming its field.

One case per reader that has identifiers, each a small source holding identifiers that look
plausible but are wrong (a ROR id with a bad checksum, an ORCID iD off by one, a ResearcherID
that is not one ...). A reader registered later is picked up and must get a case.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ld_publish.mapping import map_work
from ld_publish.model import Identifier, Organization, Work
from ld_publish.readers import readers
from ld_publish.sources import InputSource

FIXTURES = Path(__file__).parent / "fixtures"
BAD_ROR = "01k4yrm30"  # the check digits should be 29
BAD_ORCID = "0000-0001-9665-5667"  # the check character should be 6


@dataclass(frozen=True)
class Case:
    name: str  # the source's file name (readers tell formats apart by it)
    data: bytes
    bad: tuple[str, ...]  # values that must be reported and appear nowhere in the record


_NATIVE = {
    "format": "ld-publish/1", "key": "k", "title": "T",
    "identifiers": [{"scheme": "edn", "value": "OUSNX1"}, {"scheme": "pmid", "value": "12x3"}],
    "contributors": [{"name": "X", "identifiers": [
        {"scheme": "researcherid", "value": "nonsense"}, {"scheme": "spin", "value": "12-34"},
        {"scheme": "orcid", "value": BAD_ORCID}, {"scheme": "isni", "value": "0000000121032684"}],
        "affiliations": [{"name": "Org", "identifiers": [{"scheme": "ror", "value": BAD_ROR}]}]}],
}
_NATIVE_BAD = ("OUSNX1", "12x3", "nonsense", "12-34", BAD_ORCID, "0000000121032684", BAD_ROR)

_JATS = f"""<?xml version="1.0"?>
<article article-type="research-article"><front>
<journal-meta><journal-title-group><journal-title>J</journal-title></journal-title-group>
<issn pub-type="epub">2049-3631</issn></journal-meta>
<article-meta><article-id pub-id-type="doi">10.1234/jats</article-id>
<article-id pub-id-type="pmid">12x3</article-id>
<title-group><article-title>T</article-title></title-group>
<contrib-group><contrib contrib-type="author"><name><surname>Doe</surname>
<given-names>Jane</given-names></name>
<contrib-id contrib-id-type="orcid">https://orcid.org/{BAD_ORCID}</contrib-id>
<xref ref-type="aff" rid="a1"/></contrib></contrib-group>
<aff id="a1"><institution>Org</institution>
<institution-id institution-id-type="ror">https://ror.org/{BAD_ROR}</institution-id></aff>
<funding-group><award-group><funding-source><institution>F</institution>
<institution-id institution-id-type="FundRef">10.1000/notfunder</institution-id>
</funding-source></award-group></funding-group>
</article-meta></front></article>"""

_CROSSREF = {
    "DOI": "10.1234/crossref", "type": "journal-article", "title": ["T"],
    "container-title": ["J"], "ISSN": ["2049-3631"],
    "author": [{"given": "Jane", "family": "Doe", "sequence": "first",
                "ORCID": f"https://orcid.org/{BAD_ORCID}",
                "affiliation": [{"name": "Org", "id": [
                    {"id": f"https://ror.org/{BAD_ROR}", "id-type": "ROR"}]}]}],
    "funder": [{"name": "F", "DOI": "10.1000/notfunder"}],
}

_DATACITE = {"data": {"id": "10.1234/dc", "type": "dois", "attributes": {
    "doi": "10.1234/dc", "titles": [{"title": "T"}], "publicationYear": 2020,
    "types": {"resourceTypeGeneral": "Dataset"}, "publisher": "P",
    "identifiers": [{"identifier": "12x3", "identifierType": "PMID"}],
    "creators": [{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane",
                  "familyName": "Doe", "nameIdentifiers": [
                      {"nameIdentifier": "0000 0001 2103 2684", "nameIdentifierScheme": "ISNI"},
                      {"nameIdentifier": BAD_ORCID, "nameIdentifierScheme": "ORCID"}],
                  "affiliation": [{"name": "Org", "affiliationIdentifier":
                                   f"https://ror.org/{BAD_ROR}",
                                   "affiliationIdentifierScheme": "ROR"}]}],
    "fundingReferences": [{"funderName": "F", "funderIdentifier": "10.13039/abc",
                           "funderIdentifierType": "Crossref Funder ID"}]}}}

_SCHEMAORG = {
    "@context": {"@vocab": "http://schema.org/"}, "@type": "ScholarlyArticle",
    "@id": "https://doi.org/10.1234/so", "name": "T",
    "identifier": [{"@type": "PropertyValue", "propertyID": "PMID", "value": "12x3"}],
    "author": [{"@type": "Person", "name": "Jane Doe", "@id": f"https://orcid.org/{BAD_ORCID}",
                "affiliation": {"@type": "Organization", "name": "Org",
                                "@id": f"https://ror.org/{BAD_ROR}"}}],
}

_PAGE = (FIXTURES / "page" / "one_author.txt").read_text().replace(
    "elibrary_id: 123456",
    f"elibrary_id: 12x456 | RESEARCHER_ID: nonsense | SPIN: 1234 | ORCID: {BAD_ORCID}").replace(
    "EDN: ABCDEF\n", "EDN: ABCDE1\n")

_HTML = f"""<html><head><meta name="citation_title" content="T">
<meta name="citation_author" content="Doe, Jane">
<meta name="citation_author_orcid" content="https://orcid.org/{BAD_ORCID}">
<meta name="citation_issn" content="2049-3631"><meta name="citation_pmid" content="12x3">
<script type="application/ld+json">{json.dumps(_SCHEMAORG)}</script></head></html>"""

CASES: dict[str, Case] = {
    "json": Case("r.json", json.dumps(_NATIVE).encode(), _NATIVE_BAD),
    "yaml": Case("r.yaml", yaml.safe_dump(_NATIVE).encode(), _NATIVE_BAD),
    "jsonl": Case("r.jsonl", (json.dumps(_NATIVE) + "\n").encode(), _NATIVE_BAD),
    "page": Case("p.txt", _PAGE.encode(), ("12x456", "nonsense", "1234", BAD_ORCID, "ABCDE1")),
    "crossref": Case("c.json", json.dumps({"status": "ok", "message-type": "work",
                                            "message": _CROSSREF}).encode(),
                     (BAD_ORCID, BAD_ROR, "2049-3631", "10.1000/notfunder")),
    "jats": Case("a.xml", _JATS.encode(),
                 ("2049-3631", "12x3", BAD_ORCID, BAD_ROR, "10.1000/notfunder")),
    "bibtex": Case("b.bib", b"@article{k, title={T}, author={Doe, Jane}, journal={J}, "
                            b"year={2020}, eprint={9913.00001}, archiveprefix={arXiv}, "
                            b"pmid={12x3}, issn={2049-3631}, isbn={978-0-306-40615-8}}\n",
                   ("9913.00001", "12x3", "2049-3631", "978-0-306-40615-8")),
    "ris": Case("r.ris", b"TY  - JOUR\nTI  - T\nAU  - Doe, Jane\nSN  - 2049-3631\n"
                         b"ER  - \n", ("2049-3631",)),
    "csl-json": Case("c.json", json.dumps([{
        "id": "a", "type": "article-journal", "title": "T", "author": [
            {"family": "Doe", "given": "Jane"}], "container-title": "J",
        "PMID": "12x3", "PMCID": "123", "ISSN": "2049-3631"}]).encode(),
        ("12x3", "123", "2049-3631")),
    "datacite": Case("d.json", json.dumps(_DATACITE).encode(),
                     ("12x3", "0000 0001 2103 2684", BAD_ORCID, BAD_ROR, "10.13039/abc")),
    "schema-org": Case("s.jsonld", json.dumps(_SCHEMAORG).encode(),
                       ("12x3", BAD_ORCID, BAD_ROR)),
    "html": Case("p.html", _HTML.encode(), ("12x3", BAD_ORCID, BAD_ROR, "2049-3631")),
}


def _identifiers(work: Work) -> Iterator[Identifier]:
    def of_org(org: Organization | None) -> Iterator[Identifier]:
        if org is not None:
            yield from org.identifiers

    yield from work.identifiers
    for person in work.contributors:
        yield from person.identifiers
        for org in person.affiliations:
            yield from of_org(org)
    if work.container:
        yield from work.container.identifiers
        yield from of_org(work.container.publisher)
    yield from of_org(work.publisher)
    for funding in work.funding:
        yield from of_org(funding.funder)
    for ref in work.references:
        yield from ref.identifiers
        if ref.doi:
            yield ref.doi
    for item in work.related:
        yield from item.identifiers


def read_case(reader: str) -> list[Work]:
    if reader not in CASES:
        pytest.fail(f"reader {reader!r} has no identifier case; add one to CASES")
    case = CASES[reader]
    records = list(readers.get(reader).read(InputSource.from_bytes(case.name, case.data)))
    works = [r for r in records if isinstance(r, Work)]
    assert works and len(works) == len(records), records
    return works


@pytest.mark.parametrize("reader", readers.names())
def test_invalid_identifiers_are_reported_and_left_out(reader: str) -> None:
    for work in read_case(reader):
        kept = [f"{i.value} {i.original or ''}".lower() for i in _identifiers(work)]
        for bad in CASES[reader].bad:
            assert not [k for k in kept if bad.lower() in k], (bad, kept)
            notices = [n for n in work.notices if n.value and bad in n.value]
            assert notices, (bad, work.notices)
            for notice in notices:
                assert notice.field and notice.message and notice.hint, notice
                assert notice.severity in ("violation", "warning"), notice


@pytest.mark.parametrize("reader", readers.names())
def test_invalid_identifiers_mint_no_iri(reader: str) -> None:
    for work in read_case(reader):
        mapped = map_work(work)
        iris = {str(term) for t in mapped.graph.triples for term in (t.subject, t.object)
                if str(term).startswith("<")}
        for bad in CASES[reader].bad:
            core = re.sub(r"^https://\w+\.org/", "", bad).replace(" ", "")
            assert not [i for i in iris if core.lower() in i.lower()], (bad, core)
        # Everything the reader kept is valid: the mapping's own guard has nothing to say.
        assert not [n for n in mapped.notices if "not valid for its scheme" in n.message]


def test_no_reader_builds_an_identifier_itself() -> None:
    # One shared function checks every identifier; a reader that called Identifier(...)
    # itself could publish one unchecked.
    package = Path(__file__).parents[1] / "ld_publish" / "readers"
    offenders = [path.name for path in package.glob("*.py")
                 if path.name != "identify.py" and re.search(r"\bIdentifier\(", path.read_text())]
    assert offenders == []


# -- suspicious DOIs are warnings naming their field, in every reader with a DOI field --------

_HERE = "DOI-GOES-HERE"
_SUSPICIOUS = {
    "json": ("r.json", json.dumps({"key": "k", "title": "T", "doi": _HERE}), "doi"),
    "page": ("p.txt", (FIXTURES / "page" / "one_author.txt").read_text().replace(
        "DOI: 10.17976/jpps/2023.04.07", f"DOI: {_HERE}"), "identifiers.doi"),
    "crossref": ("c.json", json.dumps({"status": "ok", "message-type": "work", "message": {
        "DOI": _HERE, "type": "journal-article", "title": ["T"]}}), "DOI"),
    "bibtex": ("b.bib", "@article{k, title={T}, author={Doe, J.}, doi={" + _HERE + "}}", "doi"),
    "ris": ("r.ris", f"TY  - JOUR\nTI  - T\nDO  - {_HERE}\nER  - \n", "DO"),
    "csl-json": ("c.json", json.dumps([{"id": "a", "type": "article-journal", "title": "T",
                                        "DOI": _HERE}]), "DOI"),
}


@pytest.mark.parametrize("reader", sorted(_SUSPICIOUS))
@pytest.mark.parametrize(("doi", "fragment"), [
    ("10.1234/abc.", "trailing '.'"),
    ("10.1234/abc\u2010def", "U+2010"),
    ("10.1234/ab\u2212c", "U+2212"),
    ("10.1234/fig1.svg", "'.svg'"),
    ("10.1234/paper.pdf", "'.pdf'"),
])
def test_suspicious_dois_are_warnings_naming_the_field(reader: str, doi: str,
                                                        fragment: str) -> None:
    # Issue 9: a trailing period was stripped silently; look-alike hyphens and file-name
    # endings passed without a word.
    name, template, field = _SUSPICIOUS[reader]
    source = InputSource.from_bytes(name, template.replace(_HERE, doi).encode())
    [work] = list(readers.get(reader).read(source))
    assert isinstance(work, Work), work
    assert work.doi == doi.rstrip(".").lower()  # kept as written but for the period
    warnings = [n for n in work.notices if fragment in n.message]
    assert [(n.field, n.severity, n.value) for n in warnings] == [(field, "warning", doi)]
    assert warnings[0].hint
