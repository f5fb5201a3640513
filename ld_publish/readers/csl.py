"""The ``csl-json`` reader: CSL-JSON (citeproc) items, a single object or an array of them.

Items as Crossref content negotiation serves them keep their Crossref fields (licences,
funders, references, print and online dates, ORCID iDs): see :mod:`.csl_crossref`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, RecordError
from ..model import (
    Container,
    Contributor,
    ContributorRole,
    DateValue,
    Identifier,
    Organization,
    Rejected,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
)
from ..sources import InputSource
from .base import at_least_one, readers
from .common import (
    CSL_TYPES,
    Findings,
    classify_json,
    first_line_is_json,
    load_json,
    looks_like_organization,
    split_pages,
    stable_key,
)
from .csl_crossref import HANDLED as CROSSREF_HANDLED
from .csl_crossref import (
    CrossrefExtras,
    crossref_extras,
    is_crossref_csl,
    looks_like_crossref_csl,
)
from .jsondepth import loads_bounded, too_deep

__all__ = ["CslReader", "csl_item_to_work"]

_TYPES: dict[str, WorkType] = {
    "article-journal": WorkType.JOURNAL_ARTICLE, "article": WorkType.PREPRINT,
    "article-magazine": WorkType.JOURNAL_ARTICLE, "article-newspaper": WorkType.JOURNAL_ARTICLE,
    "post-weblog": WorkType.BLOG_POST, "post": WorkType.WEB_PAGE, "webpage": WorkType.WEB_PAGE,
    "book": WorkType.BOOK, "chapter": WorkType.BOOK_CHAPTER, "thesis": WorkType.THESIS,
    "dataset": WorkType.DATASET, "paper-conference": WorkType.PROCEEDINGS_ARTICLE,
    "report": WorkType.REPORT, "review": WorkType.REVIEW, "review-book": WorkType.REVIEW,
    "software": WorkType.SOFTWARE, "periodical": WorkType.JOURNAL,
    "collection": WorkType.EDITED_BOOK, "manuscript": WorkType.PREPRINT,
    "entry-encyclopedia": WorkType.BOOK_CHAPTER, "entry-dictionary": WorkType.BOOK_CHAPTER,
}
_CONTAINER_TYPE = {WorkType.BLOG_POST: WorkType.BLOG, WorkType.BOOK_CHAPTER: WorkType.BOOK,
                   WorkType.PROCEEDINGS_ARTICLE: WorkType.PROCEEDINGS,
                   WorkType.WEB_PAGE: WorkType.OTHER}
_DATES = (("issued", "published"), ("submitted", "received"), ("available-date", "available"),
          ("original-date", None), ("accessed", None), ("event-date", None))
_ROLES: tuple[tuple[str, ContributorRole], ...] = (
    ("author", "author"), ("editor", "editor"), ("translator", "translator"),
    ("collection-editor", "editor"), ("container-author", "contributor"))
_HANDLED = frozenset({
    "type", "id", "DOI", "URL", "ISSN", "ISBN", "title", "title-short", "container-title",
    "container-title-short", "collection-title", "publisher", "publisher-place", "abstract",
    "categories", "keyword", "language", "volume", "issue", "page", "page-first", "number",
    "version", "PMID", "PMCID", "citation-key", "note", "issued", "submitted", "available-date",
    "author", "editor", "translator", "collection-editor", "container-author",
})


class CslReader:
    name = "csl-json"
    aliases: tuple[str, ...] = ("csl", "citeproc", "citeproc-json")
    description = "CSL-JSON (citeproc): one item or an array of items"
    extensions: tuple[str, ...] = (".json", ".csl.json", ".citeproc.json")

    def sniff(self, head: bytes, filename: str) -> int:
        if classify_json(head) == "csl" or looks_like_crossref_csl(head):
            return 85
        return 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        return at_least_one(self._read(source), source)

    def _read(self, source: InputSource) -> Iterator[Work | Rejected]:
        if source.name.endswith((".jsonl", ".ndjson")):
            yield from self._read_lines(source)
            return
        try:
            document, cut = load_json(source)
        except InputError as exc:
            # Items one per line (what a harvest of DOI content negotiation gives) under a
            # .json name: read per line rather than fail the whole file.
            if exc.message.startswith("not valid JSON: Extra data") and \
                    first_line_is_json(source):
                yield from self._read_lines(source)
                return
            raise
        items = document if isinstance(document, list) else [document]
        if isinstance(document, dict) and isinstance(document.get("items"), list):
            items = document["items"]
        for index, item in enumerate(items):
            src = Source(source.label, self.name, index + 1, None,
                         f"[{index}]" if isinstance(document, list) else None)
            yield _item(item, src, cut)

    def _read_lines(self, source: InputSource) -> Iterator[Work | Rejected]:
        position = 0
        for number, line, error in source.lines():
            if not line.strip():
                continue
            position += 1
            src = Source(source.label, self.name, position, number, f"line {number}")
            if error is not None:
                yield Rejected(src, f"line {number} is {error.reason}", line.rstrip("\r\n"),
                               hint=error.hint)
                continue
            try:
                item, cut = loads_bounded(line)
            except json.JSONDecodeError as exc:
                yield Rejected(src, f"line {number} is not valid JSON: {exc.msg}",
                               line.rstrip("\r\n"), hint="each line must hold one CSL item")
                continue
            yield _item(item, src, cut)


def _item(item: Any, src: Source, cut: bool) -> Work | Rejected:
    """One CSL item read, or rejected with the reason."""
    deep = too_deep(item, src, functools.partial(json.dumps, item, ensure_ascii=False)) \
        if cut else None
    if deep is not None:
        return deep
    if not isinstance(item, dict):
        return Rejected(src, "a CSL-JSON item must be an object",
                        json.dumps(item, ensure_ascii=False), None,
                        "each item is {\"type\": ..., \"title\": ...}")
    problem = _not_csl(item)
    if problem:
        return Rejected(src, f"not a CSL-JSON item: {problem}",
                        json.dumps(item, ensure_ascii=False, indent=1), "type",
                        "a CSL item has a CSL \"type\" such as article-journal, "
                        "chapter or post-weblog, and a string \"title\"")
    try:
        return csl_item_to_work(item, src)
    except RecordError as exc:  # a value that must not be read (an unsafe DTD)
        return Rejected(src, exc.message, json.dumps(item, ensure_ascii=False, indent=1),
                        exc.where.field, exc.hint)
    except (TypeError, ValueError, AttributeError) as exc:
        # A value of the wrong JSON type deep inside; quarantine this item only.
        return Rejected(src, f"the item has a value of an unexpected kind: {exc}",
                        json.dumps(item, ensure_ascii=False, indent=1), None,
                        "compare the item with the CSL-JSON schema")


def _not_csl(item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in CSL_TYPES:
        return f"type {kind!r} is not a CSL item type"
    if "title" in item and not isinstance(item["title"], str):
        return "title is not a string"
    return None


def csl_item_to_work(item: dict[str, Any], src: Source) -> Work:
    findings = Findings()
    from_crossref = is_crossref_csl(item)
    for key in item:
        if key not in _HANDLED and not (from_crossref and key in CROSSREF_HANDLED):
            findings.leave(key)
    csl_type = item.get("type")
    work_type = _TYPES.get(csl_type) if isinstance(csl_type, str) else None
    if work_type is None:
        findings.notice("type", "CSL type has no closer match; read as 'other'", csl_type,
                        severity="info" if csl_type else "warning")
        work_type = WorkType.OTHER

    contributors: list[Contributor] = []
    for key, role in _ROLES:
        people = item.get(key)
        if people is None:
            continue
        if not isinstance(people, list):
            findings.notice(key, "expected a list of names; left out", people)
            continue
        position = 0
        for index, person in enumerate(people):
            contributor = _name(person, position + 1, role, f"{key}[{index}]", findings)
            if contributor is not None:
                position += 1
                contributors.append(contributor)

    identifiers: list[Identifier] = []
    doi = findings.doi(item.get("DOI"), "DOI") if item.get("DOI") else None
    if doi is None and isinstance(item.get("id"), str) and "doi.org/" in item["id"]:
        doi = findings.doi(item["id"], "id")
    if doi:
        identifiers.append(doi)
    extras = crossref_extras(item, doi, findings) if from_crossref else CrossrefExtras()
    identifiers.extend(extras.identifiers)
    for key, scheme in (("PMID", "pmid"), ("PMCID", "pmcid")):
        ident = findings.ident(scheme, item.get(key), key)
        if ident:
            identifiers.append(ident)

    container_ids: list[Identifier] = list(extras.issns)
    for index, value in enumerate([] if extras.issns else _as_list(item.get("ISSN"))):
        ident = findings.issn(value, f"ISSN[{index}]" if index else "ISSN")
        if ident:
            container_ids.append(ident)
    for index, value in enumerate(_as_list(item.get("ISBN"))):
        ident = findings.isbn(value, f"ISBN[{index}]" if index else "ISBN")
        if ident:
            (container_ids if work_type in (WorkType.BOOK_CHAPTER,
                                            WorkType.PROCEEDINGS_ARTICLE)
             else identifiers).append(ident)

    publisher_name = findings.clean(item.get("publisher"), "publisher")
    publisher = Organization(publisher_name, city=findings.clean(
        item.get("publisher-place"), "publisher-place")) if publisher_name else None
    if not publisher_name and item.get("publisher-place"):
        findings.leave("publisher-place")
    container_title = findings.clean(item.get("container-title"), "container-title")
    container = None
    if container_title or container_ids:
        container = Container(
            container_title, _CONTAINER_TYPE.get(work_type, WorkType.JOURNAL),
            findings.clean(item.get("container-title-short"), "container-title-short"),
            tuple(container_ids),
            publisher if work_type == WorkType.BLOG_POST else None)
    elif item.get("container-title-short"):
        findings.leave("container-title-short")
    if item.get("collection-title"):
        findings.leave("collection-title")

    dates: list[WorkDate] = []
    for key, kind in _DATES:
        if key not in item:
            continue
        if kind is None:
            findings.leave(key)
            continue
        value = _csl_date(item[key], key, findings)
        if value:
            dates.append(WorkDate(kind, value))  # type: ignore[arg-type]
    dates.extend(extras.dates)

    keywords: list[Text] = []
    for index, value in enumerate(_as_list(item.get("categories"))):
        text = findings.text(value, f"categories[{index}]")
        if text:
            keywords.append(text)
    if isinstance(item.get("keyword"), str):
        keywords.extend(Text(k.strip()) for k in re.split(r"[,;]", item["keyword"])
                        if k.strip())
    language = item.get("language") if isinstance(item.get("language"), str) else None
    title = findings.text(item.get("title"), "title", language)
    if title is None:
        findings.notice("title", "item has no title", None, "add a title", "violation")
    abstract = extras.abstract or findings.text(item.get("abstract"), "abstract", language)
    page = findings.clean(item.get("page"), "page")
    if not page and item.get("page-first"):
        page = findings.clean(item.get("page-first"), "page-first")
    if item.get("title-short"):
        findings.leave("title-short")
    if item.get("note"):
        findings.leave("note")
    number = findings.clean(item.get("number"), "number")
    if number and work_type != WorkType.REPORT:
        findings.leave("number")

    url = item.get("URL") if isinstance(item.get("URL"), str) else None
    if doi:
        key = doi.value
    elif isinstance(item.get("id"), str | int) and str(item["id"]).strip():
        key = f"csl:{str(item['id']).strip()}"
    else:
        key = stable_key("csl", json.dumps(item, sort_keys=True, ensure_ascii=False))
    if number and work_type == WorkType.REPORT:
        report = findings.ident("local", number, "number", qualifier="report-number")
        if report:
            identifiers.append(report)
    return Work(
        key=key, source=src, type=work_type, title=title,
        abstracts=(abstract,) if abstract else (), language=language,
        contributors=tuple(contributors), container=container,
        volume=findings.clean(item.get("volume"), "volume"),
        issue=findings.clean(item.get("issue"), "issue"),
        pages=split_pages(page) if page else None, article_number=extras.article_number,
        identifiers=tuple(identifiers), dates=tuple(dates), funding=extras.funding,
        references=extras.references, related=extras.related, licenses=extras.licenses,
        keywords=tuple(keywords), subjects=extras.subjects, publisher=publisher, url=url,
        version=findings.clean(item.get("version"), "version"),
        notices=tuple(findings.notices), unmapped=tuple(findings.unmapped),
    )


def _as_list(value: object) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str) and re.search(r"[,;]", value):
        return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
    return [value]


# Name keys read; "sequence" and "authenticated-orcid" (Crossref's) say nothing the order and
# the iD do not.
_NAME_KEYS = frozenset({"family", "given", "literal", "non-dropping-particle",
                        "dropping-particle", "suffix", "ORCID", "affiliation", "sequence",
                        "authenticated-orcid"})


def _name(person: object, position: int, role: ContributorRole, path: str,
          findings: Findings) -> Contributor | None:
    if not isinstance(person, dict):
        findings.notice(path, "a name must be an object; left out", person)
        return None
    family = findings.clean(person.get("family"), f"{path}.family")
    given = findings.clean(person.get("given"), f"{path}.given")
    literal = findings.clean(person.get("literal"), f"{path}.literal")
    for extra in ("non-dropping-particle", "dropping-particle", "suffix"):
        if person.get(extra):
            particle = findings.clean(person.get(extra), f"{path}.{extra}")
            if extra == "suffix":
                findings.leave(f"{path}.suffix")
            elif particle and family:
                family = f"{particle} {family}"
    identifiers: tuple[Identifier, ...] = ()
    if person.get("ORCID"):
        orcid = findings.orcid(person["ORCID"], f"{path}.ORCID")
        identifiers = (orcid,) if orcid else ()
    affiliations = tuple(
        Organization(name) for index, aff in enumerate(_as_list(person.get("affiliation")))
        if (name := findings.clean(aff.get("name") if isinstance(aff, dict) else aff,
                                   f"{path}.affiliation[{index}]")))
    for key in person:
        if key not in _NAME_KEYS:
            findings.leave(f"{path}.{key}")
    if not (family or given or literal):
        findings.notice(path, "a name with no family, given or literal part; left out", person)
        return None
    if literal and not (family or given):
        if ";" in literal or (re.search(r"\s(?:and|&)\s", literal) and not \
                looks_like_organization(literal)):
            findings.notice(path, "the literal name may hold several people; kept as one name",
                            literal, "give each person their own name object")
        kind = "organization" if looks_like_organization(literal) else "person"
        return Contributor(literal, position, role, kind,  # type: ignore[arg-type]
                           identifiers=identifiers, affiliations=affiliations)
    name = literal or (f"{given} {family}" if given and family else (family or given or ""))
    return Contributor(name, position, role, "person", given, family,
                       identifiers=identifiers, affiliations=affiliations)


def _csl_date(value: object, path: str, findings: Findings) -> DateValue | None:
    if isinstance(value, str):
        return findings.date(value, path)
    if not isinstance(value, dict):
        findings.notice(path, "a CSL date must be an object; left out", value)
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts:
        first = parts[0]
        if len(parts) > 1:
            findings.notice(f"{path}.date-parts", "a date range; only its start is kept",
                            parts, severity="info")
        if isinstance(first, list) and first:
            return findings.date(first, f"{path}.date-parts[0]")
        if isinstance(first, int | str):
            return findings.date(parts, f"{path}.date-parts")
        findings.notice(f"{path}.date-parts", "no usable date parts", parts)
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str):
            return findings.date(value[key], f"{path}.{key}")
    if "season" in value or "circa" in value:
        findings.leave(f"{path}.season" if "season" in value else f"{path}.circa")
    return None


readers.register("csl-json", CslReader(), aliases=CslReader.aliases)
