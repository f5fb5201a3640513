"""Crossref ``reference`` entries -> :class:`~ld_publish.model.Reference`."""

from __future__ import annotations

import re
from typing import Any

from ..model import Identifier, Reference, WorkType
from .crossref_values import Findings, doi_identifier, text_of

_YEAR_SUFFIX = re.compile(r"^(\d{4})\s*([a-z])$")
# Fields carried over; anything else in a reference is reported as unmapped.
_KNOWN = frozenset({
    "key", "DOI", "doi-asserted-by", "unstructured", "article-title", "journal-title",
    "series-title", "volume-title", "volume", "issue", "first-page", "year", "author",
    "ISBN", "isbn-type", "ISSN", "issn-type", "edition", "component", "standard-designator",
    "standards-body",
})


def read_references(items: Any, found: Findings) -> tuple[Reference, ...]:
    if not isinstance(items, list):
        return ()
    refs: list[Reference] = []
    for index, item in enumerate(items):
        path = f"reference[{index}]"
        if not isinstance(item, dict):
            found.note(path, "reference is not an object; left out", repr(item)[:200])
            continue
        refs.append(_reference(item, index + 1, path, found))
        for key in item:
            if key not in _KNOWN:
                found.leave(f"reference[].{key}")
    return tuple(refs)


def _reference(item: dict[str, Any], position: int, path: str, found: Findings) -> Reference:
    doi = doi_identifier(item.get("DOI"), f"{path}.DOI", found)
    year = _year(item.get("year"), f"{path}.year", found)
    author = text_of(item.get("author"), f"{path}.author", found)
    title = text_of(item.get("article-title"), f"{path}.article-title", found)
    journal = text_of(item.get("journal-title"), f"{path}.journal-title", found)
    volume_title = text_of(item.get("volume-title"), f"{path}.volume-title", found)
    series = text_of(item.get("series-title"), f"{path}.series-title", found)
    container = journal or (volume_title if title else None) or series
    if not title and volume_title:
        title = volume_title  # a book cited as a whole
    identifiers = _identifiers(item, path, found)
    ref_type = _guess_type(journal, volume_title, title, identifiers)
    volume = text_of(item.get("volume"), f"{path}.volume", found)
    issue = text_of(item.get("issue"), f"{path}.issue", found)
    pages = text_of(item.get("first-page"), f"{path}.first-page", found)
    raw = text_of(item.get("unstructured"), f"{path}.unstructured", found)
    if raw is None:
        raw = _render(author, year, title, container, volume, issue, pages, doi, identifiers)
    return Reference(
        position=position, raw=raw, type=ref_type,
        authors=(author,) if author else (),
        year=year, title=title, container_title=container, volume=volume, issue=issue,
        pages=pages, doi=doi, url=_url_in(raw), identifiers=tuple(identifiers),
        key=item.get("key") if isinstance(item.get("key"), str) else None,
    )


def _year(value: Any, path: str, found: Findings) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    match = _YEAR_SUFFIX.match(text)
    if match:
        found.note(path, f"disambiguation letter {match.group(2)!r} removed from the year",
                   text, severity="info")
        return match.group(1)
    return text or None


def _identifiers(item: dict[str, Any], path: str, found: Findings) -> list[Identifier]:
    out: list[Identifier] = []
    for key in ("ISBN", "ISSN"):
        values = item.get(key)
        for raw in values if isinstance(values, list) else [values] if values else []:
            # A cited work's identifier: when it is wrong the reference stays without it.
            ident = found.ident(key.lower(), raw, f"{path}.{key}", severity="warning")
            if ident is not None:
                out.append(ident)
    return out


def _guess_type(journal: str | None, volume_title: str | None, title: str | None,
                identifiers: list[Identifier]) -> WorkType | None:
    if journal:
        return WorkType.JOURNAL_ARTICLE
    if volume_title or any(i.scheme == "isbn" for i in identifiers):
        return WorkType.BOOK_CHAPTER if title and title != volume_title else WorkType.BOOK
    return None


def _render(author: str | None, year: str | None, title: str | None, container: str | None,
            volume: str | None, issue: str | None, pages: str | None,
            doi: Identifier | None, identifiers: list[Identifier]) -> str | None:
    """A readable citation from the parts, for references deposited without text."""
    head = " ".join(p for p in (author, f"({year})" if year else None) if p)
    where = container or ""
    if volume:
        where += f", {volume}" if where else volume
        if issue:
            where += f"({issue})"
    if pages:
        where += f", {pages}" if where else pages
    pieces = [head, title, where]
    pieces += [f"ISBN {i.value}" for i in identifiers if i.scheme == "isbn"]
    if doi:
        pieces.append(f"https://doi.org/{doi.value}")
    text = ". ".join(p.rstrip(".") for p in pieces if p)
    return text + "." if text and not text.endswith("/") and not doi else text or None


def _url_in(raw: str | None) -> str | None:
    if not raw:
        return None
    match = re.search(r"https?://[^\s<>\"]+", raw)
    if not match or "doi.org/" in match.group(0):
        return None
    return match.group(0).rstrip(").,;")
