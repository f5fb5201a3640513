"""The ``schema-org`` reader: Schema.org JSON-LD (ScholarlyArticle, BlogPosting, Dataset, ...).

The JSON is read as JSON, with Schema.org terms taken by name; nothing is expanded and nothing
is fetched. A ``@context`` naming any remote document other than schema.org's own is refused
with :class:`~ld_publish.errors.UnsafeInputError`: fetching it would let the input make this
tool open network connections (and silently redefine what the terms mean). Should a caller need
real JSON-LD expansion, ``ld_publish/data/schemaorg-context.jsonld`` is the local stand-in for the
schema.org context.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, Location, RecordError, UnsafeInputError
from ..model import (
    Award,
    Contributor,
    ContributorRole,
    DateKind,
    Funding,
    Identifier,
    License,
    Pages,
    Reference,
    Rejected,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
)
from ..sources import InputSource
from .base import readers
from .common import Findings, classify_json, load_json, split_pages, stable_key
from .jsondepth import too_deep
from .schemaorg_values import (
    _TYPES,
    _agent,
    _container,
    _identifier,
    _language,
    _list,
    _organization,
    _reference,
    _str,
    _types,
    _value,
)

__all__ = ["SchemaOrgReader", "check_context", "node_to_work"]

_SCHEMA_CONTEXT = re.compile(r"^https?://(?:www\.)?schema\.org(?:/(?:docs/jsonldcontext\.json"
                             r"(?:ld)?)?)?/?$", re.IGNORECASE)
_DATES: tuple[tuple[str, DateKind], ...] = (
    ("datePublished", "published"), ("dateCreated", "created"), ("dateModified", "updated"),
    ("uploadDate", "available"))
_ROLES: tuple[tuple[str, ContributorRole], ...] = (
    ("author", "author"), ("creator", "author"), ("editor", "editor"),
    ("translator", "translator"), ("contributor", "contributor"))
_HANDLED = frozenset({
    "@context", "@type", "@id", "name", "headline", "alternativeHeadline", "description",
    "abstract", "author", "creator", "editor", "translator", "contributor", "publisher",
    "datePublished", "dateCreated", "dateModified", "uploadDate", "keywords", "license",
    "inLanguage", "isPartOf", "citation", "identifier", "sameAs", "url", "version",
    "pageStart", "pageEnd", "pagination", "funder", "funding", "volumeNumber", "issueNumber",
    "issn", "isbn", "about",
})


def check_context(context: object, label: str) -> None:
    """Refuse any remote context other than schema.org's; inline contexts are fine."""
    items = context if isinstance(context, list) else [context]
    for item in items:
        if item is None or (isinstance(item, dict) and "@import" not in item):
            continue
        url = item.get("@import") if isinstance(item, dict) else item
        if isinstance(url, str) and _SCHEMA_CONTEXT.match(url.strip()):
            continue
        raise UnsafeInputError(
            f"the JSON-LD @context {url!r} is a remote document; remote JSON-LD contexts are "
            "never fetched; inline the context",
            hint='use "@context": "https://schema.org" or put the context object itself into '
                 "the document",
            where=Location(file=label, field="@context"))


def _walk_contexts(node: object, label: str) -> None:
    if isinstance(node, dict):
        if "@context" in node:
            check_context(node["@context"], label)
        for value in node.values():
            _walk_contexts(value, label)
    elif isinstance(node, list):
        for value in node:
            _walk_contexts(value, label)


def _is_work(node: object) -> bool:
    return isinstance(node, dict) and any(t in _TYPES for t in _types(node))


class SchemaOrgReader:
    name = "schema-org"
    aliases: tuple[str, ...] = ("schemaorg", "json-ld", "jsonld-input")
    description = "Schema.org JSON-LD (ScholarlyArticle, BlogPosting, Dataset, ...)"
    extensions: tuple[str, ...] = (".jsonld", ".json")

    def sniff(self, head: bytes, filename: str) -> int:
        return 90 if classify_json(head) == "schemaorg" else 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        document, cut = load_json(source, "JSON-LD")
        # Checked before any record is read: a hostile context refuses the whole source.
        _walk_contexts(document, source.label)
        nodes: list[tuple[str | None, Any]]
        if isinstance(document, list):
            nodes = [(f"[{i}]", n) for i, n in enumerate(document)]
        elif isinstance(document, dict) and isinstance(document.get("@graph"), list):
            graph = document["@graph"]
            # In a graph, people and organisations are support nodes, not records.
            nodes = [(f"@graph[{i}]", n) for i, n in enumerate(graph)
                     if _is_work(n) or not isinstance(n, dict) or not _types(n)]
            if not nodes:
                # Only support nodes: no record at all, which must not pass for success.
                raise InputError(f"{source.label} holds no creative work: its @graph has only "
                                 "people, organisations and other support nodes",
                                 hint="a record is a node typed ScholarlyArticle, BlogPosting, "
                                      "Book, Chapter, Dataset, ...",
                                 where=Location(file=source.label))
        else:
            nodes = [(None, document)]
        index = _index(document)
        in_context = isinstance(document, dict) and "@context" in document
        for position, (pointer, node) in enumerate(nodes, 1):
            src = Source(source.label, self.name, position, None, pointer)
            raw = json.dumps(node, ensure_ascii=False, indent=1)
            deep = too_deep(node, src, raw) if cut else None
            if deep is not None:
                yield deep
                continue
            if not isinstance(node, dict):
                yield Rejected(src, "a JSON-LD record must be an object", raw, None,
                               'each record is {"@type": "ScholarlyArticle", ...}')
                continue
            if not in_context and "@context" not in node:
                # Without a context the keys mean nothing in JSON-LD; a CSL item's "type":
                # "chapter" would otherwise pass for a Schema.org Chapter.
                yield Rejected(src, "no @context: this is not JSON-LD", raw, "@context",
                               'Schema.org JSON-LD starts with "@context": "https://schema.org"')
                continue
            if not _is_work(node):
                yield Rejected(src, f"@type {node.get('@type')!r} is not a creative work type "
                               "this reader knows", raw, "@type",
                               "use ScholarlyArticle, BlogPosting, Book, Chapter, Dataset, ...")
                continue
            try:
                yield node_to_work(node, src, index)
            except RecordError as exc:  # a value that must not be read (an unsafe DTD)
                yield Rejected(src, exc.message, raw, exc.where.field, exc.hint)
            except (TypeError, ValueError, AttributeError) as exc:
                yield Rejected(src, f"the record has a value of an unexpected kind: {exc}",
                               raw, None, "compare the record with schema.org's definitions")


def _index(document: object) -> dict[str, dict[str, Any]]:
    """Nodes by @id, so a reference {"@id": ...} in a @graph finds its node."""
    found: dict[str, dict[str, Any]] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("@id"), str) and len(node) > 1:
                found.setdefault(node["@id"], node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def node_to_work(node: dict[str, Any], src: Source, index: dict[str, dict[str, Any]]
                 ) -> Work:
    findings = Findings()

    def resolve(value: object) -> object:
        if isinstance(value, dict) and set(value) == {"@id"} and value["@id"] in index:
            return index[value["@id"]]
        return value

    for key in node:
        if key not in _HANDLED:
            findings.leave(key)
    types = _types(node)
    work_type = next((_TYPES[t] for t in types if t in _TYPES), WorkType.OTHER)
    language = _language(node.get("inLanguage"), findings)

    identifiers: list[Identifier] = []
    doi: Identifier | None = None
    url = _str(_value(node.get("url")))
    node_id = node.get("@id")
    if isinstance(node_id, str) and "doi.org/" in node_id.lower():
        doi = findings.doi(node_id, "@id")
    elif isinstance(node_id, str) and node_id.startswith("http") and url is None:
        url = node_id
    for i, item in enumerate(_list(node.get("identifier"))):
        ident = _identifier(resolve(item), f"identifier[{i}]", findings)
        if ident is None:
            continue
        if ident.scheme == "doi":
            if doi is None:
                doi = ident
            elif ident.value != doi.value:
                findings.notice(f"identifier[{i}]", "a second, different DOI; kept", ident.value)
                identifiers.append(ident)
        elif ident.scheme == "url":
            url = url or ident.value
        else:
            identifiers.append(ident)
    for i, same in enumerate(_list(node.get("sameAs"))):
        same = _value(same)
        if isinstance(same, str) and "doi.org/" in same.lower() and doi is None:
            doi = findings.doi(same, f"sameAs[{i}]")
        elif same is not None:
            findings.leave(f"sameAs[{i}]")
    if doi:
        identifiers.insert(0, doi)
    for key, scheme in (("isbn", "isbn"), ("issn", "issn")):
        for i, value in enumerate(_list(node.get(key))):
            ident = findings.isbn(value, f"{key}[{i}]") if scheme == "isbn" \
                else findings.issn(value, f"{key}[{i}]")
            if ident:
                identifiers.append(ident)

    contributors: list[Contributor] = []
    for key, role in _ROLES:
        position = sum(1 for c in contributors if c.role == role)
        for i, person in enumerate(_list(node.get(key))):
            contributor = _agent(resolve(person), position + 1, role, f"{key}[{i}]", findings,
                                 resolve)
            if contributor:
                position += 1
                contributors.append(contributor)

    publisher = _organization(resolve(node.get("publisher")), "publisher", findings) \
        if node.get("publisher") else None

    title = findings.text(_value(node.get("name") or node.get("headline")),
                          "name" if node.get("name") else "headline", language)
    if node.get("name") and node.get("headline") and _value(node["headline"]) != _value(
            node["name"]):
        findings.leave("headline")
    if title is None:
        findings.notice("name", "the record has no name or headline", None,
                        "add a name", "violation")
    subtitles: list[Text] = []
    translated: list[Text] = []
    for i, alt in enumerate(_list(node.get("alternativeHeadline"))):
        lang = alt.get("@language") if isinstance(alt, dict) else None
        text = findings.text(_value(alt), f"alternativeHeadline[{i}]", lang or language)
        if text and lang and lang != language:
            translated.append(text)
        elif text:
            subtitles.append(text)
    abstracts: list[Text] = []
    for key in ("abstract", "description"):
        for i, value in enumerate(_list(node.get(key))):
            lang = value.get("@language") if isinstance(value, dict) else None
            text = findings.text(_value(value), f"{key}[{i}]", lang or language)
            if text and text not in abstracts:
                abstracts.append(text)
        if abstracts:
            if key == "abstract" and node.get("description"):
                findings.leave("description")
            break

    dates: list[WorkDate] = []
    for key, kind in _DATES:
        value = findings.date(_value(node.get(key)), key) if node.get(key) else None
        if value:
            dates.append(WorkDate(kind, value))

    keywords: list[Text] = []
    for i, value in enumerate(_list(node.get("keywords"))):
        value = resolve(value)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, str):
            keywords.extend(Text(k.strip(), language) for k in value.split(",") if k.strip())
        elif value is not None:
            findings.notice(f"keywords[{i}]", "keyword is not text; left out", value)
    subjects: list[str] = []
    for about in (resolve(a) for a in _list(node.get("about"))):
        subject = _str(about.get("name") if isinstance(about, dict) else about)
        if subject:
            subjects.append(subject)

    licenses: list[License] = []
    for i, value in enumerate(_list(node.get("license"))):
        value = resolve(value)
        link = _str(value.get("@id") or value.get("url")) if isinstance(value, dict) \
            else _str(value)
        if link and link.startswith("http"):
            licenses.append(License(link))
        else:
            findings.notice(f"license[{i}]", "licence is not a URL; left out", value,
                            "give the licence URL")

    container, volume, issue = _container(node.get("isPartOf"), findings, resolve)
    volume = volume or _str(_value(node.get("volumeNumber")))
    issue = issue or _str(_value(node.get("issueNumber")))
    pages = None
    start, end = _str(_value(node.get("pageStart"))), _str(_value(node.get("pageEnd")))
    if start:
        pages = Pages(f"{start}-{end}" if end else start, start, end)
    elif node.get("pagination"):
        pages = split_pages(str(_value(node["pagination"])))

    references: list[Reference] = []
    for i, cited in enumerate(_list(node.get("citation"))):
        ref = _reference(resolve(cited), len(references) + 1, f"citation[{i}]", findings)
        if ref:
            references.append(ref)

    funding: list[Funding] = []
    for i, funder in enumerate(_list(node.get("funder"))):
        org = _organization(resolve(funder), f"funder[{i}]", findings)
        if org:
            funding.append(Funding(funder=org))
    for i, grant in enumerate(_list(node.get("funding"))):
        grant = resolve(grant)
        if not isinstance(grant, dict):
            findings.leave(f"funding[{i}]")
            continue
        number = _str(_value(grant.get("identifier")))
        org = _organization(resolve(grant.get("funder")), f"funding[{i}].funder", findings) \
            if grant.get("funder") else None
        awards = (Award(number, _str(grant.get("name"))),) if number else ()
        funding.append(Funding(funder=org, awards=awards))

    key = doi.value if doi else (
        f"schema:{node_id}" if isinstance(node_id, str) and node_id else
        stable_key("schema", json.dumps(node, sort_keys=True, ensure_ascii=False)))
    return Work(
        key=key, source=src, type=work_type, title=title, subtitles=tuple(subtitles),
        translated_titles=tuple(translated), abstracts=tuple(abstracts), language=language,
        contributors=tuple(contributors), container=container, volume=volume, issue=issue,
        pages=pages, identifiers=tuple(identifiers), dates=tuple(dates),
        funding=tuple(funding), references=tuple(references), licenses=tuple(licenses),
        keywords=tuple(keywords), subjects=tuple(subjects), publisher=publisher, url=url,
        version=_str(_value(node.get("version"))),
        notices=tuple(findings.notices), unmapped=tuple(findings.unmapped),
    )


readers.register("schema-org", SchemaOrgReader(), aliases=SchemaOrgReader.aliases)
