"""One Crossref REST API ``work`` message -> :class:`~ld_publish.model.Work`."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..model import (
    Container,
    Contributor,
    Identifier,
    Organization,
    Source,
    Text,
    Work,
    WorkType,
    replace,
)
from .crossref_parts import (
    _alternative_ids,
    _dates,
    _funding,
    _isbns,
    _issns,
    _licenses,
    _pages,
    _publisher,
    _related,
    _url,
)
from .crossref_refs import read_references
from .crossref_values import (
    Findings,
    all_texts,
    doi_identifier,
    first_text,
    text_of,
)
from .markup import markup_to_text

WORK_TYPES: dict[str, WorkType] = {
    "journal-article": WorkType.JOURNAL_ARTICLE,
    "book": WorkType.BOOK,
    "monograph": WorkType.BOOK,
    "reference-book": WorkType.BOOK,
    "book-set": WorkType.BOOK,
    "book-series": WorkType.BOOK,
    "edited-book": WorkType.EDITED_BOOK,
    "book-chapter": WorkType.BOOK_CHAPTER,
    "book-section": WorkType.BOOK_CHAPTER,
    "book-part": WorkType.BOOK_CHAPTER,
    "book-track": WorkType.BOOK_CHAPTER,
    "reference-entry": WorkType.BOOK_CHAPTER,
    "proceedings-article": WorkType.PROCEEDINGS_ARTICLE,
    "proceedings": WorkType.PROCEEDINGS,
    "proceedings-series": WorkType.PROCEEDINGS,
    "posted-content": WorkType.PREPRINT,
    "dissertation": WorkType.THESIS,
    "dataset": WorkType.DATASET,
    "database": WorkType.DATASET,
    "report": WorkType.REPORT,
    "report-component": WorkType.REPORT,
    "report-series": WorkType.REPORT,
    "peer-review": WorkType.REVIEW,
    "journal": WorkType.JOURNAL,
    "journal-issue": WorkType.JOURNAL_ISSUE,
    "journal-volume": WorkType.OTHER,
    "component": WorkType.OTHER,
    "standard": WorkType.OTHER,
    "standard-series": WorkType.OTHER,
    "grant": WorkType.OTHER,
    "other": WorkType.OTHER,
}

_CONTAINER_TYPES = {
    WorkType.JOURNAL_ARTICLE: WorkType.JOURNAL,
    WorkType.BOOK_CHAPTER: WorkType.BOOK,
    WorkType.PROCEEDINGS_ARTICLE: WorkType.PROCEEDINGS,
    WorkType.REVIEW: WorkType.JOURNAL,
}


# Top-level fields this module carries over (in whole or in the parts that have a home).
_HANDLED = frozenset({
    "DOI", "type", "title", "subtitle", "original-title", "abstract", "author", "editor",
    "translator", "chair", "container-title", "short-container-title", "ISSN", "issn-type",
    "ISBN", "isbn-type", "volume", "issue", "page", "article-number", "publisher",
    "publisher-location", "URL", "resource", "published", "published-print",
    "published-online", "issued", "posted", "accepted", "created", "deposited", "funder",
    "license", "reference", "relation", "subject", "language", "assertion", "alternative-id",
    "update-to", "subtype", "short-title",
})

_PACKED_NAMES = re.compile(r"\s(?:and|&)\s|;|,.*,")


def read_work(message: dict[str, Any], source: Source, raw_text: str) -> Work:
    found = Findings()
    doi = doi_identifier(message.get("DOI"), "DOI", found, severity="violation")
    work_type = _work_type(message, found)
    title = first_text(message.get("title"), "title", found)
    dates = _dates(message, found)
    contributors = _contributors(message, found)
    identifiers: list[Identifier] = [doi] if doi else []
    container, book_ids = _container(message, work_type, found)
    identifiers += book_ids
    identifiers += _alternative_ids(message, doi, found)
    work = Work(
        key=doi.value if doi else "sha256:" + hashlib.sha256(raw_text.encode()).hexdigest(),
        source=source,
        type=work_type,
        title=Text(title) if title else None,
        subtitles=tuple(Text(t) for t in all_texts(message.get("subtitle") or [], "subtitle",
                                                     found)),
        translated_titles=_other_titles(message, found),
        abstracts=_abstracts(message, found),
        language=message.get("language") if isinstance(message.get("language"), str) else None,
        contributors=contributors,
        container=container,
        volume=text_of(message.get("volume"), "volume", found),
        issue=text_of(message.get("issue"), "issue", found),
        pages=_pages(message.get("page"), found),
        article_number=text_of(message.get("article-number"), "article-number", found),
        identifiers=tuple(identifiers),
        dates=dates,
        funding=_funding(message.get("funder"), found),
        references=read_references(message.get("reference"), found),
        related=_related(message, found),
        licenses=_licenses(message.get("license"), found),
        subjects=tuple(all_texts(message.get("subject") or [], "subject", found)),
        publisher=_publisher(message, found),
        url=_url(message),
    )
    for key in message:
        if key not in _HANDLED:
            found.leave(key)
    return replace(work, notices=tuple(found.notices), unmapped=tuple(found.unmapped))


def _work_type(message: dict[str, Any], found: Findings) -> WorkType:
    raw = message.get("type")
    if not isinstance(raw, str):
        found.note("type", "no work type given; treated as other", raw)
        return WorkType.OTHER
    if raw not in WORK_TYPES:
        found.note("type", f"unknown Crossref type {raw!r}; treated as other", raw)
        return WorkType.OTHER
    if raw == "posted-content" and message.get("subtype") not in (None, "preprint"):
        found.note("subtype", "posted content that is not a preprint; typed as preprint",
                   message.get("subtype"), severity="info")
    return WORK_TYPES[raw]


def _other_titles(message: dict[str, Any], found: Findings) -> tuple[Text, ...]:
    titles = all_texts(message.get("title") or [], "title", found)[1:]
    titles += all_texts(message.get("original-title") or [], "original-title", found)
    if message.get("short-title"):
        found.leave("short-title")
    return tuple(Text(t) for t in dict.fromkeys(titles))


def _abstracts(message: dict[str, Any], found: Findings) -> tuple[Text, ...]:
    raw = message.get("abstract")
    if not isinstance(raw, str) or not raw.strip():
        return ()
    text = markup_to_text(raw, drop_heading=True, field="abstract")
    return (Text(text),) if text else ()


def _contributors(message: dict[str, Any], found: Findings) -> tuple[Contributor, ...]:
    people: list[Contributor] = []
    roles: tuple[tuple[str, str], ...] = (
        ("author", "author"), ("editor", "editor"), ("translator", "translator"),
        ("chair", "contributor"))
    for field, role in roles:
        entries = message.get(field)
        if not isinstance(entries, list):
            continue
        position = 0
        for index, entry in enumerate(entries):
            path = f"{field}[{index}]"
            if not isinstance(entry, dict):
                found.note(path, "contributor is not an object; left out", repr(entry)[:200])
                continue
            person = _contributor(entry, path, role, position + 1, found)
            if person:
                position += 1
                people.append(person)
    return tuple(people)


def _contributor(entry: dict[str, Any], path: str, role: str, position: int,
                 found: Findings) -> Contributor | None:
    given = text_of(entry.get("given"), f"{path}.given", found)
    family = text_of(entry.get("family"), f"{path}.family", found)
    org_name = text_of(entry.get("name"), f"{path}.name", found)
    if family or given:
        kind = "person"
        name = " ".join(p for p in (given, family) if p)
        for part, value in (("family", family), ("given", given)):
            if value and _PACKED_NAMES.search(value):
                found.note(f"{path}.{part}", "looks like several people in one name field; "
                           "kept as one contributor", value,
                           hint="deposit one author entry per person")
    elif org_name:
        kind, name = "organization", org_name
        if _PACKED_NAMES.search(org_name) and " and " in org_name:
            found.note(f"{path}.name", "may name several organisations in one field", org_name,
                       severity="info")
    else:
        found.note(path, "contributor without a name; left out", json.dumps(entry)[:200])
        return None
    identifiers: list[Identifier] = []
    orcid = found.ident("orcid", entry.get("ORCID"), f"{path}.ORCID")
    if orcid is not None:
        identifiers.append(orcid)
        if entry.get("authenticated-orcid") is True:
            found.note(f"{path}.authenticated-orcid",
                       "ORCID iD was authenticated by its holder (Crossref)", orcid.value,
                       severity="info")
    affiliations = tuple(
        org for i, aff in enumerate(entry.get("affiliation") or [])
        if (org := _affiliation(aff, f"{path}.affiliation[{i}]", found)))
    for key in entry:
        if key not in {"given", "family", "name", "ORCID", "authenticated-orcid",
                       "affiliation", "sequence"}:
            found.leave(f"{path.split('[')[0]}[].{key}")
    return Contributor(
        name=name, position=position, role=role,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        given=given if kind == "person" else None,
        family=family if kind == "person" else None,
        identifiers=tuple(identifiers), affiliations=affiliations)


def _affiliation(aff: Any, path: str, found: Findings) -> Organization | None:
    if not isinstance(aff, dict):
        return None
    name = text_of(aff.get("name"), f"{path}.name", found)
    identifiers: list[Identifier] = []
    for i, ident in enumerate(aff.get("id") or []):
        if not isinstance(ident, dict):
            continue
        scheme = str(ident.get("id-type", "")).lower()
        if scheme in {"ror", "isni", "grid", "wikidata"}:
            checked = found.ident(scheme, ident.get("id"), f"{path}.id[{i}]")
            if checked is not None:
                identifiers.append(checked)
    department = text_of((aff.get("department") or [None])[0], f"{path}.department[0]", found)
    if aff.get("place"):
        found.leave("author[].affiliation[].place")
    if not name:
        return None
    return Organization(name=name, identifiers=tuple(identifiers), department=department)


def _container(message: dict[str, Any], work_type: WorkType, found: Findings
               ) -> tuple[Container | None, list[Identifier]]:
    title = first_text(message.get("container-title") or [], "container-title", found)
    titles = message.get("container-title")
    if isinstance(titles, list) and len(titles) > 1:
        found.leave("container-title[1]")
    short = first_text(message.get("short-container-title") or [], "short-container-title",
                       found)
    ids = _issns(message, found)
    isbns = _isbns(message, found)
    book_ids: list[Identifier] = []
    if work_type in (WorkType.BOOK, WorkType.EDITED_BOOK):
        book_ids = isbns
    else:
        ids += isbns
    if not (title or ids):
        return None, book_ids
    return Container(title=title, type=_CONTAINER_TYPES.get(work_type, WorkType.OTHER),
                     short_title=short, identifiers=tuple(ids),
                     publisher=_publisher(message, Findings())), book_ids
