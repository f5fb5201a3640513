"""One Crossref REST API ``work`` message -> :class:`~ld_publish.model.Work`."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..errors import IdentifierError
from ..identifiers import normalize_isbn, normalize_issn, normalize_orcid, normalize_ror
from ..model import (
    Award,
    Container,
    Contributor,
    Funding,
    Identifier,
    License,
    Organization,
    Pages,
    RelatedItem,
    RelationType,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
    replace,
)
from .crossref_refs import read_references
from .crossref_values import (
    Findings,
    all_texts,
    date_value,
    doi_identifier,
    first_text,
    iso_date,
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

RELATIONS: dict[str, RelationType] = {
    "is-supplemented-by": "is-supplemented-by",
    "is-supplement-to": "is-supplement-to",
    "has-preprint": "has-preprint",
    "is-preprint-of": "is-preprint-of",
    "is-review-of": "is-review-of",
    "has-review": "is-reviewed-by",
    "is-version-of": "is-version-of",
    "has-version": "has-version",
    "is-part-of": "is-part-of",
    "has-part": "has-part",
    "is-identical-to": "is-identical-to",
    "is-derived-from": "is-derived-from",
    "has-derivation": "is-source-of",
    "references": "references",
    "is-referenced-by": "is-referenced-by",
    "is-related-material": "is-related-to",
    "has-related-material": "is-related-to",
    "is-manifestation-of": "is-version-of",
    "has-manifestation": "has-version",
    "is-translation-of": "is-derived-from",
    "has-translation": "is-source-of",
    "is-replaced-by": "is-version-of",
    "replaces": "has-version",
}

_UPDATES: dict[str, RelationType] = {
    "correction": "is-correction-of", "erratum": "is-correction-of",
    "corrigendum": "is-correction-of", "retraction": "is-retraction-of",
    "withdrawal": "is-retraction-of",
}

_DATE_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("published", "published", False),
    ("published-print", "published-print", False),
    ("published-online", "published-online", False),
    ("issued", "issued", False),
    ("posted", "available", False),
    ("accepted", "accepted", False),
    ("created", "created", True),
    ("deposited", "updated", True),
)

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
    text = markup_to_text(raw, drop_heading=True)
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
    orcid = entry.get("ORCID")
    if isinstance(orcid, str) and orcid.strip():
        try:
            value = normalize_orcid(orcid)
            identifiers.append(Identifier("orcid", value,
                                          original=orcid if orcid != value else None))
            if entry.get("authenticated-orcid") is True:
                found.note(f"{path}.authenticated-orcid",
                           "ORCID iD was authenticated by its holder (Crossref)", value,
                           severity="info")
        except IdentifierError as exc:
            found.note(f"{path}.ORCID", f"ORCID left out: {exc.message}", orcid,
                       hint=exc.hint, severity="violation")
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
        raw = str(ident.get("id", ""))
        if scheme == "ror":
            try:
                identifiers.append(Identifier("ror", normalize_ror(raw), original=raw))
            except IdentifierError as exc:
                found.note(f"{path}.id[{i}]", f"ROR id left out: {exc.message}", raw,
                           hint=exc.hint)
        elif scheme in {"isni", "grid", "wikidata"}:
            identifiers.append(Identifier(scheme, raw))
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


def _issns(message: dict[str, Any], found: Findings) -> list[Identifier]:
    typed: dict[str, str] = {}
    for entry in message.get("issn-type") or []:
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            typed[entry["value"].strip().upper()] = str(entry.get("type", ""))
    raw_list = list(message.get("ISSN") or [])
    raw_list += [v for v in typed if v not in {str(r).strip().upper() for r in raw_list}]
    out: list[Identifier] = []
    for index, raw in enumerate(raw_list):
        raw_text = str(raw)
        try:
            value = normalize_issn(raw_text)
        except IdentifierError as exc:
            found.note(f"ISSN[{index}]", f"ISSN left out: {exc.message}", raw_text,
                       hint=exc.hint)
            continue
        kind = typed.get(raw_text.strip().upper())
        qualifier = {"print": "print", "electronic": "electronic"}.get(kind or "")
        ident = Identifier("issn", value, original=raw_text if raw_text != value else None,
                           qualifier=qualifier)
        if all(i.value != value for i in out):
            out.append(ident)
    return out


def _isbns(message: dict[str, Any], found: Findings) -> list[Identifier]:
    typed = {str(e.get("value")): str(e.get("type")) for e in message.get("isbn-type") or []
             if isinstance(e, dict)}
    out: list[Identifier] = []
    for index, raw in enumerate(message.get("ISBN") or []):
        raw_text = str(raw)
        try:
            value = normalize_isbn(raw_text)
        except IdentifierError as exc:
            found.note(f"ISBN[{index}]", f"ISBN left out: {exc.message}", raw_text,
                       hint=exc.hint)
            continue
        if all(i.value != value for i in out):
            out.append(Identifier("isbn", value, original=raw_text,
                                  qualifier=typed.get(raw_text)))
    return out


def _alternative_ids(message: dict[str, Any], doi: Identifier | None,
                     found: Findings) -> list[Identifier]:
    out: list[Identifier] = []
    for index, alt in enumerate(message.get("alternative-id") or []):
        if doi and isinstance(alt, str) and alt.strip().lower() == doi.value:
            continue  # the DOI in its registered capitalisation
        if isinstance(alt, str) and alt.strip():
            out.append(Identifier("local", alt.strip()))
        else:
            found.leave(f"alternative-id[{index}]")
    return out


def _pages(value: Any, found: Findings) -> Pages | None:
    text = text_of(value, "page", found)
    if not text:
        return None
    parts = re.split(r"\s*[-\u2010-\u2015]\s*", text)
    if len(parts) == 2 and all(parts):
        return Pages(text, parts[0], parts[1])
    return Pages(text, text if len(parts) == 1 else None)


def _dates(message: dict[str, Any], found: Findings) -> tuple[WorkDate, ...]:
    dates: list[WorkDate] = []
    for field, kind, with_time in _DATE_FIELDS:
        if field in message:
            value = date_value(message[field], field, found, with_time=with_time)
            if value:
                dates.append(WorkDate(kind, value))  # type: ignore[arg-type]
    for index, item in enumerate(message.get("assertion") or []):
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        group = (item.get("group") or {}).get("name") if isinstance(item.get("group"),
                                                                      dict) else None
        assertion_kind = {"received": "received", "accepted": "accepted",
                          "revised": "revised", "published": "published-online"}.get(str(name))
        if assertion_kind and group in (None, "publication_history"):
            value = iso_date(item.get("value"), f"assertion[{index}].value", found)
            if value and all(d.kind != assertion_kind for d in dates):
                dates.append(WorkDate(assertion_kind, value))  # type: ignore[arg-type]
                continue
            if value:
                continue
        found.leave(f"assertion[{index}]")
    return tuple(dates)


def _funding(entries: Any, found: Findings) -> tuple[Funding, ...]:
    if not isinstance(entries, list):
        return ()
    out: list[Funding] = []
    seen: dict[Funding, int] = {}
    for index, entry in enumerate(entries):
        path = f"funder[{index}]"
        if not isinstance(entry, dict):
            found.note(path, "funder is not an object; left out", repr(entry)[:200])
            continue
        name = text_of(entry.get("name"), f"{path}.name", found)
        identifiers: list[Identifier] = []
        doi = doi_identifier(entry.get("DOI"), f"{path}.DOI", found)
        if doi:
            identifiers.append(Identifier("crossref-funder", doi.value, original=doi.original))
        award_texts = [text_of(raw, f"{path}.award", found) for raw in entry.get("award") or []]
        awards = tuple(Award(a) for a in dict.fromkeys(t for t in award_texts if t))
        if not (name or identifiers or awards):
            continue
        funder = Organization(name=name or (doi.value if doi else ""),
                              identifiers=tuple(identifiers)) if (name or doi) else None
        funding = Funding(funder=funder, awards=awards)
        if funding in seen:
            seen[funding] += 1
            continue
        seen[funding] = 1
        out.append(funding)
    for funding, count in seen.items():
        if count > 1:
            name = funding.funder.name if funding.funder else "(no name)"
            found.note("funder", f"{count} identical funder entries for {name!r} merged into one",
                       name, severity="info")
    return tuple(out)


def _licenses(entries: Any, found: Findings) -> tuple[License, ...]:
    if not isinstance(entries, list):
        return ()
    out: list[License] = []
    duplicates = 0
    for index, entry in enumerate(entries):
        path = f"license[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("URL"), str):
            found.note(path, "licence without a URL; left out", repr(entry)[:200])
            continue
        start = date_value(entry.get("start"), f"{path}.start", found) \
            if entry.get("start") else None
        lic = License(entry["URL"].strip(), entry.get("content-version"), start)
        if "delay-in-days" in entry:
            found.leave(f"license[{index}].delay-in-days")
        if lic in out:
            duplicates += 1
            continue
        out.append(lic)
    if duplicates:
        found.note("license", f"{duplicates} duplicate licence entries merged", str(duplicates),
                   severity="info")
    return tuple(out)


def _related(message: dict[str, Any], found: Findings) -> tuple[RelatedItem, ...]:
    out: list[RelatedItem] = []
    relation = message.get("relation")
    if isinstance(relation, dict):
        for rel_type, targets in relation.items():
            kind = RELATIONS.get(rel_type)
            if kind is None:
                found.note(f"relation.{rel_type}", "relation type unknown; kept as is-related-to",
                           rel_type, severity="info")
                kind = "is-related-to"
            for index, target in enumerate(targets if isinstance(targets, list) else [targets]):
                ident = _relation_target(target, f"relation.{rel_type}[{index}]", found)
                if ident:
                    out.append(RelatedItem(relation=kind, identifiers=(ident,)))
    for index, update in enumerate(message.get("update-to") or []):
        if not isinstance(update, dict):
            continue
        kind = _UPDATES.get(str(update.get("type", "")).lower())
        doi = doi_identifier(update.get("DOI"), f"update-to[{index}].DOI", found)
        if kind and doi:
            out.append(RelatedItem(relation=kind, identifiers=(doi,)))
        else:
            found.leave(f"update-to[{index}]")
    return tuple(out)


def _relation_target(target: Any, path: str, found: Findings) -> Identifier | None:
    if not isinstance(target, dict) or not isinstance(target.get("id"), str):
        found.note(path, "relation target without an id; left out", repr(target)[:200])
        return None
    scheme = str(target.get("id-type", "")).lower()
    raw = target["id"]
    if scheme == "doi":
        return doi_identifier(raw, f"{path}.id", found)
    if scheme in {"uri", "url"}:
        return Identifier("url", raw.strip())
    known = {"arxiv", "pmid", "pmcid", "issn", "isbn", "handle", "ror"}
    return Identifier(scheme if scheme in known else "local", raw.strip(),
                      qualifier=None if scheme in known else scheme or None)


def _publisher(message: dict[str, Any], found: Findings) -> Organization | None:
    name = text_of(message.get("publisher"), "publisher", found)
    if not name:
        return None
    place = text_of(message.get("publisher-location"), "publisher-location", found)
    return Organization(name=name, city=place)


def _url(message: dict[str, Any]) -> str | None:
    resource = message.get("resource")
    if isinstance(resource, dict) and isinstance(resource.get("primary"), dict):
        url = resource["primary"].get("URL")
        if isinstance(url, str) and url.strip():
            return url.strip()
    url = message.get("URL")
    return url.strip() if isinstance(url, str) and url.strip() else None
