"""JATS ``ref-list/ref`` -> :class:`~ld_publish.model.Reference`, in document order."""

from __future__ import annotations

import re

from ..model import Identifier, Notice, Reference, WorkType
from .crossref_values import Findings
from .identify import identifier
from .jats_xml import XLINK_HREF, Element, child_text, text

REF_TYPES: dict[str, WorkType] = {
    "journal": WorkType.JOURNAL_ARTICLE, "article": WorkType.JOURNAL_ARTICLE,
    "book": WorkType.BOOK, "confproc": WorkType.PROCEEDINGS_ARTICLE,
    "conference": WorkType.PROCEEDINGS_ARTICLE, "thesis": WorkType.THESIS,
    "report": WorkType.REPORT, "webpage": WorkType.WEB_PAGE, "web": WorkType.WEB_PAGE,
    "data": WorkType.DATASET, "dataset": WorkType.DATASET, "software": WorkType.SOFTWARE,
    "preprint": WorkType.PREPRINT, "blog": WorkType.BLOG_POST,
}

# A DOI in running text: prefix, slash, then anything up to white space. SICI DOIs hold <, >,
# ( and ), so the suffix is not restricted further; trailing punctuation is trimmed after.
_DOI_IN_TEXT = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+")
_YEAR = re.compile(r"^(\d{4})\s*([a-z])$")
# Parts carried over from element-citation; anything else is reported as unmapped.
_PARTS = frozenset({
    "person-group", "name", "string-name", "collab", "etal", "article-title", "chapter-title",
    "data-title", "part-title", "source", "year", "volume", "issue", "fpage", "lpage",
    "page-range", "elocation-id", "publisher-name", "publisher-loc", "pub-id", "ext-link",
    "uri", "isbn", "comment", "label", "edition",
})


def read_references(back: Element | None, found: Findings) -> tuple[Reference, ...]:
    if back is None:
        return ()
    refs: list[Reference] = []
    for ref in back.iter("ref"):
        position = len(refs) + 1
        refs.append(_reference(ref, position, f"ref-list/ref[{position - 1}]", found))
    return tuple(refs)


def _reference(ref: Element, position: int, path: str, found: Findings) -> Reference:
    mixed = ref.find("mixed-citation")
    element = ref.find("element-citation")
    if element is None:
        element = ref.find("citation")
    parts = element if element is not None else mixed
    raw = text(mixed) if mixed is not None else None
    if parts is None:
        return Reference(position=position, raw=text(ref), key=ref.get("id"))
    for child in parts:
        if isinstance(child.tag, str) and child.tag not in _PARTS:
            found.leave(f"back/ref-list/ref/{parts.tag}/{child.tag}")
    authors, editors = _people(parts, path, found)
    chapter = child_text(parts, "article-title") or child_text(parts, "chapter-title") \
        or child_text(parts, "data-title") or child_text(parts, "part-title")
    source = child_text(parts, "source")
    pub_type = (parts.get("publication-type") or parts.get("citation-type") or "").lower()
    ref_type = REF_TYPES.get(pub_type, WorkType.OTHER if pub_type else None)
    if ref_type is WorkType.BOOK and child_text(parts, "chapter-title"):
        ref_type = WorkType.BOOK_CHAPTER
    title, container = (chapter, source) if chapter else (source, None)
    if ref_type in (WorkType.JOURNAL_ARTICLE, WorkType.PROCEEDINGS_ARTICLE) and not chapter:
        title, container = None, source
    year = _year(child_text(parts, "year"), f"{path}.year", found)
    identifiers, doi = _ids(parts, path, found)
    if doi is None and raw:
        doi = _doi_from_text(raw, path, found)
    url = None
    for link in list(parts.iter("ext-link")) + list(parts.iter("uri")):
        href = link.get(XLINK_HREF) or text(link)
        if href and "doi.org/" not in href:
            url = href.strip()
            break
    if parts.find("date-in-citation") is not None:
        found.leave(f"back/ref-list/ref/{parts.tag}/date-in-citation")
    if raw is None:
        raw = _render(authors, year, title, container, parts)
    return Reference(
        position=position, raw=raw, type=ref_type, authors=tuple(authors),
        editors=tuple(editors), year=year, title=title, container_title=container,
        volume=child_text(parts, "volume"), issue=child_text(parts, "issue"),
        pages=_pages(parts), publisher=child_text(parts, "publisher-name"),
        place=child_text(parts, "publisher-loc"), doi=doi, url=url,
        identifiers=tuple(identifiers), key=ref.get("id"))


def _people(parts: Element, path: str, found: Findings) -> tuple[list[str], list[str]]:
    authors: list[str] = []
    editors: list[str] = []
    groups = parts.findall("person-group") or [parts]
    for group in groups:
        kind = group.get("person-group-type") or "author"
        target = editors if kind == "editor" else authors if kind == "author" else None
        if target is None:
            found.leave(f"back/ref-list/ref/person-group[@person-group-type={kind}]")
            continue
        for person in group:
            if person.tag in ("name", "string-name"):
                family = child_text(person, "surname")
                given = child_text(person, "given-names")
                name = ", ".join(p for p in (family, given) if p) if family else text(person)
                if name:
                    target.append(name)
            elif person.tag == "collab" and (name := text(person)):
                target.append(name)
            elif person.tag == "etal":
                found.note(f"{path}.authors", "author list ends with et al.; the others are "
                           "not named in the source", "et al.", severity="info")
    return authors, editors


def _year(value: str | None, path: str, found: Findings) -> str | None:
    if not value:
        return None
    match = _YEAR.match(value)
    if match:
        found.note(path, f"disambiguation letter {match.group(2)!r} removed from the year",
                   value, severity="info")
        return match.group(1)
    return value


def _ids(parts: Element, path: str, found: Findings) -> tuple[list[Identifier],
                                                              Identifier | None]:
    identifiers: list[Identifier] = []
    doi: Identifier | None = None
    for pub_id in parts.iter("pub-id"):
        scheme = (pub_id.get("pub-id-type") or "").lower()
        raw = text(pub_id) or ""
        # A cited work's identifiers: when one is wrong the reference stays without it.
        if scheme == "doi":
            checked = found.ident("doi", raw, f"{path}.pub-id", severity="warning")
            doi = doi or checked
        elif scheme in {"pmid", "pmcid", "arxiv", "isbn", "handle"}:
            if ident := found.ident(scheme, raw, f"{path}.pub-id", severity="warning"):
                identifiers.append(ident)
        elif ident := found.ident("local", raw, f"{path}.pub-id", severity="warning",
                                  qualifier=scheme or None):
            identifiers.append(ident)
    for isbn_el in parts.iter("isbn"):
        if ident := found.ident("isbn", text(isbn_el), f"{path}.isbn", severity="warning"):
            identifiers.append(ident)
    return identifiers, doi


def _doi_from_text(raw: str, path: str, found: Findings) -> Identifier | None:
    match = _DOI_IN_TEXT.search(raw)
    if not match:
        return None
    # The sentence's own full stop or comma after a DOI in running text is not part of it.
    candidate = match.group(0).rstrip(".,;")
    notices: list[Notice] = []
    doi = identifier("doi", candidate, f"{path}.doi", notices, severity="warning")
    if doi is None:
        return None  # not a DOI after all: the text is kept as printed, nothing is lost
    found.note(f"{path}.doi", "DOI taken from the citation text (no pub-id in the source)",
               candidate, severity="info")
    found.notices.extend(notices)
    return doi


def _pages(parts: Element) -> str | None:
    first = child_text(parts, "fpage")
    last = child_text(parts, "lpage")
    if first and last:
        return f"{first}-{last}"
    return first or child_text(parts, "page-range") or child_text(parts, "elocation-id")


def _render(authors: list[str], year: str | None, title: str | None, container: str | None,
            parts: Element) -> str | None:
    """A readable citation from element-citation parts, when no mixed-citation was given."""
    who = "; ".join(authors)
    head = " ".join(p for p in (who, f"({year})" if year else None) if p)
    where = container or ""
    volume = child_text(parts, "volume")
    issue = child_text(parts, "issue")
    if volume:
        where += f", {volume}" if where else volume
        if issue:
            where += f"({issue})"
    pages = _pages(parts)
    if pages:
        where += f", {pages}" if where else pages
    text_ = ". ".join(p.rstrip(".") for p in (head, title, where) if p)
    return text_ + "." if text_ else None
