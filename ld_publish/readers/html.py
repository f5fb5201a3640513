"""The ``html`` reader: a saved article page (one page, one record).

The page's metadata comes from these places, merged field by field:

1. Schema.org JSON-LD (``<script type="application/ld+json">``), read by the ``schema-org``
   reader's own node mapping: it has the structure (typed authors with their iDs and
   affiliations, the periodical, licences, funding), so its values come first; a page without
   JSON-LD article has its Schema.org microdata (:mod:`.html_microdata`) read the same way;
2. Highwire Press ``citation_*`` meta tags (:mod:`.html_meta`), for every field JSON-LD lacks
   (often the references, volume, issue, pages, ISSN, the online date, ORCID iDs);
3. Dublin Core ``DC.*``/``dcterms.*`` tags, only where the Highwire tag is missing.

Dates and identifiers are combined (a kind or identifier JSON-LD lacks is added). Parsing
uses lxml's HTML parser with the network off; entity declarations in a page are not expanded,
and a JSON-LD remote ``@context`` is refused, never fetched: the page is quarantined with the
reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import lxml.etree
import lxml.html

from ..errors import InputError, Location, RecordError, UnsafeInputError
from ..model import Rejected, Source, Text, Work, WorkType, replace
from ..sources import InputSource
from .base import readers, require_content
from .common import Findings
from .html_meta import Meta, meta_to_work
from .html_microdata import microdata_items
from .jsondepth import loads_bounded
from .schemaorg import _index, _is_work, _walk_contexts, node_to_work
from .schemaorg_values import _types

__all__ = ["HtmlReader"]

_CITATION_META = re.compile(rb"<meta\s[^>]*name\s*=\s*[\"']?(?:citation_|dc\.|dcterms\.)",
                            re.IGNORECASE)
_HTML_START = re.compile(rb"<html[\s>]|<!doctype\s+html", re.IGNORECASE)
_LD_JSON = re.compile(r"^\s*application/ld\+json\s*(?:;.*)?$", re.IGNORECASE)
# A page's own JSON-LD often describes the page or the site too; an article node wins.
_WEAK_TYPES = frozenset({"webpage", "creativework", "website", "blog", "periodical"})
# Model fields merged as a whole ("first source that has it"), apart from the combined ones.
_COMBINED = frozenset({"key", "source", "notices", "unmapped", "extra", "dates",
                       "identifiers", "type"})


class HtmlReader:
    name = "html"
    aliases: tuple[str, ...] = ("html-page", "highwire")
    description = ("saved article page (HTML): Highwire citation_* meta tags, Dublin Core, "
                   "Schema.org JSON-LD")
    extensions: tuple[str, ...] = (".html", ".htm", ".xhtml")

    def sniff(self, head: bytes, filename: str) -> int:
        if _CITATION_META.search(head):
            return 90
        if _HTML_START.search(head[:4096]):
            return 60
        if filename.lower().endswith(self.extensions) and b"<" in head[:1024]:
            return 30
        return 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        require_content(source)
        text = source.read_text()
        src = Source(source.label, self.name, 1)
        try:
            root = _parse(text)
        except (lxml.etree.LxmlError, ValueError) as exc:
            raise InputError(f"not an HTML page: {exc}", hint="give a saved article page",
                             where=Location(file=source.label)) from None
        raw = text if len(text) <= 200_000 else text[:200_000] + "\n[... cut]"
        try:
            yield read_page(root, src)
        except UnsafeInputError as exc:
            yield Rejected(src, exc.message, raw, exc.where.field, exc.hint)
        except RecordError as exc:
            yield Rejected(src, exc.message, raw, exc.where.field, exc.hint)
        except (TypeError, ValueError, AttributeError) as exc:
            yield Rejected(src, f"the page has a value of an unexpected kind: {exc}", raw, None,
                           "compare the page's meta tags with Google Scholar's guidelines")


def _parse(text: str) -> Any:
    # no_network: nothing the page names is fetched; comments and processing instructions go.
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  recover=True, default_doctype=False)
    # lxml refuses str input with an encoding declaration; the text is decoded already.
    return lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)


def read_page(root: Any, src: Source) -> Work | Rejected:
    findings = Findings()
    page_lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    metas = [Meta(str(m.get("name")).strip().lower(), str(m.get("content") or ""),
                  m.get("lang") or m.get("xml:lang"))
             for m in root.iter("meta") if m.get("name")]
    from_tags = meta_to_work(metas, src, page_lang.strip() if page_lang else None, findings)
    from_ld = _json_ld(root, src, findings)
    if from_tags is None and from_ld is None:
        return Rejected(src, "no article metadata in the page: no citation_* or DC.* meta "
                        "tags and no Schema.org JSON-LD article", _head_text(root), None,
                        "save the article's landing page (it carries citation_* tags)")
    work = merge(from_ld, from_tags) if from_ld and from_tags else (from_ld or from_tags)
    assert work is not None
    if work.title is None:
        title = root.find(".//title")
        text = findings.clean(title.text_content(), "title") if title is not None else None
        if text:
            findings.notice("title", "no citation_title or JSON-LD name; the page's <title> "
                            "is used", text, "add a citation_title meta tag", "info")
            work = replace(work, title=Text(text, work.language))
        else:
            findings.notice("citation_title", "the page has no title", None,
                            "add a citation_title meta tag", "violation")
    return replace(work, source=src, notices=(*work.notices, *findings.notices),
                   unmapped=tuple(dict.fromkeys((*work.unmapped, *findings.unmapped))))


def merge(first: Work, second: Work) -> Work:
    """``first``'s value for each field, ``second``'s where ``first`` has none; dates and
    identifiers combined."""
    values: dict[str, Any] = {}
    for item in fields(Work):
        name = item.name
        if name in _COMBINED:
            continue
        mine = getattr(first, name)
        values[name] = mine if mine not in (None, (), "") else getattr(second, name)
    kinds = {d.kind for d in first.dates}
    values["dates"] = (*first.dates, *(d for d in second.dates if d.kind not in kinds))
    known = {(i.scheme, i.value) for i in first.identifiers}
    values["identifiers"] = (*first.identifiers, *(
        i for i in second.identifiers if (i.scheme, i.value) not in known))
    values["type"] = second.type if first.type in (WorkType.OTHER, WorkType.WEB_PAGE) \
        and second.type is not WorkType.OTHER else first.type
    doi = next((i.value for i in values["identifiers"] if i.scheme == "doi"), None)
    # A title the other source supplied answers the first one's "no title" finding.
    notices = first.notices if values["title"] is None or first.title is not None else tuple(
        n for n in first.notices if not (n.severity == "violation" and "no name" in n.message))
    return replace(first, **values, key=doi or first.key,
                   notices=(*notices, *second.notices),
                   unmapped=tuple(dict.fromkeys((*first.unmapped, *second.unmapped))),
                   extra=(*first.extra, *second.extra))


def _json_ld(root: Any, src: Source, findings: Findings) -> Work | None:
    candidates: list[tuple[int, dict[str, Any], dict[str, dict[str, Any]]]] = []
    for number, script in enumerate(root.iter("script")):
        if not _LD_JSON.match(script.get("type") or ""):
            continue
        path = f"script[{number}]"
        try:
            document, cut = loads_bounded(script.text or "")
        except (json.JSONDecodeError, RecursionError) as exc:
            findings.notice(path, f"a JSON-LD block that is not JSON; left out ({exc})",
                            (script.text or "")[:200], severity="warning")
            continue
        if cut:
            findings.notice(path, "a JSON-LD block nested deeper than the nesting-depth "
                            "limit; left out", None, "check the page's JSON-LD")
            continue
        # Raises UnsafeInputError for a remote context: the page goes to quarantine.
        _walk_contexts(document, src.path)
        index = _index(document)
        for node in _nodes(document):
            if _is_work(node):
                weak = all(t in _WEAK_TYPES for t in _types(node))
                candidates.append((1 if weak else 0, node, index))
    if not candidates:
        # Microdata only when there is no JSON-LD work: pages that have both say the same.
        candidates = [(1 if all(t in _WEAK_TYPES for t in _types(item)) else 0, item, {})
                      for item in microdata_items(root) if _is_work(item)]
        if candidates:
            findings.notice("itemscope", "read from the page's Schema.org microdata", None,
                            severity="info")
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    _, node, index = candidates[0]
    work = node_to_work(node, src, index)
    if len(candidates) > 1:
        findings.notice("script", f"{len(candidates)} creative works in the page's JSON-LD; "
                        "the first article is read", None, severity="info")
    return work


def _nodes(document: object) -> Iterator[dict[str, Any]]:
    if isinstance(document, list):
        for item in document:
            yield from _nodes(item)
    elif isinstance(document, dict):
        if isinstance(document.get("@graph"), list):
            yield from _nodes(document["@graph"])
        else:
            yield document


def _head_text(root: Any) -> str:
    head = root.find("head")
    text = str(lxml.html.tostring(head if head is not None else root, encoding="unicode"))
    return text if len(text) <= 20_000 else text[:20_000] + "\n[... cut]"


readers.register("html", HtmlReader(), aliases=HtmlReader.aliases)
