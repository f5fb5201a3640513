"""JATS and HTML markup in titles and abstracts, turned into clean text.

Crossref abstracts arrive as JATS fragments (``<jats:p>``, ``<jats:italic>``), titles carry HTML
(``<i>``, ``<sub>``) and entities (``&amp;``, ``&ndash;``), and JATS documents nest inline
markup in every text element. Readers keep the *text*: inline elements melt into their text,
block elements (paragraphs, list items, section titles) become paragraph breaks, and white
space is collapsed the way a browser would. Markup is never parsed as XML here: fragments are
often not well-formed, and :class:`html.parser.HTMLParser` tolerates that without ever
fetching anything. A fragment that declares a DOCTYPE (entities of its own) is first resolved by
:func:`ld_publish.xmlsafe.expand_fragment`, which refuses what is unsafe; the HTML parser would
otherwise leave the end of the DOCTYPE (``]>``) and the declared entities' references in the text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from ..errors import InputError, Location, RecordError
from ..xmlsafe import expand_fragment

__all__ = ["element_text", "has_markup", "markup_to_text", "normalize_space"]

_BLOCK = frozenset({
    "p", "div", "br", "li", "list-item", "sec", "title", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "caption", "disp-quote", "def-item", "label", "ul", "ol", "list",
})
# Content that is not text of the title or abstract.
_SKIP = frozenset({"script", "style", "object-id", "alt-text", "fn", "xref-note"})
_TAG = re.compile(r"</?[A-Za-z][\w.:\-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY)\b")
_SPACE = re.compile(r"[ \t\r\n\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Headings publishers put inside the abstract that are labels, not abstract text.
_ABSTRACT_HEADINGS = frozenset({"abstract", "summary", "resumo", "resumen", "résumé",
                                "аннотация", "zusammenfassung", "abstrakt"})


def has_markup(text: str) -> bool:
    """Whether ``text`` holds tags or character entities that :func:`markup_to_text` removes."""
    return bool(_TAG.search(text) or _ENTITY.search(text) or _DECLARATION.search(text))


def normalize_space(text: str) -> str:
    """Runs of white space (NBSP and the typographic spaces included) become one space."""
    return _SPACE.sub(" ", text).strip()


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self.skipping = 0
        self.titles: list[int] = []  # indexes of paragraphs that came from a <title>

    def _local(self, tag: str) -> str:
        return tag.rsplit(":", 1)[-1].lower()

    def _break(self) -> None:
        if self.paragraphs[-1]:
            self.paragraphs.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = self._local(tag)
        if name in _SKIP:
            self.skipping += 1
        elif name in _BLOCK:
            self._break()
            if name == "title":
                self.titles.append(len(self.paragraphs) - 1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._local(tag) in _BLOCK:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        name = self._local(tag)
        if name in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif name in _BLOCK:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.paragraphs[-1].append(data)


def markup_to_text(text: str, *, drop_heading: bool = False, field: str | None = None) -> str:
    """Clean text of a fragment: tags removed, entities decoded, paragraphs separated by a blank
    line. With ``drop_heading`` a leading "Abstract"/"Summary" heading is left out.

    A fragment with a DOCTYPE whose entities cannot be used safely (external, undefined, a
    bomb) raises :class:`RecordError` naming ``field``: its record is quarantined, not cleaned
    into half-resolved text.
    """
    if _DECLARATION.search(text):
        try:
            text = expand_fragment(text, field or "the text")
        except InputError as exc:
            raise RecordError(exc.message, hint=exc.hint, where=Location(field=field)) from None
    collector = _TextCollector()
    collector.feed(text)
    collector.close()
    paragraphs: list[str] = []
    for index, parts in enumerate(collector.paragraphs):
        para = normalize_space("".join(parts))
        if not para:
            continue
        heading = para.rstrip(":. ").casefold()
        if drop_heading and not paragraphs and index in collector.titles \
                and heading in _ABSTRACT_HEADINGS:
            continue
        paragraphs.append(para)
    return "\n\n".join(paragraphs)


def element_text(element: Any, *, skip: frozenset[str] = frozenset(),
                 drop_heading: bool = False) -> str:
    """Clean text of an lxml element: inline markup melted, block children as paragraphs.

    ``skip`` names child elements (local names) whose text is left out, e.g. ``label``.
    """
    paragraphs: list[list[str]] = [[]]

    def walk(node: Any) -> None:
        name = _local_name(node)
        if name is None or name in skip or name in _SKIP:
            _tail(node)
            return
        block = name in _BLOCK or name in {"p", "title"}
        if block and paragraphs[-1]:
            paragraphs.append([])
        if node.text:
            paragraphs[-1].append(node.text)
        for child in node:
            walk(child)
        if block and paragraphs[-1]:
            paragraphs.append([])
        _tail(node)

    def _tail(node: Any) -> None:
        if node.tail and node is not element:
            paragraphs[-1].append(node.tail)

    if element.text:
        paragraphs[-1].append(element.text)
    for child in element:
        if drop_heading and _local_name(child) == "title" \
                and not normalize_space("".join(paragraphs[0])):
            if child.tail:
                paragraphs[-1].append(child.tail)
            continue
        walk(child)
    texts = [normalize_space("".join(p)) for p in paragraphs]
    return "\n\n".join(t for t in texts if t)


def _local_name(node: Any) -> str | None:
    tag = node.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return None
    return tag.rsplit("}", 1)[-1]
