"""Small helpers for walking JATS trees: local names, text, attributes, dates."""

from __future__ import annotations

from typing import Any

from ..model import DateValue
from .crossref_values import Findings
from .markup import normalize_space

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

Element = Any  # lxml.etree._Element; lxml has no bundled type stubs


def strip_namespaces(root: Element) -> None:
    """JATS is namespace-less, but some producers put it (or MathML) in a namespace.

    Element names are reduced to their local names so paths read the same either way;
    attribute names keep their namespaces (``xlink:href``, ``xml:lang``).
    """
    for element in root.iter():
        tag = element.tag
        if isinstance(tag, str) and tag.startswith("{"):
            element.tag = tag.rsplit("}", 1)[1]


def text(element: Element | None) -> str | None:
    """All text inside ``element``, white space collapsed; ``None`` when empty."""
    if element is None:
        return None
    value = normalize_space("".join(element.itertext()))
    return value or None


def child_text(element: Element, path: str) -> str | None:
    return text(element.find(path))


def lang(element: Element, default: str | None = None) -> str | None:
    value = element.get(XML_LANG)
    return value.strip() if value and value.strip() else default


def read_date(element: Element, path: str, found: Findings) -> DateValue | None:
    """A JATS ``<date>``/``<pub-date>`` (day, month, year children, or ``iso-8601-date``)."""
    iso = element.get("iso-8601-date")
    year_text = child_text(element, "year")
    month_text = child_text(element, "month")
    day_text = child_text(element, "day")
    if not year_text and iso:
        parts = iso.split("-")
        year_text = parts[0]
        month_text = parts[1] if len(parts) > 1 else None
        day_text = parts[2][:2] if len(parts) > 2 else None
    if not year_text:
        found.note(path, "date without a year; left out", text(element))
        return None
    try:
        month = _month(month_text)
        return DateValue(int(year_text), month, int(day_text) if day_text and month else None)
    except ValueError as exc:
        found.note(path, f"impossible date left out ({exc})",
                   "-".join(p for p in (year_text, month_text, day_text) if p),
                   hint="check the date in the XML", severity="warning")
        return None


_MONTHS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _month(value: str | None) -> int | None:
    if not value:
        return None
    if value.isdigit():
        return int(value)
    number = _MONTHS.get(value[:3].lower())
    if number is None:
        raise ValueError(f"month {value!r} is not understood")
    return number


def element_path(element: Element) -> str:
    """``front/article-meta/counts`` style path (local names, no indexes), for ``unmapped``."""
    names: list[str] = []
    node = element
    while node is not None and isinstance(node.tag, str) and node.getparent() is not None:
        names.append(node.tag)
        node = node.getparent()
    return "/".join(reversed(names))
