"""An article page's ``<meta>`` tags as a record: Highwire Press ``citation_*`` tags (what
Google Scholar reads), with Dublin Core ``DC.*``/``dcterms.*`` where a Highwire tag is missing.

The ``html`` reader (:mod:`.html`) merges the result with the page's Schema.org JSON-LD.
Values are attribute text, so markup inside one (a ``<script>`` in a title) is turned into
plain text with a notice like any other field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import (
    Container,
    Contributor,
    DateKind,
    Identifier,
    License,
    Organization,
    Pages,
    Reference,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
)
from .common import Findings, looks_like_organization, split_person_name, stable_key
from .page_references import parse_reference

__all__ = ["MAX_VALUE", "Meta", "meta_to_work"]

#: Longer tag values are left out with a notice: no real title or abstract is this long, and a
#: megabyte attribute must not become a megabyte title.
MAX_VALUE = 65_536


@dataclass(frozen=True, slots=True)
class Meta:
    """One ``<meta name=... content=...>``: the name in lower case, the content, its language."""

    name: str
    content: str
    lang: str | None = None


_AUTHOR_PARTS = ("citation_author_institution", "citation_author_orcid",
                 "citation_author_email")
_DATES: tuple[tuple[str, DateKind], ...] = (
    ("citation_publication_date", "published"), ("citation_date", "published"),
    ("citation_cover_date", "published-print"), ("citation_online_date", "published-online"))
_CONTAINERS: tuple[tuple[str, WorkType, WorkType], ...] = (
    ("citation_journal_title", WorkType.JOURNAL_ARTICLE, WorkType.JOURNAL),
    ("citation_conference_title", WorkType.PROCEEDINGS_ARTICLE, WorkType.PROCEEDINGS),
    ("citation_inbook_title", WorkType.BOOK_CHAPTER, WorkType.BOOK),
    ("citation_book_title", WorkType.BOOK_CHAPTER, WorkType.BOOK))
_URLS = ("citation_abstract_html_url", "citation_fulltext_html_url", "citation_public_url")
_REF_KEY = re.compile(r"(?:^|;)\s*citation_([a-z_]+)\s*=", re.IGNORECASE)
_REF_FIELD = re.compile(r"citation_([a-z_]+)\s*=\s*(.*?)\s*(?=;\s*citation_[a-z_]+\s*=|;?\s*$)",
                        re.IGNORECASE)


class _Tags:
    """The page's tags by name, first value or all, with each value's length checked once."""

    def __init__(self, metas: Sequence[Meta], findings: Findings) -> None:
        self.order: list[Meta] = []
        for meta in metas:
            if len(meta.content) > MAX_VALUE:
                findings.notice(meta.name, f"a tag value of {len(meta.content)} characters; "
                                "left out", meta.content[:80] + "...",
                                "check the page; no metadata value is that long")
                continue
            self.order.append(meta)
        self.findings = findings

    def all(self, *names: str) -> list[Meta]:
        return [m for m in self.order if m.name in names]

    def first(self, *names: str) -> Meta | None:
        # Highwire before Dublin Core: the order of ``names`` is the order of preference.
        for name in names:
            for meta in self.order:
                if meta.name == name and meta.content.strip():
                    return meta
        return None

    def text(self, *names: str) -> str | None:
        meta = self.first(*names)
        return self.findings.clean(meta.content, meta.name) if meta else None


def meta_to_work(metas: Sequence[Meta], src: Source, page_lang: str | None,
                 findings: Findings) -> Work | None:
    """The record the tags describe, or ``None`` when the page has no such tags at all."""
    tags = _Tags(metas, findings)
    if not any(m.name.startswith(("citation_", "dc.", "dcterms.")) for m in tags.order):
        return None
    language = tags.text("citation_language", "dc.language", "dcterms.language") or page_lang
    title_meta = tags.first("citation_title", "dc.title", "dcterms.title")
    title = findings.text(title_meta.content, title_meta.name, title_meta.lang or language) \
        if title_meta else None

    work_type, container = _container(tags, findings)
    identifiers = _identifiers(tags, findings)
    doi = next((i for i in identifiers if i.scheme == "doi"), None)
    if work_type is WorkType.OTHER:
        if tags.first("citation_dissertation_institution"):
            work_type = WorkType.THESIS
        elif tags.first("citation_technical_report_institution"):
            work_type = WorkType.REPORT
        elif any(i.scheme == "arxiv" for i in identifiers) or tags.first("citation_arxiv_id"):
            work_type = WorkType.PREPRINT
    publisher_name = tags.text("citation_publisher", "citation_dissertation_institution",
                               "citation_technical_report_institution", "dc.publisher",
                               "dcterms.publisher")
    first, last = tags.text("citation_firstpage"), tags.text("citation_lastpage")
    pages = Pages(f"{first}-{last}" if last else first, first, last) if first else None
    abstract_meta = tags.first("citation_abstract", "dc.description", "dcterms.abstract",
                               "dcterms.description")
    abstract = findings.text(abstract_meta.content, abstract_meta.name,
                             abstract_meta.lang or language) if abstract_meta else None
    url = next((m.content.strip() for m in tags.all(*_URLS)
                if m.content.strip().startswith(("http://", "https://"))), None)
    pdf = tags.first("citation_pdf_url")
    other = next((i for i in identifiers if i.scheme in ("arxiv", "pmid")), None)
    key = doi.value if doi else (f"html:{url}" if url else (
        f"{other.scheme}:{other.value}" if other else stable_key(
            "html", "\n".join(f"{m.name}={m.content}" for m in tags.order))))
    return Work(
        key=key, source=src, type=work_type, title=title,
        abstracts=(abstract,) if abstract else (), language=language,
        contributors=_authors(tags, findings), container=container,
        volume=tags.text("citation_volume"), issue=tags.text("citation_issue"), pages=pages,
        identifiers=tuple(identifiers), dates=_dates(tags, findings),
        references=_references(tags, findings), licenses=_licenses(tags),
        keywords=_keywords(tags, findings, language),
        publisher=Organization(publisher_name) if publisher_name else None, url=url,
        extra=(("pdf_url", pdf.content.strip()),) if pdf else (),
    )


def _container(tags: _Tags, findings: Findings) -> tuple[WorkType, Container | None]:
    issns = [i for n, m in enumerate(tags.all("citation_issn", "citation_eissn"))
             if (i := findings.issn(m.content, f"{m.name}[{n}]",
                                    "electronic" if m.name == "citation_eissn" else None))]
    for name, work_type, container_type in _CONTAINERS:
        title = tags.text(name)
        if title:
            return work_type, Container(title, container_type,
                                        tags.text("citation_journal_abbrev"), tuple(issns))
    if issns:
        return WorkType.JOURNAL_ARTICLE, Container(None, WorkType.JOURNAL, None, tuple(issns))
    return WorkType.OTHER, None


def _identifiers(tags: _Tags, findings: Findings) -> list[Identifier]:
    out: list[Identifier] = []
    doi = tags.first("citation_doi")
    if doi is None:
        # DC.identifier holds anything; only a DOI-looking one is taken.
        doi = next((m for m in tags.all("dc.identifier", "dcterms.identifier")
                    if re.match(r"\s*(?:doi:|https?://(?:dx\.)?doi\.org/)?10\.\d{4,}/",
                                m.content, re.IGNORECASE)), None)
    if doi is not None:
        ident = findings.doi(doi.content, doi.name)
        if ident:
            out.append(ident)
    for name, scheme in (("citation_arxiv_id", "arxiv"), ("citation_pmid", "pmid"),
                         ("citation_isbn", "isbn")):
        for meta in tags.all(name):
            ident = findings.ident(scheme, meta.content, meta.name)
            if ident and ident not in out:
                out.append(ident)
    return out


def _authors(tags: _Tags, findings: Findings) -> tuple[Contributor, ...]:
    """Authors in order; the institution, ORCID and email tags after an author are theirs."""
    people: list[dict[str, list[str] | str]] = []
    for meta in tags.order:
        if meta.name == "citation_author":
            people.append({"name": meta.content, "aff": [], "orcid": [], "email": []})
        elif meta.name in _AUTHOR_PARTS:
            if not people:
                findings.notice(meta.name, "comes before any citation_author; left out",
                                meta.content)
                continue
            part = {"citation_author_institution": "aff", "citation_author_orcid": "orcid",
                    "citation_author_email": "email"}[meta.name]
            value = people[-1][part]
            assert isinstance(value, list)
            value.append(meta.content)
    if not people:
        names = [m.content for m in tags.all("citation_authors")]
        names = [n for joined in names for n in joined.split(";")]
        if not names:
            names = [m.content for m in tags.all("dc.creator", "dcterms.creator")]
        people = [{"name": n, "aff": [], "orcid": [], "email": []} for n in names]
    out: list[Contributor] = []
    for index, person in enumerate(people):
        path = f"citation_author[{index}]"
        name = findings.clean(person["name"], path)
        if not name:
            findings.notice(path, "an author without a name; left out", None)
            continue
        idents = tuple(i for n, v in enumerate(person["orcid"])
                       if (i := findings.orcid(v, f"{path}.orcid[{n}]")))
        affiliations = tuple(Organization(a) for n, v in enumerate(person["aff"])
                             if (a := findings.clean(v, f"{path}.institution[{n}]")))
        emails = tuple(e.strip() for e in person["email"] if "@" in e and e.strip())
        if looks_like_organization(name) and "," not in name:
            out.append(Contributor(name, len(out) + 1, "author", "organization",
                                   identifiers=idents, emails=emails))
            continue
        given, family = split_person_name(name)
        out.append(Contributor(name, len(out) + 1, "author", "person", given, family,
                               emails, idents, affiliations))
    return tuple(out)


def _dates(tags: _Tags, findings: Findings) -> tuple[WorkDate, ...]:
    out: list[WorkDate] = []
    for name, kind in (*_DATES, ("dc.date", "published"), ("dcterms.issued", "published"),
                       ("dcterms.created", "created"), ("dcterms.modified", "updated")):
        meta = tags.first(name)
        if meta is None or any(d.kind == kind for d in out):
            continue
        value = findings.date(meta.content.strip(), name)
        if value:
            out.append(WorkDate(kind, value))
    return tuple(out)


def _keywords(tags: _Tags, findings: Findings, language: str | None) -> tuple[Text, ...]:
    metas = tags.all("citation_keywords") or tags.all("dc.subject", "dcterms.subject")
    out: list[Text] = []
    for meta in metas:
        for part in re.split(r"[;,]" if len(metas) == 1 else r";", meta.content):
            text = findings.text(part, meta.name, meta.lang or language)
            if text and text not in out:
                out.append(text)
    return tuple(out)


def _licenses(tags: _Tags) -> tuple[License, ...]:
    return tuple(License(m.content.strip()) for m in tags.all(
        "dc.rights", "dcterms.rights", "dcterms.license", "citation_license")
        if re.match(r"https?://\S+$", m.content.strip()))


def _references(tags: _Tags, findings: Findings) -> tuple[Reference, ...]:
    out: list[Reference] = []
    for index, meta in enumerate(tags.all("citation_reference")):
        raw = findings.clean(meta.content, f"citation_reference[{index}]")
        if not raw:
            continue
        if _REF_KEY.search(raw):
            out.append(_keyed_reference(raw, len(out) + 1, index, findings))
        else:
            reference, notices = parse_reference(raw, len(out) + 1)
            findings.notices.extend(notices)
            out.append(reference)
    return tuple(out)


def _keyed_reference(raw: str, position: int, index: int, findings: Findings) -> Reference:
    """``citation_title=...; citation_author=...; citation_doi=...`` as Google Scholar reads it."""
    fields: dict[str, list[str]] = {}
    for match in _REF_FIELD.finditer(raw):
        fields.setdefault(match.group(1).lower(), []).append(match.group(2).strip())

    def one(*names: str) -> str | None:
        return next((v[0] for n in names if (v := fields.get(n)) and v[0]), None)

    path = f"citation_reference[{index}]"
    doi = findings.doi(one("doi"), f"{path}.doi", severity="warning") if one("doi") else None
    year = one("publication_date", "date", "year")
    year_match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", year or "")
    first, last = one("firstpage"), one("lastpage")
    container = one("journal_title", "conference_title", "inbook_title", "book_title")
    return Reference(
        position, raw=raw, authors=tuple(fields.get("author", ())),
        year=year_match.group(1) if year_match else None, title=one("title"),
        container_title=container, volume=one("volume"), issue=one("issue"),
        pages=f"{first}-{last}" if first and last else first, publisher=one("publisher"),
        doi=doi, url=one("fulltext_html_url", "abstract_html_url", "pdf_url"),
        type=WorkType.JOURNAL_ARTICLE if one("journal_title") else None)
