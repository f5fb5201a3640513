"""The HTML every site page shares: escaping, safe links, the page frame.

All text reaches a page through :func:`esc` or :func:`attr`, so a hostile title cannot add
markup, and only http(s) IRIs become links (a ``javascript:`` IRI in a record stays text).
Pages carry no JavaScript at all: they work in every browser and reader, and a content
security policy can forbid scripts outright.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from .paths import DOCUMENT_FORMATS

#: The language of the site's own words (headings, labels).
PAGE_LANG = "en"
CSS = "site.css"

# The labels shown for the documents of a page, by extension.
FORMAT_LABELS = {".html": "HTML", ".ttl": "Turtle", ".jsonld": "JSON-LD", ".nt": "N-Triples"}


# Control characters other than tab and newline: HTML forbids them, and a record may hold one.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def esc(text: str) -> str:
    """``text`` as HTML character data (also safe in a quoted attribute), without control
    characters."""
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return html.escape(text, quote=True)


def attr(text: str) -> str:
    return esc(text)


def is_link(iri: str) -> bool:
    return iri.startswith(("http://", "https://")) and not any(c in iri for c in ' <>"\n\t')


def lang_attr(lang: str | None) -> str:
    """A ``lang`` attribute when ``lang`` differs from the page's language."""
    if not lang or lang.lower() == PAGE_LANG:
        return ""
    return f' lang="{attr(lang)}"'


def link(iri: str, text: str | None = None, rel: str | None = None) -> str:
    """A link to ``iri`` when it is an http(s) IRI, else the escaped text."""
    label = esc(text if text is not None else iri)
    if not is_link(iri):
        return label
    rel_attr = f' rel="{attr(rel)}"' if rel else ""
    return f'<a href="{attr(iri)}"{rel_attr}>{label}</a>'


def document_url(base: str, path: str, ext: str) -> str:
    """The URL of a written document: the file's path under the base, percent-encoded, so a
    static server finds the file whatever the IRI's own encoding."""
    return base + quote(path, safe="/") + ext


def alternates(base: str, path: str) -> list[tuple[str, str, str]]:
    """``(url, media type, label)`` of the RDF documents of an entry."""
    return [(document_url(base, path, ext), media, FORMAT_LABELS[ext])
            for ext, media in DOCUMENT_FORMATS if ext != ".html"]


def page(*, title: str, title_lang: str | None, base: str, site_title: str, head: str,
         body: str, documents: list[tuple[str, str, str]]) -> bytes:
    """A whole page: landmarks (header, nav, main, footer), the shared stylesheet, no script."""
    links = " · ".join(f'<a href="{attr(url)}" type="{attr(media)}">{esc(label)}</a>'
                       for url, media, label in documents)
    text = (
        "<!DOCTYPE html>\n"
        f'<html lang="{PAGE_LANG}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title{lang_attr(title_lang)}>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{attr(base + CSS)}">\n'
        f"{head}</head>\n<body>\n"
        f'<header><p class="site"><a href="{attr(base)}">{esc(site_title)}</a></p></header>\n'
        f'<nav aria-label="Formats"><p>This page as data: {links}</p></nav>\n'
        f"<main>\n{body}</main>\n"
        '<footer><p>Published with ld-publish. The data are also at the '
        f'<a href="{attr(base + "void.ttl")}">dataset description</a>.</p></footer>\n'
        "</body>\n</html>\n")
    return text.encode("utf-8", "replace")
