"""Schema.org microdata (``itemscope``/``itemtype``/``itemprop``) as JSON-LD-shaped nodes.

The ``html`` reader maps a microdata item exactly as a JSON-LD node, through the
``schema-org`` reader's node mapping: this module only turns the markup into that shape
(``{"@type": ..., "name": ..., "author": [{...}]}``). Only schema.org types are taken; item
references (``itemref``) are not followed.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["microdata_items"]

_SCHEMA_TYPE = re.compile(r"^https?://(?:www\.)?schema\.org/([A-Za-z]+)$")
# Where an element keeps its value when it is not its text (the HTML microdata algorithm).
_VALUE_ATTRS = {"meta": "content", "a": "href", "link": "href", "area": "href",
                "img": "src", "audio": "src", "video": "src", "source": "src",
                "iframe": "src", "embed": "src", "object": "data", "time": "datetime",
                "data": "value", "meter": "value"}
#: Items nested deeper than this are cut off: real pages nest three or four levels.
MAX_DEPTH = 16


def microdata_items(root: Any) -> list[dict[str, Any]]:
    """Every top-level schema.org item of the page, in document order."""
    items: list[dict[str, Any]] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.get("itemscope") is None:
            continue
        if element.get("itemprop") is not None and _has_scope_ancestor(element):
            continue  # a property of another item, read with it
        item = _item(element, 0)
        if item.get("@type"):
            items.append(item)
    return items


def _has_scope_ancestor(element: Any) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.get("itemscope") is not None:
            return True
        parent = parent.getparent()
    return False


def _item(element: Any, depth: int) -> dict[str, Any]:
    types = [m.group(1) for t in (element.get("itemtype") or "").split()
             if (m := _SCHEMA_TYPE.match(t))]
    item: dict[str, Any] = {"@type": types[0] if len(types) == 1 else types} if types else {}
    if element.get("itemid"):
        item["@id"] = element.get("itemid").strip()
    for prop, value in _properties(element, depth):
        if prop in item:
            existing = item[prop]
            item[prop] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            item[prop] = value
    return item


def _properties(scope: Any, depth: int) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    stack = list(reversed([c for c in scope if isinstance(c.tag, str)]))
    while stack:
        element = stack.pop()
        names = (element.get("itemprop") or "").split()
        nested = element.get("itemscope") is not None
        if names:
            if nested:
                value: Any = _item(element, depth + 1) if depth < MAX_DEPTH else None
            else:
                value = _value(element)
            if value not in (None, "", {}):
                found.extend((name.rsplit("/", 1)[-1], value) for name in names)
        if not nested:
            stack.extend(reversed([c for c in element if isinstance(c.tag, str)]))
    return found


def _value(element: Any) -> str | None:
    attr = _VALUE_ATTRS.get(str(element.tag).lower())
    if attr and element.get(attr) is not None:
        return str(element.get(attr)).strip() or None
    if element.get("content") is not None:
        return str(element.get("content")).strip() or None
    return " ".join(element.text_content().split()) or None
