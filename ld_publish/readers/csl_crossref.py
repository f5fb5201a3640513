"""CSL-JSON as Crossref content negotiation serves it: a CSL item with Crossref's fields kept.

``Accept: application/vnd.citationstyles.csl+json`` at doi.org gives a CSL item (string
``title`` and ``container-title``, CSL ``type`` such as ``article-journal``) that still carries
most of the REST API work: ``indexed``, ``reference-count``, ``license``, ``funder``,
``reference``, ``published-print`` and friends, ``author[].ORCID``. The shape, not any one key,
tells it apart from a REST ``message``, whose titles are lists. The CSL reader reads the item;
this module adds what only the Crossref fields hold, through the Crossref reader's own helpers
so the same field means the same thing in both readers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import (
    Funding,
    Identifier,
    License,
    Notice,
    Reference,
    RelatedItem,
    Text,
    WorkDate,
    replace,
)
from . import crossref_values
from .common import CSL_TYPES, Findings, json_head
from .crossref_parts import _alternative_ids, _dates, _funding, _issns, _licenses, _related
from .crossref_refs import read_references
from .markup import markup_to_text

__all__ = ["CrossrefExtras", "crossref_extras", "is_crossref_csl", "looks_like_crossref_csl"]

#: Keys only Crossref writes; two of them on a CSL-typed item make it Crossref's CSL.
CROSSREF_MARKS = frozenset({"indexed", "reference-count", "references-count", "content-domain",
                            "is-referenced-by-count", "deposited", "member", "prefix",
                            "published-print", "published-online", "created", "link",
                            "update-policy", "short-container-title", "issn-type"})
#: Crossref fields this module carries over (the CSL reader does not report them unmapped).
HANDLED = frozenset({"license", "funder", "reference", "subject", "published-print",
                     "published-online", "created", "deposited", "accepted", "posted",
                     "alternative-id", "relation", "update-to", "article-number",
                     "original-title", "subtitle", "short-title", "source", "issn-type"})
# Date fields read here; "issued" stays with the CSL reader (it is the CSL publication date).
_DATE_KEYS = ("published-print", "published-online", "created", "deposited", "accepted",
              "posted")
_CSL_TYPE = re.compile(rb'"type"\s*:\s*"(?:' + b"|".join(
    re.escape(t.encode()) for t in sorted(CSL_TYPES)) + rb')"')
_STRING_TITLE = re.compile(rb'"title"\s*:\s*"')
_LIST_TITLE = re.compile(rb'"title"\s*:\s*\[')


def is_crossref_csl(item: object) -> bool:
    """A parsed item is Crossref's CSL: a CSL type, no list-valued title, Crossref's keys."""
    if not isinstance(item, dict) or item.get("type") not in CSL_TYPES:
        return False
    if isinstance(item.get("title"), list) or isinstance(item.get("container-title"), list):
        return False
    return len(CROSSREF_MARKS & item.keys()) >= 2 or item.get("source") == "Crossref"


def looks_like_crossref_csl(head: bytes) -> bool:
    """The same judgement on the first 64 KiB, which may end inside the document."""
    doc, _ = json_head(head)
    first = doc[0] if isinstance(doc, list) and doc else doc
    if isinstance(first, dict):
        return is_crossref_csl(first)
    if doc is not None:
        return False
    # Cut off: decide on the text. A REST message always writes "title": [ ... ].
    return bool(_CSL_TYPE.search(head) and _STRING_TITLE.search(head)
                and not _LIST_TITLE.search(head))


@dataclass(frozen=True)
class CrossrefExtras:
    """What a Crossref CSL item adds to the work the CSL reader reads from it."""

    licenses: tuple[License, ...] = ()
    funding: tuple[Funding, ...] = ()
    references: tuple[Reference, ...] = ()
    related: tuple[RelatedItem, ...] = ()
    dates: tuple[WorkDate, ...] = ()
    subjects: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    issns: tuple[Identifier, ...] = ()  # print/electronic told apart by issn-type
    abstract: Text | None = None
    article_number: str | None = None


def crossref_extras(item: dict[str, Any], doi: Identifier | None,
                    findings: Findings) -> CrossrefExtras:
    """The Crossref-only fields of ``item``; notices go to ``findings`` like the CSL ones."""
    found = crossref_values.Findings()
    dates = _dates({k: item[k] for k in _DATE_KEYS if k in item}, found)
    subjects = tuple(crossref_values.all_texts(item.get("subject") or [], "subject", found))
    abstract = None
    if isinstance(item.get("abstract"), str) and item["abstract"].strip():
        # Crossref abstracts are JATS; the "Abstract" heading is not part of the text.
        text = markup_to_text(item["abstract"], drop_heading=True, field="abstract")
        language = item.get("language") if isinstance(item.get("language"), str) else None
        abstract = Text(text, language) if text else None
    extras = CrossrefExtras(
        licenses=_licenses(item.get("license"), found),
        funding=_funding(item.get("funder"), found),
        references=read_references(item.get("reference"), found),
        related=_related(item, found),
        dates=dates,
        subjects=subjects,
        identifiers=tuple(_alternative_ids(item, doi, found)),
        issns=tuple(_issns(item, found)) if item.get("issn-type") else (),
        abstract=abstract,
        article_number=crossref_values.text_of(item.get("article-number"), "article-number",
                                               found),
    )
    for key in ("original-title", "subtitle", "short-title"):
        if item.get(key):
            found.leave(key)
    # The Crossref helpers report a bad value of the work itself as a violation, as the
    # Crossref reader does; the CSL reader keeps the record and warns.
    findings.notices.extend(n if n.severity != "violation" or n.field == "DOI"
                            else _as_warning(n) for n in found.notices)
    for path in found.unmapped:
        findings.leave(path)
    return extras


def _as_warning(notice: Notice) -> Notice:
    return replace(notice, severity="warning")
