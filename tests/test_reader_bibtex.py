"""BibTeX reader: corpus entries, a broken entry quarantined alone, odd values as notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.readers.bibtex import split_bibtex_names
from ld_publish.sources import InputSource
from tests.paths import CORPUS as CORPUS_DIR

CORPUS = CORPUS_DIR / "bibtex"
FIXTURES = Path(__file__).parent / "fixtures" / "bibtex"


def read(path: Path) -> list[Work | Rejected]:
    source = InputSource.from_path(path)
    return list(readers.get("bib").read(source))


def works(path: Path) -> list[Work]:
    return [r for r in read(path) if isinstance(r, Work)]


def notice_fields(work: Work) -> dict[str, str]:
    return {n.field: n.message for n in work.notices}


def test_detected_by_content_not_extension() -> None:
    data = (CORPUS / "bolognese_crossref_elife01567.bib").read_bytes()
    source = InputSource.from_bytes("upload.txt", data)
    assert detect(source).name == "bibtex"
    for other in ("ris", "csl-json", "datacite", "schema-org"):
        assert readers.get(other).sniff(data, "upload.txt") == 0


def test_crossref_generated_entry() -> None:
    [work] = works(CORPUS / "bolognese_crossref_elife01567.bib")
    assert work.key == "10.7554/elife.01567"
    assert work.type is WorkType.JOURNAL_ARTICLE
    assert [c.family for c in work.authors()] == [
        "Sankar", "Nieminen", "Ragni", "Xenarios", "Hardtke"]
    assert work.authors()[4].given == "Christian S"
    assert work.date("published") is not None and work.date("published").iso() == "2014-02"
    assert work.publisher is not None
    assert work.publisher.name == "eLife Sciences Organisation, Ltd."  # protection braces gone
    assert work.container is not None and work.container.title == "eLife"
    assert [i.value for i in work.container.identifiers] == ["2050-084X"]
    assert work.volume == "3"
    assert work.url == "http://elifesciences.org/lookup/doi/10.7554/eLife.01567"
    assert work.unmapped == ()


def test_oup_export_with_crlf_doi_key_and_curly_quotes() -> None:
    [work] = works(CORPUS / "oup_otoole2019_10.1093-neuros-nyy394.bib")
    assert work.key == "10.1093/neuros/nyy394"
    assert work.source.pointer == "10.1093/neuros/nyy394"
    authors = work.authors()
    assert len(authors) == 13
    assert authors[0].family == "O’Toole" and authors[0].given == "John E"
    assert authors[-1].name == "Harrop, James S"
    assert [c.position for c in authors] == list(range(1, 14))
    assert work.title is not None and not work.title.value.startswith("{")
    assert work.abstracts[0].value.startswith("The thoracic and lumbar (“thoracolumbar”)")
    assert "chapter_1." in work.abstracts[0].value  # \_ decoded
    # The source says 2018/09 (online) although volume 84(1) is the 2019 issue: kept as given.
    assert work.date("published").iso() == "2018-09"
    assert (work.volume, work.issue) == ("84", "1")
    assert work.pages is not None and (work.pages.first, work.pages.last) == ("2", "6")
    assert work.unmapped == ("eprint",)


def test_broken_entry_in_the_middle_is_quarantined_alone() -> None:
    records = read(FIXTURES / "three_entries_one_broken.bib")
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    rejected = records[1]
    assert isinstance(rejected, Rejected)
    assert rejected.source.position == 2
    assert rejected.source.line == 15
    assert rejected.source.pointer == "broken"
    assert rejected.raw.startswith("@article{broken,")
    assert "@inproceedings" not in rejected.raw
    assert "not valid BibTeX" in rejected.reason
    assert [r.source.position for r in records] == [1, 2, 3]


def test_first_entry_names_types_and_notices() -> None:
    first = works(FIXTURES / "three_entries_one_broken.bib")[0]
    assert first.type is WorkType.BOOK
    assert first.title is not None and first.title.value == "Café Über eLife & more"
    org, muller, fontaine = first.authors()
    assert (org.name, org.kind) == ("World Health Organization", "organization")
    assert (muller.family, muller.given) == ("Müller", "Jörg")
    assert (fontaine.family, fontaine.given) == ("de la Fontaine", "Jean")
    assert [c.name for c in first.contributors if c.role == "editor"] == ["Doe, Jane"]
    notices = notice_fields(first)
    assert "author[3]" in notices  # "and others"
    assert "month" in notices  # month 13
    assert first.date("published").iso() == "2015"
    assert first.doi == "10.1000/xyz.123" and "doi" in notices  # doi: prefix reported
    assert [i.value for i in first.identifiers if i.scheme == "isbn"] == ["9783161484100"]
    assert first.unmapped == ("edition",)


def test_third_entry_odd_values() -> None:
    third = works(FIXTURES / "three_entries_one_broken.bib")[1]
    assert third.type is WorkType.PROCEEDINGS_ARTICLE
    assert third.container is not None and third.container.type is WorkType.PROCEEDINGS
    assert [c.name for c in third.authors()] == ["Smith, John", "Doe, Jane"]
    notices = notice_fields(third)
    assert "several people" in notices["author[0]"]
    assert "placeholder" in notices["issn"]
    assert third.container.identifiers == ()  # 0000-0000 not kept
    assert third.doi == "10.1000/abc" and "doi" in notices  # DOI as URL reported
    assert third.url == "https://example.org/a_b"
    assert third.date("published").iso() == "2017-09"
    assert third.unmapped == ("custom",)


def test_bom_and_crlf() -> None:
    [work] = works(FIXTURES / "bom_crlf.bib")
    assert work.key == "bibtex:crlf"
    assert work.title is not None and work.title.value == "With BOM and CRLF"
    assert work.date("published").iso() == "2014-02"


def test_duplicate_key_is_rejected_with_its_own_text() -> None:
    text = "@misc{a, title={One}}\n@misc{b, title={Two}}\n@misc{a, title={Again}}\n"
    records = list(readers.get("bibtex").read(InputSource.from_bytes("d.bib", text.encode())))
    assert [type(r).__name__ for r in records] == ["Work", "Work", "Rejected"]
    assert isinstance(records[2], Rejected)
    assert "duplicate" in records[2].reason and "Again" in records[2].raw


@pytest.mark.parametrize(("entry_type", "expected"), [
    ("phdthesis", WorkType.THESIS), ("techreport", WorkType.REPORT),
    ("incollection", WorkType.BOOK_CHAPTER), ("online", WorkType.WEB_PAGE),
    ("unpublished", WorkType.PREPRINT), ("dataset", WorkType.DATASET),
])
def test_entry_types(entry_type: str, expected: WorkType) -> None:
    text = f"@{entry_type}{{k, title = {{T}}, year = 2020}}"
    [work] = readers.get("bibtex").read(InputSource.from_bytes("t.bib", text.encode()))
    assert isinstance(work, Work) and work.type is expected


_NAME = st.text(alphabet=st.sampled_from("abcdefgXYZ ,."), min_size=1, max_size=12).filter(
    lambda s: s.strip() and " and " not in f" {s} " and s.strip().lower() != "and")


@given(st.lists(_NAME, min_size=1, max_size=6))
def test_names_split_on_and_only(names: list[str]) -> None:
    cleaned = [n.strip() for n in names]
    assert split_bibtex_names(" and ".join(cleaned)) == [n for n in cleaned if n]


def read_text(text: str) -> list[Work | Rejected]:
    return list(readers.get("bibtex").read(InputSource.from_bytes("m.bib", text.encode())))


MACROS = """@string{a = "x" # b}
@string{b = "y" # a}
@string{me = "Doe, Jane"}
@article{good, title = {Good} # " one", author = me, year = 2020, journal = {J}}
@article{loop, title = b # a, author = {Roe, R.}, year = 2020, journal = {J}}
@article{after, title = {After}, year = 2021}
"""


def test_recursive_macro_rejects_its_entry_alone() -> None:
    records = read_text(MACROS)
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    loop = records[1]
    assert isinstance(loop, Rejected)
    assert loop.source.pointer == "loop" and loop.field == "title"
    assert "b → a → b" in loop.reason and "refers to itself" in loop.reason
    assert loop.hint is not None and "@string" in loop.hint
    assert loop.raw.startswith("@article{loop,")
    good = records[0]
    assert isinstance(good, Work) and good.title is not None
    assert good.title.value == "Good one"  # concatenation, not 'Good # " one"'
    assert [(c.family, c.given) for c in good.authors()] == [("Doe", "Jane")]


def test_a_macro_defined_as_itself_is_an_error_not_a_title() -> None:
    [bad] = read_text('@string{s = s}\n@misc{k, title = s, year = 2020}\n')
    assert isinstance(bad, Rejected) and bad.field == "title" and "s → s" in bad.reason


def test_macros_concatenate_case_insensitively_and_months_are_predefined() -> None:
    text = ('@String{JBio = "Journal of " # {Bio} # "logy"}\n@string{yr = 2019}\n'
            '@article{k, title = "A " # {B} # " C", journal = jbio, year = YR, month = feb}\n')
    [work] = read_text(text)
    assert isinstance(work, Work)
    assert work.title is not None and work.title.value == "A B C"
    assert work.container is not None and work.container.title == "Journal of Biology"
    assert work.date("published").iso() == "2019-02"


def test_undefined_macro_is_kept_as_its_name_with_a_notice() -> None:
    [work] = read_text("@article{k, title = {T}, journal = jnl, year = 2020}\n")
    assert isinstance(work, Work)
    assert work.container is not None and work.container.title == "jnl"
    assert "undefined @string macro 'jnl'" in notice_fields(work)["journal"]


def test_redefined_macro_takes_the_later_value_and_is_no_record() -> None:
    text = '@string{j = "Old"}\n@string{j = "New"}\n@article{k, title = {T}, journal = j}\n'
    [work] = read_text(text)
    assert isinstance(work, Work) and work.container is not None
    assert work.container.title == "New"


def test_exponential_macro_is_refused_at_the_string_limit() -> None:
    lines = ['@string{m0 = "abcdefgh"}']
    lines += [f"@string{{m{n} = m{n - 1} # m{n - 1}}}" for n in range(1, 64)]
    lines += ["@misc{bomb, title = m63, year = 2020}", "@misc{ok, title = {Fine}}"]
    records = read_text("\n".join(lines))
    assert [type(r).__name__ for r in records] == ["Rejected", "Work"]
    assert isinstance(records[0], Rejected) and "string-chars" in records[0].reason


def test_a_long_macro_chain_is_refused_at_the_depth_limit() -> None:
    lines = ['@string{m0 = "x"}'] + [f"@string{{m{n} = m{n - 1}}}" for n in range(1, 5000)]
    [bad] = read_text("\n".join([*lines, "@misc{deep, title = m4999}"]))
    assert isinstance(bad, Rejected) and "nesting-depth" in bad.reason
