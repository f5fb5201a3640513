"""ld_publish.merge: one work's records from several sources merged field by field.

Properties on generated records (merging a record with itself gives it back; --prefer decides
every field a preferred record has; identifiers, dates and sources are united) and the rules
of "more of the field" on hand-made records.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ld_publish.merge import merge
from ld_publish.model import (
    Contributor,
    DateValue,
    Identifier,
    Notice,
    Organization,
    Pages,
    Reference,
    Source,
    Text,
    Work,
    WorkDate,
)
from tests.test_reader_native import _works as generated_works

BIB = Source("a.bib", "bibtex", 1, 1, "key2014", "a" * 64)
CR = Source("a.json", "crossref", 1, None, None, "b" * 64)
RIS = Source("a.ris", "ris", 1, 1, None, "c" * 64)

# Fields chosen whole from one record (the others are united or follow them).
CHOSEN = [f.name for f in dataclasses.fields(Work)
          if f.name not in ("key", "source", "merged_from", "identifiers", "dates", "extra",
                            "notices", "unmapped")]


def _as(work: Work, source: Source, key: str = "10.1/x") -> Work:
    return dataclasses.replace(work, key=key, source=source)


_settings = settings(max_examples=120, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_settings
@given(generated_works)
def test_a_record_merged_with_itself_is_unchanged(work: Work) -> None:
    assert merge([work]).work == work
    assert merge([work, work]).work == work
    assert merge([work, work], prefer=("json", "bibtex")).work == work


@_settings
@given(generated_works, generated_works, st.sampled_from(["bibtex", "crossref"]))
def test_every_field_the_preferred_source_has_comes_from_it(a: Work, b: Work,
                                                             preferred: str) -> None:
    first, later = _as(a, BIB), _as(b, CR)
    merged = merge([first, later], prefer=(preferred,))
    winner, other = (first, later) if preferred == "bibtex" else (later, first)
    for name in CHOSEN:
        mine = getattr(winner, name)
        if mine not in (None, (), ""):
            assert getattr(merged.work, name) == mine, name
        else:
            assert getattr(merged.work, name) in (mine, getattr(other, name)), name


@_settings
@given(generated_works, generated_works, st.sampled_from([(), ("crossref",), ("bibtex",)]))
def test_identifiers_dates_and_sources_are_united(a: Work, b: Work,
                                                  prefer: tuple[str, ...]) -> None:
    first, later = _as(a, BIB), _as(b, CR)
    work = merge([first, later], prefer).work
    assert {(i.scheme, i.value) for i in work.identifiers} == {
        (i.scheme, i.value) for i in (*first.identifiers, *later.identifiers)}
    assert {d.kind for d in work.dates} == {d.kind for d in (*first.dates, *later.dates)}
    assert work.key == "10.1/x" and work.source == BIB and work.merged_from == (CR,)
    assert set(work.unmapped) == set(first.unmapped) | set(later.unmapped)


@_settings
@given(generated_works, generated_works)
def test_every_field_is_one_of_the_records_values(a: Work, b: Work) -> None:
    first, later = _as(a, BIB), _as(b, CR)
    merged = merge([first, later])
    for name in CHOSEN:
        value = getattr(merged.work, name)
        assert value in (getattr(first, name), getattr(later, name)), name
        owners = dict(merged.taken).get(name)
        if owners is not None:
            (owner,) = owners
            assert value == getattr((first, later)[owner], name)


# ---- more of the field -------------------------------------------------------------------

def _person(name: str, n: int, orcid: str | None = None, affiliation: str | None = None
            ) -> Contributor:
    return Contributor(name, n, identifiers=(Identifier("orcid", orcid),) if orcid else (),
                       affiliations=(Organization(affiliation),) if affiliation else ())


def _work(source: Source, **fields: object) -> Work:
    return Work("10.1/x", source, title=Text("A title"), **fields)  # type: ignore[arg-type]


def test_more_authors_win_then_more_orcids_then_the_earlier_record() -> None:
    two = (_person("A One", 1), _person("B Two", 2))
    three = (*two, _person("C Three", 3))
    with_orcid = (_person("A One", 1, "0000-0002-1825-0097"), _person("B Two", 2))
    assert merge([_work(BIB, contributors=two), _work(CR, contributors=three)]
                 ).work.contributors == three
    assert merge([_work(BIB, contributors=two), _work(CR, contributors=with_orcid)]
                 ).work.contributors == with_orcid
    # A tie: the first record's (the one published while the run streamed).
    assert merge([_work(BIB, contributors=two), _work(CR, contributors=two[::-1])]
                 ).work.contributors == two


def test_the_longer_reference_list_the_abstract_and_the_page_range_win() -> None:
    refs = tuple(Reference(n, raw=f"Ref {n}") for n in range(1, 4))
    poor = _work(BIB, references=refs[:1], pages=Pages("12"))
    rich = _work(CR, references=refs, abstracts=(Text("What was found."),),
                 pages=Pages.from_text("12-19"))
    merged = merge([poor, rich])
    assert merged.work.references == refs
    assert merged.work.abstracts == (Text("What was found."),)
    assert merged.work.pages == Pages("12-19", "12", "19")
    assert merged.fields_of(0) == ("type", "title")
    assert "references" in merged.fields_of(1) and "abstracts" in merged.fields_of(1)


def test_prefer_overrides_more_of_the_field_and_unnamed_readers_come_last() -> None:
    refs = tuple(Reference(n, raw=f"Ref {n}") for n in range(1, 4))
    bib = _work(BIB, references=refs[:1], url="https://a.example/bib")
    cr = _work(CR, references=refs, url="https://a.example/cr")
    ris = _work(RIS, url="https://a.example/ris")
    assert merge([bib, cr, ris]).work.url == "https://a.example/bib"  # all have one: first
    merged = merge([bib, cr, ris], prefer=("ris", "bibtex"))
    assert merged.work.url == "https://a.example/ris"
    assert merged.work.references == refs[:1]  # ris has none, bibtex is next
    assert merge([bib, cr, ris], prefer=("ris",)).work.references == refs  # then the most
    assert merged.work.merged_from == (CR, RIS)


def test_dates_are_united_by_kind_the_more_precise_source_first() -> None:
    month = WorkDate("published", DateValue(2014, 2))
    day = WorkDate("published", DateValue(2014, 2, 11))
    received = WorkDate("received", DateValue(2013, 9, 20))
    bib = _work(BIB, dates=(month,))
    cr = _work(CR, dates=(day, received))
    assert merge([bib, cr]).work.dates == (day, received)
    assert merge([bib, cr], prefer=("bibtex",)).work.dates == (month, received)


def test_notices_follow_the_fields_they_are_about() -> None:
    about_authors = Notice("contributors[1].name", "two people in one name")
    about_record = Notice("type", "an unknown type, read as an article")
    bib = _work(BIB, contributors=(_person("A One", 1),), notices=(about_authors,))
    cr = _work(CR, contributors=(_person("A One", 1), _person("B Two", 2)),
               notices=(about_record,))
    # bibtex's authors were not taken: its notice about them goes; crossref's type was not
    # taken either (a tie goes to the first), so its notice about the type goes too.
    assert merge([bib, cr]).work.notices == ()
    assert merge([bib, cr], prefer=("bibtex",)).work.notices == (about_authors,)


def test_only_records_of_one_key_merge() -> None:
    with pytest.raises(ValueError, match="one key"):
        merge([_work(BIB), dataclasses.replace(_work(CR), key="10.1/other")])
    with pytest.raises(ValueError, match="nothing"):
        merge([])
