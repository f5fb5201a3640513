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

from ..errors import Location, UnsafeInputError
from ..model import (
    Award,
    Container,
    Contributor,
    ContributorRole,
    DateKind,
    Funding,
    Identifier,
    License,
    Organization,
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

__all__ = ["SchemaOrgReader", "check_context", "node_to_work"]

_SCHEMA_CONTEXT = re.compile(r"^https?://(?:www\.)?schema\.org(?:/(?:docs/jsonldcontext\.json"
                             r"(?:ld)?)?)?/?$", re.IGNORECASE)
_TYPES: dict[str, WorkType] = {
    "scholarlyarticle": WorkType.JOURNAL_ARTICLE, "article": WorkType.JOURNAL_ARTICLE,
    "medicalscholarlyarticle": WorkType.JOURNAL_ARTICLE, "newsarticle": WorkType.JOURNAL_ARTICLE,
    "blogposting": WorkType.BLOG_POST, "socialmediaposting": WorkType.WEB_PAGE,
    "book": WorkType.BOOK, "chapter": WorkType.BOOK_CHAPTER, "dataset": WorkType.DATASET,
    "thesis": WorkType.THESIS, "report": WorkType.REPORT, "webpage": WorkType.WEB_PAGE,
    "softwaresourcecode": WorkType.SOFTWARE, "softwareapplication": WorkType.SOFTWARE,
    "review": WorkType.REVIEW, "periodical": WorkType.JOURNAL,
    "publicationissue": WorkType.JOURNAL_ISSUE, "creativework": WorkType.OTHER,
    "techarticle": WorkType.REPORT, "bookseries": WorkType.BOOK_SERIES, "blog": WorkType.BLOG,
}
_CONTAINER_TYPES: dict[str, WorkType] = {
    "periodical": WorkType.JOURNAL, "blog": WorkType.BLOG, "book": WorkType.BOOK,
    "bookseries": WorkType.BOOK_SERIES, "publicationissue": WorkType.JOURNAL_ISSUE,
    "publicationvolume": WorkType.JOURNAL, "website": WorkType.OTHER,
}
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


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type") or node.get("type")
    names = value if isinstance(value, list) else [value]
    return [re.sub(r"^(?:schema:|https?://schema\.org/)", "", n).lower()
            for n in names if isinstance(n, str)]


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
        document = load_json(source, "JSON-LD")
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
        else:
            nodes = [(None, document)]
        index = _index(document)
        in_context = isinstance(document, dict) and "@context" in document
        for position, (pointer, node) in enumerate(nodes, 1):
            src = Source(source.label, self.name, position, None, pointer)
            raw = json.dumps(node, ensure_ascii=False, indent=1)
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


def _list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict) and "@list" in value:
        return _list(value["@list"])
    return value if isinstance(value, list) else [value]


def _value(value: object) -> object:
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


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


def _str(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _language(value: object, findings: Findings) -> str | None:
    value = _list(value)[0] if _list(value) else None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        code = value.get("alternateName") or value.get("identifier")
        if isinstance(code, str) and re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*", code):
            return code
        findings.notice("inLanguage", "language has no BCP 47 code; left out", value,
                        "give inLanguage as a code such as 'en'")
    return None


def _identifier(item: object, path: str, findings: Findings) -> Identifier | None:
    if isinstance(item, dict):
        kind = str(item.get("propertyID") or "").lower()
        value = _value(item.get("value"))
        if not isinstance(value, str):
            findings.leave(path)
            return None
        if kind == "doi" or "doi.org/" in value.lower():
            return findings.doi(value, f"{path}.value")
        if kind in ("issn", "isbn"):
            return findings.issn(value, f"{path}.value") if kind == "issn" \
                else findings.isbn(value, f"{path}.value")
        if kind in ("pmid", "pmcid", "arxiv", "handle"):
            return Identifier(kind, value.strip())
        return Identifier("local", value.strip(), qualifier=kind or None)
    if isinstance(item, str):
        if "doi.org/" in item.lower() or item.lower().startswith(("doi:", "10.")):
            return findings.doi(item, path)
        if item.startswith("http"):
            return Identifier("url", item.strip())
        return Identifier("local", item.strip())
    return None


def _agent(node: object, position: int, role: ContributorRole, path: str, findings: Findings,
           resolve: Any) -> Contributor | None:
    if isinstance(node, str):
        return Contributor(node.strip(), position, role) if node.strip() else None
    if not isinstance(node, dict):
        findings.notice(path, "a contributor must be an object or a name; left out", node)
        return None
    types = _types(node)
    given = _str(_value(node.get("givenName")))
    family = _str(_value(node.get("familyName")))
    name = _str(_value(node.get("name"))) or " ".join(p for p in (given, family) if p)
    if not name:
        findings.notice(path, "a contributor without a name; left out", node)
        return None
    kind = "organization" if any(t in ("organization", "researchorganization", "consortium",
                                       "collegeoruniversity", "ngo", "governmentorganization")
                                 for t in types) else "person"
    idents: list[Identifier] = []
    ids = [node.get("@id"), *_list(node.get("identifier")), *_list(node.get("sameAs"))]
    for i, value in enumerate(ids):
        value = _value(value.get("value") if isinstance(value, dict) else value)
        if not isinstance(value, str):
            continue
        sub = "@id" if i == 0 else f"identifier[{i - 1}]"
        if "orcid" in value.lower() or re.fullmatch(r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]",
                                                    value.strip()):
            ident = findings.orcid(value, f"{path}.{sub}")
        elif "ror.org" in value.lower():
            ident = findings.ror(value, f"{path}.{sub}")
        else:
            findings.leave(f"{path}.{sub}")
            ident = None
        if ident and ident not in idents:
            idents.append(ident)
    affiliations = tuple(org for org in (
        _organization(resolve(a), f"{path}.affiliation[{i}]", findings)
        for i, a in enumerate(_list(node.get("affiliation")))) if org)
    emails = tuple(e for e in (_str(x) for x in _list(node.get("email"))) if e)
    for key in node:
        if key not in ("@type", "@id", "name", "givenName", "familyName", "identifier",
                       "sameAs", "affiliation", "email"):
            findings.leave(f"{path}.{key}")
    return Contributor(name, position, role, kind, given, family, emails,  # type: ignore[arg-type]
                       tuple(idents), affiliations)


def _organization(node: object, path: str, findings: Findings) -> Organization | None:
    if isinstance(node, str):
        return Organization(node.strip()) if node.strip() else None
    if not isinstance(node, dict):
        return None
    name = _str(_value(node.get("name")))
    idents: list[Identifier] = []
    for value in (node.get("@id"), *_list(node.get("identifier"))):
        value = _value(value.get("value") if isinstance(value, dict) else value)
        if isinstance(value, str) and "ror.org" in value.lower():
            ident = findings.ror(value, f"{path}.@id")
            if ident and ident not in idents:
                idents.append(ident)
        elif isinstance(value, str) and "10.13039/" in value:
            ident = findings.funder(value, f"{path}.@id")
            if ident and ident not in idents:
                idents.append(ident)
        elif isinstance(value, str):
            findings.leave(f"{path}.@id")
    if not name:
        if node:
            findings.notice(path, "an organisation without a name; left out", node)
        return None
    return Organization(name, tuple(idents))


def _container(value: object, findings: Findings, resolve: Any
               ) -> tuple[Container | None, str | None, str | None]:
    """Walk isPartOf: issue -> volume -> periodical, the usual Schema.org chain."""
    volume = issue = None
    node = resolve(_list(value)[0]) if _list(value) else None
    path = "isPartOf"
    while isinstance(node, dict):
        types = _types(node)
        if "publicationissue" in types:
            issue = _str(_value(node.get("issueNumber")))
        elif "publicationvolume" in types:
            volume = _str(_value(node.get("volumeNumber")))
        else:
            ctype = next((_CONTAINER_TYPES[t] for t in types if t in _CONTAINER_TYPES),
                         WorkType.JOURNAL)
            idents: list[Identifier] = []
            node_id = node.get("@id")
            if isinstance(node_id, str) and "doi.org/" in node_id.lower():
                ident = findings.doi(node_id, f"{path}.@id", severity="warning")
                if ident:
                    idents.append(ident)
            for i, issn in enumerate(_list(node.get("issn"))):
                ident = findings.issn(issn, f"{path}.issn[{i}]")
                if ident:
                    idents.append(ident)
            title = _str(_value(node.get("name")))
            for key in node:
                if key not in ("@type", "@id", "name", "issn", "isPartOf"):
                    findings.leave(f"{path}.{key}")
            return Container(title, ctype, identifiers=tuple(idents)), volume, issue
        path += ".isPartOf"
        node = resolve(_list(node.get("isPartOf"))[0]) if _list(node.get("isPartOf")) else None
    return None, volume, issue


def _reference(node: object, position: int, path: str, findings: Findings
               ) -> Reference | None:
    # Cited works with neither DOI nor title still count: their position is the citation.
    if isinstance(node, str):
        if "doi.org/" in node.lower() or node.lower().startswith("doi:"):
            return Reference(position, doi=findings.doi(node, path, severity="warning"))
        return Reference(position, raw=node.strip()) if node.strip() else None
    if not isinstance(node, dict):
        return None
    doi = None
    url = None
    node_id = node.get("@id")
    if isinstance(node_id, str) and "doi.org/" in node_id.lower():
        doi = findings.doi(node_id, f"{path}.@id", severity="warning")
    elif isinstance(node_id, str) and node_id.startswith("http"):
        url = node_id
    for i, item in enumerate(_list(node.get("identifier"))):
        ident = _identifier(item, f"{path}.identifier[{i}]", findings)
        if ident and ident.scheme == "doi" and doi is None:
            doi = ident
    types = _types(node)
    return Reference(
        position, type=next((_TYPES[t] for t in types if t in _TYPES and t != "creativework"),
                            None),
        title=_str(_value(node.get("name") or node.get("headline"))), doi=doi,
        url=url or _str(_value(node.get("url"))),
        year=(_str(_value(node.get("datePublished"))) or "")[:4] or None,
    )


readers.register("schema-org", SchemaOrgReader(), aliases=SchemaOrgReader.aliases)
