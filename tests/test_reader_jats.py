"""The JATS reader against the SciELO corpus article and small synthetic documents."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from ld_publish.errors import InputError
from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource

FIXTURES = Path(__file__).parent / "fixtures" / "jats"
SCIELO = FIXTURES / "scielo_packtools_2318-0889-tinf-33-e200068.xml"


def read_bytes(label: str, data: bytes) -> list[Work | Rejected]:
    return list(readers.get("jats").read(InputSource.from_bytes(label, data)))


def one(path: Path) -> Work:
    records = list(readers.get("jats").read(InputSource.from_path(path)))
    assert len(records) == 1 and isinstance(records[0], Work)
    return records[0]


def test_scielo_front_matter() -> None:
    work = one(SCIELO)
    assert work.key == "10.1590/2318-0889202133e200068"
    assert work.type is WorkType.JOURNAL_ARTICLE and work.language == "en"
    assert work.title and work.title.lang == "en"
    assert work.title.value.startswith("The intellectual foundation of the elite")
    assert [(t.lang, t.value[:26]) for t in work.translated_titles] == [
        ("pt", "Bases intelectuais da elit")]
    assert [a.lang for a in work.abstracts] == ["en", "pt"]
    assert work.abstracts[0].value.startswith("This study aims to analyze")
    assert work.abstracts[1].value.startswith("Este trabalho tem como objetivo")
    first, second = work.authors()
    assert (first.family, first.given) == ("ARAÚJO", "Paula Carina de")
    assert first.identifier("orcid").value == "0000-0003-4608-752X"  # type: ignore[union-attr]
    assert second.identifier("orcid").value == "0000-0002-3620-0632"  # type: ignore[union-attr]
    assert first.emails == ("paulacarina@ufpr.br",)
    assert len(first.affiliations) == 2 and len(second.affiliations) == 2
    ufpr = first.affiliations[0]
    assert ufpr.name.startswith("Universidade Federal do Paraná, Departamento")
    assert (ufpr.city, ufpr.region, ufpr.country) == ("Curitiba", "PR", "BR")
    assert ufpr.department == ("Departamento de Ciência e Gestão da Informação, Programa de "
                               "Pós-Graduação em Gestão da Informação")
    assert second.affiliations[1].city == "João Pessoa"
    assert work.container and work.container.title == "Transinformação"
    assert [(i.value, i.qualifier) for i in work.container.identifiers] == [
        ("0103-3786", "print"), ("2318-0889", "electronic")]
    assert work.publisher and work.publisher.name.startswith("Pontifícia")
    assert work.volume == "33" and work.article_number == "e200068" and work.issue is None
    dates = {d.kind: d.value.iso() for d in work.dates}
    assert dates == {"published": "2021-04-09", "published-online": "2021-04-09",
                     "collection": "2021", "received": "2020-10-27", "revised": "2021-01-21",
                     "accepted": "2021-02-22"}
    assert [lic.url for lic in work.licenses] == ["http://creativecommons.org/licenses/by/4.0/"]
    assert not work.funding
    assert {k.lang for k in work.keywords} == {"en", "pt"} and len(work.keywords) == 8
    assert {"front/article-meta/counts", "body", "back/ack"} <= set(work.unmapped)


def test_scielo_references() -> None:
    work = one(SCIELO)
    text = SCIELO.read_text(encoding="utf-8")
    assert len(work.references) == 44 == text.count("<ref id=")
    pub_ids = {unescape(m).lower() for m in
               re.findall(r'<pub-id pub-id-type="doi">([^<]+)</pub-id>', text)}
    assert len(pub_ids) == 24
    dois = {r.doi.value for r in work.references if r.doi}
    # 24 from pub-id plus 10.1139/v05-158, which B01 gives only in its mixed-citation text.
    assert len(dois) == 25 and pub_ids < dois
    b01 = work.references[0]
    assert b01.key == "B01" and b01.doi and b01.doi.value == "10.1139/v05-158"
    assert any(n.field == "ref-list/ref[0].doi" and "citation text" in n.message
               for n in work.notices)
    assert b01.raw and b01.raw.startswith("Andraos, J. Scientific genealogies")
    assert (b01.volume, b01.issue, b01.pages, b01.year) == ("83", "9", "1400-1414", "2005")
    assert b01.container_title == "Canadian Journal of Chemistry"
    sici = [r for r in work.references if r.doi and "sici" in r.doi.value]
    assert sici and sici[0].doi and sici[0].doi.value == (
        "10.1002/(sici)1097-4571(199507)46:6<400::aid-asi2>3.0.co;2-y")
    assert work.references[2].editors == ("Carrara, K.",)
    assert work.references[2].type is WorkType.BOOK_CHAPTER
    types = {r.type for r in work.references}
    assert {WorkType.WEB_PAGE, WorkType.PROCEEDINGS_ARTICLE, WorkType.BOOK} <= types
    collab = [r for r in work.references if "Conselho Nacional de Desenvolvimento "
              "Científico e Tecnológico" in r.authors]
    assert collab
    assert any(n.field.endswith(".authors") and "et al." in n.message for n in work.notices)


def test_synthetic_doctype_fixture() -> None:
    work = one(FIXTURES / "synthetic-doctype.xml")
    assert work.doi == "10.5555/test.42"
    # Named entities resolved from the bundled catalog; NBSP collapses like any space.
    assert work.title and work.title.value == "Correction: Dashes—and spaces … – α"
    assert work.subtitles[0].value == "A subtitle"
    josiah, consortium = work.authors()
    assert josiah.identifier("orcid").value == "0000-0002-1825-0097"  # type: ignore[union-attr]
    assert josiah.emails == ("josiah@example.org",)
    brown = josiah.affiliations[0]
    assert brown.identifiers[0].value == "https://ror.org/05gq02987"
    assert (brown.city, brown.country) == ("Providence", "US")
    assert consortium.kind == "organization" and consortium.name == "The Test Consortium"
    editor = next(c for c in work.contributors if c.role == "editor")
    assert (editor.given, editor.family, editor.position) == ("Eve", "Editor", 1)
    assert work.container and [i.value for i in work.container.identifiers] == ["2049-3630"]
    assert any(n.field.startswith("journal-meta/issn") for n in work.notices)
    # 30 February is impossible: dropped with a notice; the print date still gives "published".
    assert work.date("published-online") is None
    assert any(n.field == "pub-date[0]" for n in work.notices)
    assert work.date("published-print").iso() == "2020-03"  # type: ignore[union-attr]
    assert work.date("published").iso() == "2020-03"  # type: ignore[union-attr]
    assert work.pages and (work.pages.first, work.pages.last) == ("101", "110")
    assert work.identifier("pmid").value == "12345678"  # type: ignore[union-attr]
    related = work.related[0]
    assert related.relation == "is-correction-of"
    assert related.identifiers[0].value == "10.5555/test.41"
    assert work.abstracts[0].value == "One & two—three."
    funded = [f for f in work.funding if f.funder]
    assert funded[0].funder and funded[0].funder.name == "National Science Foundation"
    assert funded[0].funder.identifiers[0].value == "10.13039/100000001"
    assert [a.number for a in funded[0].awards] == ["NSF-123", "NSF-456"]
    assert [f.statement for f in work.funding if f.statement] == ["Funded by the NSF."]
    r1, r2 = work.references
    assert r1.authors == ("Roe, R",) and r1.year == "2001" and r1.pages == "5-9"
    assert r1.doi and r1.doi.value == "10.1038/35057062"
    assert r1.identifiers[0].scheme == "pmid"
    assert r1.raw == "Roe, R (2001). A study. Nature, 1, 5-9."
    assert r2.authors == ("World Health Organization",) and r2.type is WorkType.BOOK
    assert (r2.title, r2.publisher, r2.place) == ("A book", "WHO", "Geneva")


def test_no_doctype_and_namespaced_variants() -> None:
    text = (FIXTURES / "synthetic-doctype.xml").read_text(encoding="utf-8")
    plain = re.sub(r"<!DOCTYPE[^>]*>", "", text).encode()
    reader = readers.get("jats")
    assert reader.sniff(plain, "x.xml") >= 90
    assert reader.sniff(text.encode(), "x.xml") == 95
    work = read_bytes("plain.xml", plain)[0]
    assert isinstance(work, Work) and work.doi == "10.5555/test.42"
    namespaced = one(FIXTURES / "namespaced.xml")
    assert namespaced.doi == "10.5555/ns.1" and namespaced.title
    assert namespaced.title.value == "Namespaced"


def test_detection_picks_jats() -> None:
    assert detect(InputSource.from_path(SCIELO)).name == "jats"
    assert readers.get("jats").sniff(b'{"a": 1}', "x.json") == 0
    assert readers.get("jats-xml") is readers.get("jats")


def test_truncated_xml_names_file_and_line() -> None:
    path = FIXTURES / "truncated.xml"
    with pytest.raises(InputError) as caught:
        list(readers.get("jats").read(InputSource.from_path(path)))
    message = str(caught.value)
    assert str(path) in message and caught.value.where.line is not None
    assert "not well-formed" in message and caught.value.hint


def test_article_without_front_is_rejected() -> None:
    records = read_bytes("bare.xml", b"<article><body><p>x</p></body></article>")
    assert isinstance(records[0], Rejected) and "article-meta" in records[0].reason
