"""DataCite attribute values as model parts: identifiers, people, organisations, the
publisher, funding references and the container. Used by datacite.py, which maps a record."""

from __future__ import annotations

from typing import Any

from ..model import (
    Award,
    Container,
    Contributor,
    ContributorRole,
    Funding,
    Identifier,
    Organization,
    WorkType,
)
from .common import (
    Findings,
    looks_like_organization,
    split_person_name,
)

_ID_SCHEMES = {"doi": "doi", "url": "url", "issn": "issn", "eissn": "issn", "isbn": "isbn",
               "arxiv": "arxiv", "pmid": "pmid", "handle": "handle"}

def _list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _identifier(value: object, kind: str, path: str, findings: Findings) -> Identifier | None:
    if not isinstance(value, str) or not value.strip():
        findings.notice(path, "identifier without a value; left out", value)
        return None
    scheme = _ID_SCHEMES.get(kind.lower().replace(" ", ""))
    if scheme == "doi":
        return findings.doi(value, path, severity="warning")
    if scheme is not None:
        return findings.ident(scheme, value, path)
    return findings.ident("local", value, path, qualifier=kind or None)


def _person(item: dict[str, Any], position: int, role: ContributorRole, path: str,
            findings: Findings) -> Contributor:
    name = findings.clean(item.get("name"), f"{path}.name") or ""
    given = findings.clean(item.get("givenName"), f"{path}.givenName")
    family = findings.clean(item.get("familyName"), f"{path}.familyName")
    if not name:
        name = " ".join(p for p in (given, family) if p)
    if not name:
        findings.notice(path, "a contributor without a name", item, severity="violation")
    name_type = str(item.get("nameType") or item.get("type") or "").lower()
    if name_type in ("organizational", "organization"):
        kind = "organization"
    elif name_type in ("personal", "person") or given or family:
        kind = "person"
    else:
        kind = "organization" if looks_like_organization(name) else "person"
    if kind == "person" and not (given or family):
        given, family = split_person_name(name)
    idents: list[Identifier] = []
    raw_ids = list(_list(item.get("nameIdentifiers")))
    if isinstance(item.get("id"), str):
        raw_ids.insert(0, {"nameIdentifier": item["id"], "_path": f"{path}.id"})
    for index, entry in enumerate(raw_ids):
        if not isinstance(entry, dict):
            continue
        value = entry.get("nameIdentifier")
        scheme = str(entry.get("nameIdentifierScheme") or "").lower()
        id_path = entry.get("_path") or f"{path}.nameIdentifiers[{index}]"
        if not isinstance(value, str) or not value.strip():
            continue
        if scheme == "orcid" or "orcid.org" in value:
            ident = findings.orcid(value, id_path)
        elif scheme == "ror" or "ror.org" in value:
            ident = findings.ror(value, id_path)
        elif scheme == "isni":
            ident = findings.ident("isni", value, id_path)
        else:
            findings.leave(id_path)
            ident = None
        if ident and ident not in idents:
            idents.append(ident)
    affiliations = tuple(a for a in (
        _organization(a, f"{path}.affiliation[{i}]", findings)
        for i, a in enumerate(_list(item.get("affiliation")))) if a)
    for key in item:
        if key not in ("name", "givenName", "familyName", "nameType", "type", "id",
                       "nameIdentifiers", "affiliation", "contributorType", "lang"):
            findings.leave(f"{path}.{key}")
    return Contributor(name, position, role, kind, given, family,  # type: ignore[arg-type]
                       identifiers=tuple(idents), affiliations=affiliations)


def _organization(item: object, path: str, findings: Findings) -> Organization | None:
    if isinstance(item, str):
        return Organization(item.strip()) if item.strip() else None
    if not isinstance(item, dict):
        return None
    name = findings.clean(item.get("name"), f"{path}.name")
    idents: list[Identifier] = []
    value = item.get("affiliationIdentifier") or item.get("publisherIdentifier") \
        or item.get("id")
    scheme = str(item.get("affiliationIdentifierScheme") or
                 item.get("publisherIdentifierScheme") or "").lower()
    if isinstance(value, str) and value.strip():
        if scheme == "ror" or "ror.org" in value:
            ident = findings.ror(value, f"{path}.affiliationIdentifier")
            if ident:
                idents.append(ident)
        elif scheme == "isni":
            ident = findings.ident("isni", value, f"{path}.affiliationIdentifier")
            if ident:
                idents.append(ident)
        else:
            findings.leave(f"{path}.affiliationIdentifier")
    if not name:
        return None
    return Organization(name, tuple(idents))


def _publisher(value: object, findings: Findings) -> Organization | None:
    if isinstance(value, str):
        return Organization(value.strip()) if value.strip() else None
    if isinstance(value, dict):
        return _organization(value, "publisher", findings)
    return None


def _funding(item: dict[str, Any], path: str, findings: Findings) -> Funding:
    name = findings.clean(item.get("funderName"), f"{path}.funderName")
    ident_value = item.get("funderIdentifier")
    kind = str(item.get("funderIdentifierType") or "").lower()
    idents: list[Identifier] = []
    if isinstance(ident_value, str) and ident_value.strip():
        if "crossref" in kind or "10.13039" in ident_value:
            ident = findings.funder(ident_value, f"{path}.funderIdentifier")
        elif kind == "ror" or "ror.org" in ident_value:
            ident = findings.ror(ident_value, f"{path}.funderIdentifier")
        elif kind == "isni":
            ident = findings.ident("isni", ident_value, f"{path}.funderIdentifier")
        else:
            findings.leave(f"{path}.funderIdentifier ({kind or 'no type'})")
            ident = None
        if ident:
            idents.append(ident)
    awards: list[Award] = []
    number = item.get("awardNumber")
    if isinstance(number, dict):
        if number.get("awardUri"):
            findings.leave(f"{path}.awardNumber.awardUri")
        number = number.get("awardNumber")
    title = findings.clean(item.get("awardTitle"), f"{path}.awardTitle")
    if isinstance(number, str | int) and str(number).strip():
        awards.append(Award(str(number).strip(), title))
    elif title:
        findings.notice(f"{path}.awardTitle", "award title without an award number; left out",
                        title, severity="info")
    if item.get("awardUri"):
        findings.leave(f"{path}.awardUri")
    funder = Organization(name, tuple(idents)) if name else None
    if funder is None:
        findings.notice(f"{path}.funderName", "funding reference without a funder name", item)
    return Funding(funder=funder, awards=tuple(awards))


def _container(value: object, work_type: WorkType, findings: Findings) -> Container | None:
    if not isinstance(value, dict) or not value:
        return None
    title = findings.clean(value.get("title"), "container.title")
    ident = None
    ident_value = value.get("identifier")
    kind = str(value.get("identifierType") or "")
    if isinstance(ident_value, str) and ident_value.strip():
        ident = _identifier(ident_value, kind, "container.identifier", findings)
    ctype = WorkType.BLOG if work_type == WorkType.BLOG_POST else (
        WorkType.BOOK_SERIES if str(value.get("type")).lower() == "series"
        and work_type in (WorkType.BOOK, WorkType.BOOK_CHAPTER) else WorkType.JOURNAL)
    for key in value:
        if key not in ("title", "identifier", "identifierType", "type", "volume", "issue",
                       "firstPage", "lastPage"):
            findings.leave(f"container.{key}")
    return Container(title, ctype, identifiers=(ident,) if ident else ())
