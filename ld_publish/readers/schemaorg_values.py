"""Schema.org node values as model parts: strings, languages, identifiers, people and
organisations, containers and cited works. Used by schemaorg.py, which walks the document."""

from __future__ import annotations

import re
from typing import Any

from ..model import (
    Container,
    Contributor,
    ContributorRole,
    Identifier,
    Organization,
    Reference,
    WorkType,
)
from .common import Findings

_CONTAINER_TYPES: dict[str, WorkType] = {
    "periodical": WorkType.JOURNAL, "blog": WorkType.BLOG, "book": WorkType.BOOK,
    "bookseries": WorkType.BOOK_SERIES, "publicationissue": WorkType.JOURNAL_ISSUE,
    "publicationvolume": WorkType.JOURNAL, "website": WorkType.OTHER,
}

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

def _list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict) and "@list" in value:
        return _list(value["@list"])
    return value if isinstance(value, list) else [value]

def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type") or node.get("type")
    names = value if isinstance(value, list) else [value]
    return [re.sub(r"^(?:schema:|https?://schema\.org/)", "", n).lower()
            for n in names if isinstance(n, str)]

def _value(value: object) -> object:
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


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
        if kind in ("issn", "isbn", "pmid", "pmcid", "arxiv", "handle"):
            return findings.ident(kind, value, f"{path}.value")
        return findings.ident("local", value, f"{path}.value", qualifier=kind or None)
    if isinstance(item, str):
        if "doi.org/" in item.lower() or item.lower().startswith(("doi:", "10.")):
            return findings.doi(item, path)
        if item.startswith("http"):
            return findings.ident("url", item, path)
        return findings.ident("local", item, path)
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
