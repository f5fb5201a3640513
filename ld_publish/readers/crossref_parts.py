"""Crossref work parts as model values: ISSNs and ISBNs, alternative ids, pages, dates,
funders, licences, relations, publisher and URL. Used by crossref_work.py."""

from __future__ import annotations

import re
from typing import Any

from ..model import (
    Award,
    Funding,
    Identifier,
    License,
    Organization,
    Pages,
    RelatedItem,
    RelationType,
    WorkDate,
)
from .crossref_values import (
    Findings,
    date_value,
    doi_identifier,
    iso_date,
    text_of,
)

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

_UPDATES: dict[str, RelationType] = {
    "correction": "is-correction-of", "erratum": "is-correction-of",
    "corrigendum": "is-correction-of", "retraction": "is-retraction-of",
    "withdrawal": "is-retraction-of",
}


def _issns(message: dict[str, Any], found: Findings) -> list[Identifier]:
    typed: dict[str, str] = {}
    for entry in message.get("issn-type") or []:
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            typed[entry["value"].strip().upper()] = str(entry.get("type", ""))
    raw_list = list(message.get("ISSN") or [])
    raw_list += [v for v in typed if v not in {str(r).strip().upper() for r in raw_list}]
    out: list[Identifier] = []
    for index, raw in enumerate(raw_list):
        kind = typed.get(str(raw).strip().upper())
        qualifier = {"print": "print", "electronic": "electronic"}.get(kind or "")
        ident = found.ident("issn", raw, f"ISSN[{index}]", qualifier=qualifier)
        if ident is not None and all(i.value != ident.value for i in out):
            out.append(ident)
    return out


def _isbns(message: dict[str, Any], found: Findings) -> list[Identifier]:
    typed = {str(e.get("value")): str(e.get("type")) for e in message.get("isbn-type") or []
             if isinstance(e, dict)}
    out: list[Identifier] = []
    for index, raw in enumerate(message.get("ISBN") or []):
        ident = found.ident("isbn", raw, f"ISBN[{index}]", qualifier=typed.get(str(raw)))
        if ident is not None and all(i.value != ident.value for i in out):
            out.append(ident)
    return out


def _alternative_ids(message: dict[str, Any], doi: Identifier | None,
                     found: Findings) -> list[Identifier]:
    out: list[Identifier] = []
    for index, alt in enumerate(message.get("alternative-id") or []):
        if doi and isinstance(alt, str) and alt.strip().lower() == doi.value:
            continue  # the DOI in its registered capitalisation
        if isinstance(alt, str) and alt.strip():
            ident = found.ident("local", alt, f"alternative-id[{index}]")
            if ident is not None:
                out.append(ident)
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
        doi = doi_identifier(entry.get("DOI"), f"{path}.DOI", found, "violation",
                             scheme="crossref-funder")
        if doi:
            identifiers.append(doi)
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
        return found.ident("url", raw, f"{path}.id", severity="warning")
    known = {"arxiv", "pmid", "pmcid", "issn", "isbn", "handle", "ror"}
    return found.ident(scheme if scheme in known else "local", raw, f"{path}.id",
                       severity="warning",
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
