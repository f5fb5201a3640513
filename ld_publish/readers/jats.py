"""The ``jats`` reader: JATS 1.0-1.3 (and NLM 3.0) XML articles, archiving and publishing
tag sets, with the SciELO (SPS) and PMC conventions.

Parsing goes through :mod:`ld_publish.xmlsafe`: the DTD is never loaded, external entities are
refused and named entities come from the bundled catalog. Element names are compared by local
name, so a namespaced JATS document reads the same as a plain one. A PMC ``pmc-articleset``
holding several articles yields one record per article.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from lxml import etree

from ..errors import InputError, Location
from ..model import (
    Award,
    Container,
    Funding,
    Identifier,
    License,
    Organization,
    Pages,
    Rejected,
    RelatedItem,
    RelationType,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
    replace,
)
from ..sources import InputSource
from ..xmlsafe import parse_xml
from .base import readers
from .crossref_values import Findings
from .jats_contrib import read_affiliations, read_contributors
from .jats_refs import read_references
from .jats_xml import XLINK_HREF, Element, child_text, lang, read_date, strip_namespaces, text
from .markup import element_text

__all__ = ["JatsReader", "read_article"]

ARTICLE_TYPES: dict[str, WorkType] = {
    "research-article": WorkType.JOURNAL_ARTICLE, "review-article": WorkType.JOURNAL_ARTICLE,
    "case-report": WorkType.JOURNAL_ARTICLE, "brief-report": WorkType.JOURNAL_ARTICLE,
    "rapid-communication": WorkType.JOURNAL_ARTICLE, "letter": WorkType.JOURNAL_ARTICLE,
    "article-commentary": WorkType.JOURNAL_ARTICLE, "correction": WorkType.JOURNAL_ARTICLE,
    "retraction": WorkType.JOURNAL_ARTICLE, "addendum": WorkType.JOURNAL_ARTICLE,
    "expression-of-concern": WorkType.JOURNAL_ARTICLE, "discussion": WorkType.JOURNAL_ARTICLE,
    "reply": WorkType.JOURNAL_ARTICLE, "news": WorkType.JOURNAL_ARTICLE,
    "obituary": WorkType.JOURNAL_ARTICLE, "methods-article": WorkType.JOURNAL_ARTICLE,
    "data-paper": WorkType.JOURNAL_ARTICLE, "systematic-review": WorkType.JOURNAL_ARTICLE,
    "editorial": WorkType.EDITORIAL, "book-review": WorkType.REVIEW,
    "product-review": WorkType.REVIEW, "reviewer-report": WorkType.REVIEW,
    "referee-report": WorkType.REVIEW, "preprint": WorkType.PREPRINT,
    "other": WorkType.OTHER,
}

RELATED_TYPES: dict[str, RelationType] = {
    "corrected-article": "is-correction-of", "correction-forward": "is-corrected-by",
    "retracted-article": "is-retraction-of", "retraction-forward": "is-retracted-by",
    "preprint": "has-preprint", "peer-reviewed-article": "is-review-of",
    "reviewed-article": "is-review-of", "peer-review": "is-reviewed-by",
    "companion": "is-related-to", "commentary-article": "is-related-to",
    "article-reference": "is-related-to", "addended-article": "is-related-to",
    "addendum": "is-related-to", "update": "has-version", "object-of-concern": "is-related-to",
}

_DATE_KINDS = {"epub": "published-online", "ppub": "published-print",
               "collection": "collection", "epub-ppub": "published-print",
               "epreprint": "published-online"}
_HISTORY_KINDS = {"received": "received", "rev-recd": "revised", "accepted": "accepted",
                  "pub": "published", "available": "available", "rev-request": None}
# article-meta children carried over; the others go to Work.unmapped.
_META_HANDLED = frozenset({
    "article-id", "article-categories", "title-group", "contrib-group", "aff",
    "aff-alternatives", "pub-date", "volume", "issue", "fpage", "lpage", "page-range",
    "elocation-id", "history", "permissions", "abstract", "trans-abstract", "kwd-group",
    "funding-group", "related-article", "author-notes",
})
_JOURNAL_HANDLED = frozenset({"journal-title-group", "journal-title", "abbrev-journal-title",
                              "issn", "publisher", "journal-id"})


class JatsReader:
    name: str = "jats"
    aliases: tuple[str, ...] = ("jats-xml",)
    description: str = "JATS / NLM journal article XML (SciELO, PMC and publisher flavours)"
    extensions: tuple[str, ...] = (".xml", ".nxml", ".jats")

    def sniff(self, head: bytes, filename: str) -> int:
        sample = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:65536]
        if not sample.startswith(b"<"):
            return 0
        if re.search(rb"<!DOCTYPE\s+(?:article|pmc-articleset)[^>]*(?:JATS|NLM)", sample):
            return 95
        if re.search(rb"<article[\s>]", sample):
            if re.search(rb"<(?:front|article-meta|journal-meta)[\s>]|dtd-version=|"
                         rb"article-type=", sample):
                return 90
            return 40
        return 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        data = source.read_bytes()
        document = parse_xml(data, source.label)
        root = document.root
        strip_namespaces(root)
        articles = [root] if root.tag == "article" else list(root.iter("article"))
        if not articles:
            raise InputError(f"no <article> element (the root is <{root.tag}>)",
                             hint="give a JATS article; for other XML name the format with "
                                  "--from", where=Location(file=source.label))
        for position, article in enumerate(articles, 1):
            where = Source(source.label, self.name, position, article.sourceline,
                           None if article is root else f"article[{position - 1}]")
            raw = data if article is root else etree.tostring(article)
            yield read_article(article, where, raw)


def read_article(article: Element, source: Source, raw: bytes) -> Work | Rejected:
    meta = article.find("front/article-meta")
    if meta is None:
        return Rejected(source, "no front/article-meta in the article",
                        raw.decode("utf-8", "replace"), field="front/article-meta",
                        hint="a JATS article keeps its metadata in <front><article-meta>")
    found = Findings()
    language = lang(article)
    identifiers = _article_ids(meta, found)
    doi = next((i.value for i in identifiers if i.scheme == "doi"), None)
    title_group = meta.find("title-group")
    title = child_text(title_group, "article-title") if title_group is not None else None
    corresp = {c.get("id", ""): [e for el in c.iter("email") if (e := text(el))]
               for c in meta.iter("corresp")}
    work = Work(
        key=doi or "sha256:" + hashlib.sha256(raw).hexdigest(),
        source=source,
        type=_work_type(article, found),
        title=Text(title, language) if title else None,
        subtitles=_subtitles(title_group, language),
        translated_titles=_translated_titles(title_group),
        abstracts=_abstracts(meta, language),
        language=language,
        contributors=read_contributors(meta, read_affiliations(meta, found), found, corresp),
        container=_container(article.find("front/journal-meta"), found),
        volume=child_text(meta, "volume"),
        issue=child_text(meta, "issue"),
        pages=_pages(meta),
        article_number=child_text(meta, "elocation-id"),
        identifiers=identifiers,
        dates=_dates(meta, found),
        funding=_funding(meta, found),
        references=read_references(article.find("back"), found),
        related=_related(meta, found),
        licenses=_licenses(meta),
        keywords=_keywords(meta, language),
        subjects=tuple(s for el in meta.iterfind("article-categories//subject")
                       if (s := text(el))),
        publisher=_publisher(article.find("front/journal-meta")),
    )
    _report_unmapped(article, meta, found)
    return replace(work, notices=tuple(found.notices), unmapped=tuple(found.unmapped))


def _work_type(article: Element, found: Findings) -> WorkType:
    raw = article.get("article-type")
    if not raw:
        return WorkType.JOURNAL_ARTICLE
    if raw not in ARTICLE_TYPES:
        found.note("article@article-type", "unknown article type; read as a journal article",
                   raw, severity="info")
        return WorkType.JOURNAL_ARTICLE
    return ARTICLE_TYPES[raw]


def _subtitles(group: Element | None, language: str | None) -> tuple[Text, ...]:
    if group is None:
        return ()
    out = [Text(t, language) for el in group.findall("subtitle") if (t := text(el))]
    for trans in group.findall("trans-title-group"):
        out += [Text(t, lang(trans)) for el in trans.findall("trans-subtitle") if (t := text(el))]
    return tuple(out)


def _translated_titles(group: Element | None) -> tuple[Text, ...]:
    if group is None:
        return ()
    return tuple(Text(t, lang(trans)) for trans in group.findall("trans-title-group")
                 for el in trans.findall("trans-title") if (t := text(el)))


def _abstracts(meta: Element, language: str | None) -> tuple[Text, ...]:
    out: list[Text] = []
    for tag in ("abstract", "trans-abstract"):
        for abstract in meta.findall(tag):
            value = element_text(abstract, skip=frozenset({"label", "object-id"}),
                                 drop_heading=True)
            if value:
                out.append(Text(value, lang(abstract, language if tag == "abstract" else None)))
    return tuple(out)


def _article_ids(meta: Element, found: Findings) -> tuple[Identifier, ...]:
    out: list[Identifier] = []
    for el in meta.findall("article-id"):
        scheme = (el.get("pub-id-type") or "").lower()
        raw = text(el) or ""
        if not raw:
            continue
        path = f"article-id[@pub-id-type={scheme}]"
        if scheme in {"doi", "pmid", "pmcid", "arxiv"}:
            ident = found.ident(scheme, raw, path)
        elif scheme == "pmc":
            # PMC's own number, the PMCID without its prefix
            ident = found.ident("pmcid", raw if raw.upper().startswith("PMC") else f"PMC{raw}",
                                path, original=raw)
        else:
            ident = found.ident("local", raw, path, qualifier=scheme or None)
        if ident is not None:
            out.append(ident)
    return tuple(out)


def _container(journal: Element | None, found: Findings) -> Container | None:
    if journal is None:
        return None
    ids: list[Identifier] = []
    for index, el in enumerate(journal.findall("issn")):
        raw = text(el) or ""
        kind = el.get("pub-type") or el.get("publication-format") or ""
        qualifier = {"ppub": "print", "print": "print", "epub": "electronic",
                     "electronic": "electronic"}.get(kind.lower())
        ident = found.ident("issn", raw, f"journal-meta/issn[{index}]", qualifier=qualifier)
        if ident is not None:
            ids.append(ident)
    title = child_text(journal, ".//journal-title")
    return Container(title=title, type=WorkType.JOURNAL,
                     short_title=child_text(journal, ".//abbrev-journal-title"),
                     identifiers=tuple(ids), publisher=_publisher(journal))


def _publisher(journal: Element | None) -> Organization | None:
    if journal is None:
        return None
    name = child_text(journal, "publisher/publisher-name")
    if not name:
        return None
    return Organization(name=name, city=child_text(journal, "publisher/publisher-loc"))


def _pages(meta: Element) -> Pages | None:
    first = child_text(meta, "fpage")
    last = child_text(meta, "lpage")
    if first:
        return Pages(f"{first}-{last}" if last else first, first, last)
    page_range = child_text(meta, "page-range")
    return Pages(page_range) if page_range else None


def _dates(meta: Element, found: Findings) -> tuple[WorkDate, ...]:
    dates: list[WorkDate] = []
    for index, pub in enumerate(meta.findall("pub-date")):
        kind_raw = (pub.get("date-type") or pub.get("pub-type") or "pub").lower()
        fmt = (pub.get("publication-format") or "").lower()
        if kind_raw == "pub":
            kind = {"print": "published-print", "electronic": "published-online"}.get(
                fmt, "published")
        else:
            kind = _DATE_KINDS.get(kind_raw, "")
        if not kind:
            found.leave(f"front/article-meta/pub-date[@date-type={kind_raw}]")
            continue
        value = read_date(pub, f"pub-date[{index}]", found)
        if value:
            dates.append(WorkDate(kind, value))  # type: ignore[arg-type]
    if not any(d.kind == "published" for d in dates):
        # Crossref's rule: "published" is the earliest of print and online publication.
        firsts = sorted((d.value for d in dates if d.kind in ("published-online",
                                                               "published-print")),
                        key=lambda v: (v.year, v.month or 0, v.day or 0))
        if firsts:
            dates.insert(0, WorkDate("published", firsts[0]))
    for index, date in enumerate(meta.findall("history/date")):
        kind_raw = (date.get("date-type") or "").lower()
        history_kind = _HISTORY_KINDS.get(kind_raw)
        if not history_kind:
            found.leave(f"front/article-meta/history/date[@date-type={kind_raw}]")
            continue
        value = read_date(date, f"history/date[{index}]", found)
        if value and all(d.kind != history_kind for d in dates):
            dates.append(WorkDate(history_kind, value))  # type: ignore[arg-type]
    return tuple(dates)


def _licenses(meta: Element) -> tuple[License, ...]:
    out: list[License] = []
    for lic in meta.iterfind("permissions/license"):
        url = lic.get(XLINK_HREF)
        if not url:
            ref = next((el for el in lic.iter() if isinstance(el.tag, str)
                        and el.tag.endswith("license_ref")), None)
            url = text(ref)
        if url:
            out.append(License(url.strip()))
    return tuple(dict.fromkeys(out))


def _funding(meta: Element, found: Findings) -> tuple[Funding, ...]:
    out: list[Funding] = []
    for gi, group in enumerate(meta.findall("funding-group")):
        for ai, award_group in enumerate(group.findall("award-group")):
            awards = tuple(Award(a) for el in award_group.findall("award-id") if (a := text(el)))
            for si, source in enumerate(award_group.findall("funding-source") or [None]):
                path = f"funding-group[{gi}]/award-group[{ai}]/funding-source[{si}]"
                funder = _funder(source, path, found) if source is not None else None
                if funder or awards:
                    out.append(Funding(funder=funder, awards=awards))
        for statement in group.findall("funding-statement"):
            if value := text(statement):
                out.append(Funding(statement=value))
    return tuple(out)


def _funder(source: Element, path: str, found: Findings) -> Organization | None:
    identifiers: list[Identifier] = []
    for index, ident in enumerate(source.iter("institution-id")):
        raw = text(ident) or ""
        scheme = (ident.get("institution-id-type") or "").lower()
        id_path = f"{path}/institution-id[{index}]"
        checked = None
        if scheme in {"fundref", "doi", "crossref-funder", "funder-id"} or "10.13039/" in raw:
            checked = found.ident("crossref-funder", raw, id_path)
        elif scheme == "ror":
            checked = found.ident("ror", raw, id_path)
        if checked is not None:
            identifiers.append(checked)
    name_el = source.find(".//institution")
    name = text(name_el) if name_el is not None else None
    if not name:
        parts = [source.text or ""] + [
            (child.tail or "") if child.tag == "institution-id"
            else "".join(child.itertext()) + (child.tail or "") for child in source]
        name = " ".join("".join(parts).split()) or None
    if not name and not identifiers:
        return None
    return Organization(name=name or identifiers[0].value, identifiers=tuple(identifiers))


def _keywords(meta: Element, language: str | None) -> tuple[Text, ...]:
    return tuple(Text(k, lang(group, language)) for group in meta.findall("kwd-group")
                 for el in group.iter("kwd") if (k := text(el)))


def _related(meta: Element, found: Findings) -> tuple[RelatedItem, ...]:
    out: list[RelatedItem] = []
    for index, rel in enumerate(meta.iter("related-article")):
        raw_type = (rel.get("related-article-type") or "").lower()
        relation = RELATED_TYPES.get(raw_type)
        if relation is None:
            found.note(f"related-article[{index}]", "related-article type unknown; kept as "
                       "is-related-to", raw_type, severity="info")
            relation = "is-related-to"
        href = (rel.get(XLINK_HREF) or "").strip()
        ext = (rel.get("ext-link-type") or "").lower()
        identifiers: list[Identifier] = []
        if href:
            if ext == "doi" or href.startswith("10.") or "doi.org/" in href:
                scheme = "doi"
            else:
                scheme = ext if ext in {"pmid", "pmcid"} else "url"
            # A related work's identifier: when it is wrong the item stays without it.
            ident = found.ident(scheme, href, f"related-article[{index}]@xlink:href",
                                severity="warning")
            if ident is not None:
                identifiers.append(ident)
        out.append(RelatedItem(relation=relation, citation=text(rel),
                               title=child_text(rel, "article-title"),
                               container_title=child_text(rel, "source"),
                               year=child_text(rel, "year"), issue=child_text(rel, "issue"),
                               identifiers=tuple(identifiers)))
    return tuple(out)


def _report_unmapped(article: Element, meta: Element, found: Findings) -> None:
    for child in meta:
        if isinstance(child.tag, str) and child.tag not in _META_HANDLED:
            found.leave(f"front/article-meta/{child.tag}")
    for path in ("permissions/copyright-statement", "permissions/copyright-year",
                 "permissions/copyright-holder"):
        if meta.find(path) is not None:
            found.leave(f"front/article-meta/{path}")
    journal = article.find("front/journal-meta")
    if journal is not None:
        for child in journal:
            if isinstance(child.tag, str) and child.tag not in _JOURNAL_HANDLED:
                found.leave(f"front/journal-meta/{child.tag}")
    for child in article:
        if not isinstance(child.tag, str) or child.tag == "front":
            continue
        if child.tag == "back":
            for part in child:
                if isinstance(part.tag, str) and part.tag != "ref-list":
                    found.leave(f"back/{part.tag}")
        else:
            found.leave(child.tag)


readers.register("jats", JatsReader(), aliases=JatsReader.aliases)
