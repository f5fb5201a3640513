"""The article-page reader against the seed page and the variants the same site produces."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.errors import InputError
from ld_publish.model import DateValue, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.readers.page import PageReader, parse_page
from ld_publish.readers.page_references import parse_reference, split_apa_names
from ld_publish.sources import InputSource
from tests.paths import CORPUS as CORPUS_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "page"
CORPUS = CORPUS_DIR


def read(name: str) -> Work:
    records = list(readers.get("page").read(InputSource.from_path(FIXTURES / name)))
    assert len(records) == 1
    work = records[0]
    assert isinstance(work, Work)
    return work


def notice_fields(work: Work) -> dict[str, str]:
    return {n.field: n.severity for n in work.notices}


@pytest.fixture(scope="module")
def seed() -> Work:
    return read("seed.txt")


# -- the seed page, field by field ---------------------------------------------------------------

def test_seed_title_language_key_source(seed: Work) -> None:
    assert seed.title is not None
    assert seed.title.value == ("Theory and practice of cross-border regionalization. "
                                "Lessons for Russia")
    assert seed.title.lang == "en"
    assert seed.language == "ru"
    assert seed.key == "10.17976/jpps/2025.02.05"
    assert seed.type is WorkType.JOURNAL_ARTICLE
    assert seed.source.format == "page"
    assert seed.source.path.endswith("seed.txt")


def test_seed_authors_in_order(seed: Work) -> None:
    first, second = seed.contributors
    assert (first.name, first.family, first.given, first.position) == (
        "Sebentzov A.B.", "Sebentzov", "A.B.", 1)
    assert second.name == "Lomakina \u0410. I."  # Cyrillic A kept verbatim
    assert (second.family, second.position) == ("Lomakina", 2)
    assert first.emails == ("asebentsov@gmail.com",)
    assert second.emails == ("Lomakina.lomakina@ya.ru",)
    for person in (first, second):
        (org,) = person.affiliations
        assert org.name == "Institute of Geography, Russian Academy of Sciences, Moscow, Russia"
        assert (org.city, org.country) == ("Moscow", "RU")
        assert person.role == "author" and person.kind == "person"


def test_seed_author_identifiers(seed: Work) -> None:
    first, second = seed.contributors
    ids1 = {i.scheme: i.value for i in first.identifiers}
    ids2 = {i.scheme: i.value for i in second.identifiers}
    assert ids1 == {"elibrary": "618867", "orcid": "0000-0001-9665-5666",
                    "researcherid": "AAG-6046-2021"}
    assert ids2 == {"elibrary": "618858", "researcherid": "J-5112-2018"}


def test_seed_mixed_script_name_is_flagged_not_changed(seed: Work) -> None:
    (notice,) = [n for n in seed.notices if n.field == "contributors[2].name"]
    assert notice.severity == "warning"
    assert "U+0410" in notice.message and "CYRILLIC" in notice.message
    assert notice.value == "Lomakina \u0410. I."
    assert not any(n.field.startswith("contributors[1]") for n in seed.notices)


def test_seed_dates_with_times(seed: Work) -> None:
    assert seed.date("received") == DateValue(2024, 8, 14, dt.time(19, 26))
    assert seed.date("accepted") == DateValue(2025, 1, 13, dt.time(19, 26))
    assert seed.date("received").tz_minutes is None  # type: ignore[union-attr]
    assert seed.date("published") == DateValue(2025)
    assert seed.date("received").iso() == "2024-08-14T19:26:00"  # type: ignore[union-attr]


def test_seed_identifiers_container_citation(seed: Work) -> None:
    assert seed.doi == "10.17976/jpps/2025.02.05"
    assert seed.identifier("edn").value == "OUSNXK"  # type: ignore[union-attr]
    assert seed.container is not None
    assert seed.container.title == "Polis. Political Studies"
    assert seed.container.type is WorkType.JOURNAL
    assert seed.container.identifiers == ()  # no ISSN on the page; none invented
    assert seed.issue == "2" and seed.volume is None
    assert seed.citation is not None
    assert seed.citation.startswith("Sebentzov A.B., Lomakina \u0410. I. Theory and practice")
    assert seed.citation.endswith("EDN: OUSNXK (In Russ.)")


def test_seed_funding(seed: Work) -> None:
    (funding,) = seed.funding
    assert funding.statement is not None
    assert funding.statement.startswith("The article was prepared at IG RAS within")
    assert funding.statement.endswith("internal and external challenges”.")
    # One state assignment: its registration number, and its project code in brackets.
    [award] = funding.awards
    assert (award.number, award.other_numbers) == ("124032900015-3", ("FMWS-2024-0008",))
    assert award.title == ("Socio-economic space of Russia in the context of global "
                           "transformations: internal and external challenges")
    # "prepared at IG RAS" names the performer, not the funder: no funder, an info notice says so.
    assert funding.funder is None
    assert notice_fields(seed)["funding[1].funder"] == "info"


def test_seed_abstract(seed: Work) -> None:
    (abstract,) = seed.abstracts
    assert abstract.lang == "en"
    assert abstract.value.startswith("The article analyzes the theoretical and practical")
    assert abstract.value.endswith("on the external and internal borders of the EAEU.")
    assert "\n" not in abstract.value


def test_seed_references(seed: Work) -> None:
    refs = seed.references
    assert len(refs) == 40
    assert [r.position for r in refs] == list(range(1, 41))
    assert sum(r.doi is not None for r in refs) == 24
    lines = (FIXTURES / "seed.txt").read_text().split("References\n")[1].split("See also:")[0]
    assert [r.raw for r in refs] == lines.strip().split("\n")
    assert [r.language_note == "In Russ." for r in refs] == [
        "(In Russ.)" in line for line in lines.strip().split("\n")]
    assert sum(r.language_note is not None for r in refs) == 14
    first = refs[0]
    assert first.authors == ("Agnew, J.A.",)
    assert (first.year, first.title, first.container_title) == (
        "2013", "Arguing with regions", "Regional Studies")
    assert (first.volume, first.issue, first.pages) == ("47", "1", "1-12")
    assert first.doi is not None and first.doi.value == "10.1080/00343404.2012.676738"
    assert first.type is WorkType.JOURNAL_ARTICLE
    chapter = refs[7]  # Hurrell 1995, a chapter in an edited book
    assert chapter.type is WorkType.BOOK_CHAPTER
    assert chapter.editors == ("L. Fawcett", "A. Hurrell")
    assert chapter.container_title == "Regionalism in World Politics"
    assert (chapter.pages, chapter.place, chapter.publisher) == (
        "37-73", "New York", "Oxford University Press")
    book = refs[18]  # Sack 1986
    assert (book.type, book.title, book.place, book.publisher) == (
        WorkType.BOOK, "Human territoriality: its theory and history", "Cambridge",
        "Cambridge University Press")
    edited = refs[17]  # Perkmann & Sum (Eds.)
    assert edited.editors == ("Perkmann, M.", "Sum, N.-L.") and edited.authors == ()
    upper = refs[21].doi
    assert upper is not None and upper.value == "10.1134/s2079970523600300"
    assert upper.original == "10.1134/S2079970523600300"


def test_seed_see_also(seed: Work) -> None:
    related = seed.related
    assert len(related) == 5
    assert all(r.relation == "see-also" for r in related)
    kosov = related[0]
    assert kosov.authors == ("Kosov Yu.V.",)
    assert kosov.title == "Trans-Border Regional Cooperation: the North-West of Russia"
    assert (kosov.container_title, kosov.year, kosov.issue) == (
        "Polis. Political Studies", "2003", "5")
    assert kosov.citation == ("Kosov Yu.V., Trans-Border Regional Cooperation: the North-West "
                              "of Russia. – Polis. Political Studies. 2003. No5")
    assert related[4].authors == ("Zheleznyakov A.S.", "Baasansuren D.", "Nedyak I.L.")
    assert [r.year for r in related] == ["2003", "2004", "2012", "2020", "2013"]


def test_seed_has_no_violations(seed: Work) -> None:
    assert not [n for n in seed.notices if n.severity == "violation"]
    assert seed.unmapped == ()


# -- variants -------------------------------------------------------------------------------------

def test_one_author_with_explicit_funder() -> None:
    work = read("one_author.txt")
    (author,) = work.contributors
    assert author.name == "Ivanov I.I."
    assert [(i.scheme, i.value) for i in author.identifiers] == [("elibrary", "123456")]
    (funding,) = work.funding
    assert funding.funder is not None
    assert funding.funder.name == "Russian Science Foundation (RSF)"
    assert [a.number for a in funding.awards] == ["22-18-00123"]
    assert work.key == "10.17976/jpps/2023.04.07"


def test_three_authors_with_none_some_all_ids() -> None:
    work = read("three_authors.txt")
    assert [c.name for c in work.contributors] == ["Petrov P.P.", "Sidorova S.S.",
                                                   "Kuznetsov K.K."]
    assert [c.position for c in work.contributors] == [1, 2, 3]
    none, some, every = work.contributors
    assert none.identifiers == ()
    assert none.affiliations[0].city == "Moscow"
    assert {i.scheme: i.value for i in some.identifiers} == {
        "elibrary": "222222", "researcherid": "B-1234-2019"}
    assert {i.scheme: i.value for i in every.identifiers} == {
        "researcherid": "C-2345-2020", "orcid": "0000-0002-1825-0097", "elibrary": "333333"}
    assert every.affiliations[0].city == "Kazan"
    assert work.pages is not None
    assert (work.pages.first, work.pages.last) == ("30", "45")
    assert work.related == ()
    assert len(work.references) == 2 and all(r.doi is None for r in work.references)


@pytest.mark.parametrize(("name", "received", "accepted"), [
    ("accepted_only.txt", None, DateValue(2023, 6, 30, dt.time(9, 0))),
    ("received_only.txt", DateValue(2023, 3, 1, dt.time(10, 5)), None),
    ("no_dates.txt", None, None),
])
def test_missing_dates(name: str, received: DateValue | None,
                       accepted: DateValue | None) -> None:
    work = read(name)
    assert work.date("received") == received
    assert work.date("accepted") == accepted
    assert work.date("published") == DateValue(2023)
    assert work.contributors[0].identifiers  # the id line was not mistaken for something else
    assert not [n for n in work.notices if n.severity == "violation"]


def test_no_funding_line() -> None:
    work = read("no_funding.txt")
    assert work.funding == ()
    assert work.abstracts[0].value == "The article examines borders in the Russian Arctic."


def test_references_without_doi_and_see_also_present() -> None:
    work = read("one_author.txt")
    assert [r.doi for r in work.references] == [None, None]
    assert work.references[0].language_note == "In Russ."
    assert len(work.related) == 1


def test_no_see_also_block() -> None:
    work = read("no_see_also.txt")
    assert work.related == ()
    assert len(work.references) == 2


def test_no_references_block() -> None:
    work = read("no_references.txt")
    assert work.references == ()
    assert [r.authors for r in work.related] == [("Kosov Yu.V.",)]


@pytest.mark.parametrize("name", ["crlf.txt", "bom.txt"])
def test_crlf_and_bom_read_like_the_seed(name: str, seed: Work) -> None:
    work = read(name)
    assert work.title == seed.title
    assert work.contributors == seed.contributors
    assert work.references == seed.references
    assert work.related == seed.related
    assert work.abstracts == seed.abstracts
    assert work.key == seed.key
    assert "\r" not in (work.citation or "")


def test_bom_and_crlf_together() -> None:
    work = read("bom_crlf.txt")
    assert work.title is not None and work.title.value == "Border studies in the Russian Arctic"
    assert work.contributors[0].name == "Ivanov I.I."


def test_bad_orcid_is_a_violation_and_not_kept() -> None:
    work = read("bad_orcid.txt")
    first = work.contributors[0]
    assert first.identifier("orcid") is None
    assert first.identifier("elibrary") is not None
    (notice,) = [n for n in work.notices if n.field == "contributors[1].identifiers.orcid"]
    assert notice.severity == "violation"
    assert notice.value == "0000-0001-9665-5667"
    assert "checksum" in notice.message


def test_malformed_doi_is_a_violation() -> None:
    work = read("bad_doi.txt")
    assert work.doi is None
    assert notice_fields(work)["identifiers.doi"] == "violation"
    assert work.key == "edn:ABCDEF"


def test_key_falls_back_to_edn_then_hash() -> None:
    assert read("no_doi.txt").key == "edn:ABCDEF"
    hashed = read("no_doi_no_edn.txt")
    assert hashed.key.startswith("sha256:") and len(hashed.key) == 7 + 64
    assert read("no_doi_no_edn.txt").key == hashed.key


def test_crlf_does_not_change_the_hash_key() -> None:
    text = (FIXTURES / "no_doi_no_edn.txt").read_text()
    assert parse_page(text).key == parse_page(text.replace("\n", "\r\n")).key


def test_no_title() -> None:
    work = read("no_title.txt")
    assert work.title is None
    assert notice_fields(work)["title"] == "violation"
    assert work.contributors[0].name == "Ivanov I.I."


def test_unparseable_date_is_a_violation_and_dropped() -> None:
    work = read("bad_date.txt")
    assert work.date("received") is None
    assert work.date("accepted") == DateValue(2023, 6, 30, dt.time(9, 0))
    (notice,) = [n for n in work.notices if n.field == "dates.received"]
    assert notice.severity == "violation" and notice.value == "2024.13.45 19:26"


def test_whitespace_only_file_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no text"):
        read("whitespace_only.txt")


def test_text_that_is_no_page_is_an_input_error() -> None:
    source = InputSource.from_bytes("notes.txt", b"Shopping list\nmilk\nbread\n")
    with pytest.raises(InputError, match="does not look like an article page"):
        list(readers.get("page-text").read(source))


def test_oversized_file_is_an_input_error() -> None:
    big = (FIXTURES / "seed.txt").read_bytes() * (50 * 1024 * 1024 // 12000)
    with pytest.raises(InputError, match="larger than"):
        list(PageReader().read(InputSource.from_bytes("big.txt", big)))


def test_bad_author_ids_are_violations_like_a_bad_orcid() -> None:
    # Issue 9: every identifier scheme is checked alike; a wrong author id would name (and
    # merge) the wrong person, as a wrong ORCID iD would.
    text = (FIXTURES / "one_author.txt").read_text().replace(
        "elibrary_id: 123456", "elibrary_id: 12x456 | RESEARCHER_ID: nonsense | SPIN: 1234")
    work = parse_page(text)
    assert work.contributors[0].identifiers == ()
    fields = notice_fields(work)
    for scheme in ("elibrary", "researcherid", "spin"):
        assert fields[f"contributors[1].identifiers.{scheme}"] == "violation"
    assert not work.unmapped


def test_valid_spin_code_is_kept() -> None:
    text = (FIXTURES / "one_author.txt").read_text().replace(
        "elibrary_id: 123456", "elibrary_id: 123456 | SPIN: 1234-5678")
    [author] = parse_page(text).contributors
    assert [(i.scheme, i.value) for i in author.identifiers] == [
        ("elibrary", "123456"), ("spin", "1234-5678")]


def test_doi_mismatch_between_line_and_citation_is_reported() -> None:
    text = (FIXTURES / "one_author.txt").read_text().replace(
        "https://doi.org/10.17976/jpps/2023.04.07", "https://doi.org/10.17976/jpps/2023.04.99")
    work = parse_page(text)
    assert work.doi == "10.17976/jpps/2023.04.07"
    assert "citation" in notice_fields(work)


# -- detection ------------------------------------------------------------------------------------

def test_detect_picks_page_for_the_seed() -> None:
    assert detect(InputSource.from_path(FIXTURES / "seed.txt")).name == "page"


@pytest.mark.parametrize("head", [
    b'{"message": {"DOI": "10.1/x"}}', b"<?xml version='1.0'?><article/>",
    b"@article{key, title={DOI: 10.1/x}}", b"TY  - JOUR\nDO  - 10.1/x\nER  - \n",
    b"Just some notes\nabout nothing\n",
])
def test_sniff_refuses_other_formats(head: bytes) -> None:
    assert PageReader().sniff(head, "x.txt") == 0


def test_sniff_is_confident_for_page_shape() -> None:
    head = (FIXTURES / "seed.txt").read_bytes()[:65536]
    assert PageReader().sniff(head, "seed.txt") >= 90


def test_sniff_is_zero_for_every_corpus_file() -> None:
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.name != "MANIFEST.md":
            assert PageReader().sniff(path.read_bytes()[:65536], path.name) == 0, path


# -- reference parsing properties ----------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300).filter(lambda s: s.strip()))
def test_any_reference_line_keeps_raw_and_never_fails(line: str) -> None:
    reference, notices = parse_reference(line, 7)
    assert reference.raw == line.strip()
    assert reference.position == 7
    assert all(n.field.startswith("references[7]") for n in notices)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Agnew", "Sum", "Le Galfes", "Schmitt-Egner"]),
                          st.sampled_from(["J.A.", "N.-L.", "Yu.V.", "A."])),
                min_size=1, max_size=4))
def test_apa_name_lists_split_back_into_their_names(names: list[tuple[str, str]]) -> None:
    printed = [f"{family}, {initials}" for family, initials in names]
    text = ", ".join(printed[:-1]) + (", & " if len(printed) > 1 else "") + printed[-1]
    assert split_apa_names(text) == tuple(printed)


_page_lines = st.sampled_from([
    "Sebentzov A.B.,", "Institute of Geography, RAS, Moscow, Russia, a@b.org",
    "elibrary_id: 1 | ORCID: 0000-0001-9665-5667 | RESEARCHER_ID: x",
    "Article received: 2024.02.30 25:61", "Accepted: 2025.01.13", "DOI: 10.abc",
    "DOI: 10.17976/jpps/2025.02.05", "EDN: abc", "References",
    "See also:", "Kosov Yu.V.,", "Title. – Polis. Political Studies. 2003. No5", "",
    "Supported by the RSF, grant No. 1-2.", "(In Russ.)",
]) | st.text(max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(_page_lines, max_size=15))
def test_any_page_text_gives_a_work_or_an_input_error(lines: list[str]) -> None:
    try:
        work = parse_page("\n".join(lines), "fuzz.txt")
    except InputError:
        return
    assert work.source.format == "page"
    assert all(n.severity in ("violation", "warning", "info") for n in work.notices)
