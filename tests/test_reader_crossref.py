"""The Crossref reader against the corpus and small synthetic fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource, expand
from tests.paths import CORPUS as CORPUS_DIR

CORPUS = CORPUS_DIR / "crossref"
FIXTURES = Path(__file__).parent / "fixtures" / "crossref"
ELIFE = CORPUS / "commonmeta-py_crossref_10.7554-elife.01567.json"
PLOS = CORPUS / "dnet-hadoop_sfi_funded_article_10.1371-journal.pone.0233284.json"


def read(path: Path) -> list[Work | Rejected]:
    return list(readers.get("crossref").read(InputSource.from_path(path)))


def only_work(path: Path) -> Work:
    records = read(path)
    assert len(records) == 1 and isinstance(records[0], Work)
    return records[0]


def notices_for(work: Work, field: str) -> list[str]:
    return [n.message for n in work.notices if n.field == field]


def test_elife_record() -> None:
    work = only_work(ELIFE)
    assert work.key == "10.7554/elife.01567" and work.doi == "10.7554/elife.01567"
    assert work.type is WorkType.JOURNAL_ARTICLE
    assert work.title is not None and work.title.value.startswith("Automated quantitative")
    assert work.abstracts and "<" not in work.abstracts[0].value
    assert work.abstracts[0].value.startswith("Among various advantages")
    assert [a.family for a in work.authors()] == ["Sankar", "Nieminen", "Ragni", "Xenarios",
                                                  "Hardtke"]
    assert all(not a.identifiers for a in work.authors())
    assert work.authors()[3].affiliations[0].name.startswith("Vital-IT")
    assert work.container is not None and work.container.title == "eLife"
    issn = work.container.identifiers[0]
    assert (issn.scheme, issn.value, issn.qualifier) == ("issn", "2050-084X", "electronic")
    assert work.volume == "3" and work.language == "en"
    assert work.date("received").iso() == "2013-09-20"  # type: ignore[union-attr]
    assert work.date("accepted").iso() == "2013-12-24"  # type: ignore[union-attr]
    assert work.date("published").iso() == "2014-02-11"  # type: ignore[union-attr]
    assert work.date("updated").iso() == "2022-03-26T09:21:50Z"  # type: ignore[union-attr]
    # 8 funder entries, two pairs identical: 6 remain and the merge is reported.
    assert len(work.funding) == 6
    assert len(notices_for(work, "funder")) == 2
    funder_ids = {i.value for f in work.funding if f.funder for i in f.funder.identifiers}
    assert funder_ids == {"10.13039/501100006390", "10.13039/501100003043",
                          "10.13039/501100001711"}
    # 6 licence entries, each of vor/am/tdm twice.
    assert sorted(lic.content_version or "" for lic in work.licenses) == ["am", "tdm", "vor"]
    assert all(lic.start and lic.start.iso() == "2014-02-11" for lic in work.licenses)
    assert notices_for(work, "license")
    assert len(work.references) == 27
    assert all(r.doi for r in work.references)
    assert [r.position for r in work.references] == list(range(1, 28))
    assert work.references[0].key == "bib1" and work.references[0].raw
    assert work.related[0].relation == "is-supplemented-by"
    assert work.related[0].identifiers[0].value == "10.5061/dryad.b835k"
    assert "General Medicine" in work.subjects
    assert {"indexed", "reference-count", "content-domain", "score", "link"} <= set(work.unmapped)
    assert work.url == "https://elifesciences.org/articles/01567"


def test_plos_record() -> None:
    work = only_work(PLOS)
    source = json.loads(PLOS.read_text())
    distinct = {r["DOI"].lower() for r in source["reference"] if "DOI" in r}
    assert len(work.references) == 63
    assert len({r.doi.value for r in work.references if r.doi}) == len(distinct) == 58
    orcids = [a.identifier("orcid") for a in work.authors() if a.identifier("orcid")]
    assert [o.value for o in orcids if o] == ["0000-0003-4107-0278", "0000-0001-8317-6455"]
    assert len(notices_for(work, "author[0].authenticated-orcid")) == 1
    assert work.authors()[2].family == "Pérez-Ibarreche"
    editors = [c for c in work.contributors if c.role == "editor"]
    assert [(e.family, e.position) for e in editors] == [("Sobral", 1)]
    assert len(work.funding) == 1
    funding = work.funding[0]
    assert funding.funder and funding.funder.name == "Science Foundation Ireland"
    assert funding.funder.identifiers[0].scheme == "crossref-funder"
    assert funding.funder.identifiers[0].value == "10.13039/501100001602"
    assert [a.number for a in funding.awards] == ["SFI/12/RC/2273"]
    assert any("4 identical" in m for m in notices_for(work, "funder"))
    assert work.pages and work.pages.text == "e0233284"
    years = [n for n in work.notices if n.field.endswith(".year")]
    assert {n.value for n in years} == {"2015a", "2015b"}
    unstructured = next(r for r in work.references if r.key == "pone.0233284.ref016")
    assert unstructured.raw and unstructured.raw.startswith("Health Service Executive")
    assert unstructured.url == "https://www.breastfeeding.ie/Uploads/Mastitis.pdf"
    assert work.references[0].issue == "7–8"
    assert work.container and work.container.short_title == "PLoS ONE"


def test_envelope_and_odd_data() -> None:
    work = only_work(FIXTURES / "envelope.json")
    assert work.source.pointer == "message"
    assert work.doi == "10.1234/example.1"
    assert work.title and work.title.value == "An example & test"
    assert notices_for(work, "title[0]")
    assert work.abstracts[0].value == "First – para.\n\nSecond para."
    ann, consortium, packed = work.authors()
    assert ann.identifier("orcid").value == "0000-0002-1825-0097"  # type: ignore[union-attr]
    assert ann.affiliations[0].identifiers[0].value == "https://ror.org/04wxnsj81"
    assert consortium.kind == "organization" and consortium.name == "The Example Consortium"
    assert packed.family == "Smith and K. Jones"
    assert notices_for(work, "author[2].family")
    assert work.container and [i.value for i in work.container.identifiers] == ["2049-3630"]
    assert work.container.identifiers[0].qualifier == "print"
    assert any("placeholder" in m for m in notices_for(work, "ISSN[0]"))
    assert work.date("published-print") is None and notices_for(work, "published-print")
    assert work.date("published-online") is None and notices_for(work, "published-online")
    assert work.date("updated") is None and notices_for(work, "deposited")
    assert work.date("issued").iso() == "2015-03"  # type: ignore[union-attr]
    funder = work.funding[0].funder
    assert funder and funder.identifiers[0].value == "10.13039/100000001"
    assert notices_for(work, "funder[0].DOI")
    relations = {r.relation: r.identifiers[0] for r in work.related}
    assert relations["has-preprint"].value == "10.1101/2020.01.01.000001"
    assert relations["is-review-of"].scheme == "url"
    ref = work.references[0]
    assert ref.doi and ref.doi.value == "10.5555/abc" and ref.year == "2015"
    assert ref.raw == "Doe (2015). Something. J Ex, 1, 3. https://doi.org/10.5555/abc"
    assert notices_for(work, "reference[0].DOI")


def test_work_list_rejects_broken_items_and_goes_on() -> None:
    records = read(FIXTURES / "work-list.json")
    assert len(records) == 5
    kinds = [type(r).__name__ for r in records]
    assert kinds == ["Work", "Work", "Rejected", "Rejected", "Work"]
    no_doi, not_object = records[2], records[3]
    assert isinstance(no_doi, Rejected) and no_doi.source.pointer == "message.items[2]"
    assert "neither a DOI nor a title" in no_doi.reason
    assert json.loads(no_doi.raw) == {"type": "journal-article", "publisher": "Nobody"}
    assert isinstance(not_object, Rejected) and json.loads(not_object.raw) == "not an object"
    chapter = records[1]
    assert isinstance(chapter, Work) and chapter.type is WorkType.BOOK_CHAPTER
    assert chapter.container and chapter.container.type is WorkType.BOOK
    assert chapter.container.identifiers[0].value == "9780306406157"


def test_json_lines_streamed_with_line_numbers() -> None:
    records = read(FIXTURES / "works.jsonl")
    assert [type(r).__name__ for r in records] == ["Work", "Work", "Rejected", "Work"]
    assert [r.source.line for r in records] == [1, 2, 3, 4]
    assert records[2].raw == "{not json"  # type: ignore[union-attr]



def test_json_lines_latin1_line_is_rejected_alone() -> None:
    lines = (FIXTURES / "works.jsonl").read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"Chapter two", b"Chapitre deux \xe9")
    for name in ("mixed.jsonl", "mixed.json"):  # named .json: found to be JSON Lines
        source = InputSource.from_bytes(name, b"".join(lines))
        records = list(readers.get("crossref").read(source))
        assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Rejected", "Work"]
        bad = records[1]
        assert isinstance(bad, Rejected) and bad.source.line == 2
        assert "UTF-8" in bad.reason and bad.hint is not None and "iconv" in bad.hint


def test_data_file_layout_gzipped(tmp_path: Path) -> None:
    sources = list(expand([str(FIXTURES / "datafile.json.gz")]))
    assert len(sources) == 1
    assert detect(sources[0]).name == "crossref"
    records = list(readers.get("crossref").read(sources[0]))
    assert [r.source.pointer for r in records] == ["items[0]", "items[1]", "items[2]"]
    assert [r.key for r in records] == ["10.1234/example.1", "10.1234/example.2",
                                        "10.1234/example.3"]


def test_sniff_prefers_crossref_only_keys() -> None:
    reader = readers.get("crossref")
    csl = b'[{"id": "x", "type": "article-journal", "DOI": "10.1/x", "container-title": "J"}]'
    crossref = b'{"DOI": "10.1/x", "type": "journal-article", "container-title": ["J"], ' \
               b'"reference-count": 3, "indexed": {}, "member": "1"}'
    assert reader.sniff(crossref, "a.json") > 80
    assert 0 < reader.sniff(csl, "a.json") < 50
    assert reader.sniff(b"<article/>", "a.xml") == 0


def test_alias_is_registered() -> None:
    assert readers.get("crossref-json") is readers.get("crossref")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 3000)), max_size=4))
def test_any_date_parts_give_a_valid_date_or_a_notice(parts: list[int | None]) -> None:
    message = {"DOI": "10.1234/x", "type": "journal-article", "title": ["T"],
               "issued": {"date-parts": [parts]}}
    source = InputSource.from_bytes("h.json", json.dumps(message).encode())
    work = next(iter(readers.get("crossref").read(source)))
    assert isinstance(work, Work)
    issued = work.date("issued")
    assert issued is not None or notices_for(work, "issued")


def _works_with_abstracts(*abstracts: str) -> list[Work | Rejected]:
    items = [{"DOI": f"10.1234/abs.{n}", "type": "journal-article", "title": [f"Work {n}"],
              "abstract": text} for n, text in enumerate(abstracts)]
    data = json.dumps({"status": "ok", "message-type": "work-list",
                       "message": {"items": items}}).encode()
    return list(readers.get("crossref").read(InputSource.from_bytes("abs.json", data)))


def test_abstract_with_an_internal_dtd_gives_clean_text() -> None:
    [work] = _works_with_abstracts(
        '<!DOCTYPE jats:abstract [\n<!ENTITY co "Company">\n<!ENTITY full "the &co; &amp; '
        'partners">\n]><jats:abstract><jats:p>By &full; &mdash; &co;&#x2019;s work.</jats:p>'
        '</jats:abstract>')
    assert isinstance(work, Work)
    [abstract] = work.abstracts
    assert abstract.value == "By the Company & partners — Company’s work."
    for leftover in ("]>", "&", "<!", "ENTITY"):
        assert leftover not in abstract.value.replace("Company & partners", "")


def test_abstract_with_an_external_entity_rejects_only_its_work() -> None:
    records = _works_with_abstracts(
        "<jats:p>Fine.</jats:p>",
        '<!DOCTYPE a [<!ENTITY secret SYSTEM "file:///etc/passwd">]><jats:p>&secret;</jats:p>',
        '<!DOCTYPE a [<!ENTITY ok "fine">]><jats:p>Also &ok; &undefined;.</jats:p>',
        "<jats:p>Fine too.</jats:p>")
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Rejected", "Work"]
    external, undefined = records[1], records[2]
    assert isinstance(external, Rejected) and isinstance(undefined, Rejected)
    assert external.field == "abstract" and "external entity &secret;" in external.reason
    assert external.source.pointer == "message.items[1]"
    assert external.hint is not None and "ENTITY" in external.hint
    assert undefined.field == "abstract" and "&undefined;" in undefined.reason
    assert undefined.hint is not None


def test_title_with_a_dtd_is_cleaned_too() -> None:
    data = json.dumps({"DOI": "10.1234/t", "type": "journal-article",
                       "title": ['<!DOCTYPE t [<!ENTITY x "X">]><i>&x;-rays</i>']}).encode()
    [work] = readers.get("crossref").read(InputSource.from_bytes("t.json", data))
    assert isinstance(work, Work) and work.title is not None
    assert work.title.value == "X-rays"
