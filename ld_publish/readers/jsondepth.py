"""JSON parsed with the nesting limit: a value nested too deep fails its record, not its file.

``json.loads`` recurses once per level and raises ``RecursionError`` near 1,000 levels, which
ended the whole source (a list of a thousand good works lost to one deep value), and documents
a few hundred levels deep still broke the readers' own recursive walks. :func:`loads_bounded`
parses any depth: values nested deeper than :attr:`Limits.nesting_depth
<ld_publish.limits.Limits.nesting_depth>` are replaced by a marker (in the text when the parser
cannot go that deep, in the parsed document otherwise), and :func:`too_deep` turns a record
holding the marker into a ``Rejected`` that names the field and the limit.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from typing import Any

from ..limits import active
from ..model import Rejected, Source

__all__ = ["bound_depth", "loads_bounded", "too_deep"]

#: What stands in for a value nested past the limit. A JSON string could spell any fixed text
#: (NUL included, as \u0000), so the marker carries a number drawn for this process.
TOO_DEEP = f"\x00ld-publish: nested past the limit {secrets.token_hex(8)}\x00"

# A string token (escapes included) or a bracket: what the depth scan of the text needs.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def loads_bounded(text: str, loads: Callable[[str], Any] = json.loads,
                  limit: int | None = None) -> tuple[Any, bool]:
    """``loads(text)`` with every value deeper than ``limit`` (the run's nesting-depth limit
    by default) replaced by the marker, and whether any was. Raises what ``loads`` raises for
    text that is no JSON."""
    limit = active().nesting_depth if limit is None else limit
    try:
        document = loads(text)
        cut_in_text = False
    except RecursionError:
        document = loads(_cut_text(text, limit))
        cut_in_text = True
    document, cut = bound_depth(document, limit)
    return document, cut or cut_in_text


def _cut_text(text: str, limit: int) -> str:
    out: list[str] = []
    depth = 0
    last = 0
    start: int | None = None
    marker = json.dumps(TOO_DEEP)
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth == limit + 1:
                start = match.start()
        elif token in ("]", "}"):
            if depth == limit + 1 and start is not None:
                out += (text[last:start], marker)
                last, start = match.end(), None
            depth -= 1
    # Cut off inside a deep value: what is left is no JSON, and loads says where.
    out.append(text[last:] if start is None else text[last:start])
    return "".join(out)


def bound_depth(document: Any, limit: int | None = None) -> tuple[Any, bool]:
    """``document`` (parsed JSON or YAML) with values deeper than ``limit`` (the run's
    nesting-depth limit by default) replaced by the marker, in place, and whether any was."""
    limit = active().nesting_depth if limit is None else limit
    if not isinstance(document, dict | list):
        return document, False
    cut = False
    # Iterative: the readers' own walks recurse, this one must not.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        keys = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            child = node[key]
            if isinstance(child, dict | list):
                if depth >= limit:
                    node[key] = TOO_DEEP
                    cut = True
                else:
                    stack.append((child, depth + 1))
    return document, cut


def _marker_path(item: Any) -> str | None:
    """The field path (``author[2].affiliation``) of the first marker in ``item``."""
    stack: list[tuple[Any, str]] = [(item, "")]
    while stack:
        node, path = stack.pop()
        if node == TOO_DEEP:
            return path or None
        if isinstance(node, dict):
            stack += [(v, f"{path}.{k}" if path else str(k)) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, f"{path}[{i}]") for i, v in enumerate(node)]
    return None


def too_deep(item: Any, source: Source, raw: str | Callable[[], str]) -> Rejected | None:
    """A ``Rejected`` for ``item`` when it holds a value cut for its depth, else ``None``.
    ``raw`` is the record's text, or what makes it (only a rejected record needs it)."""
    if item == TOO_DEEP:
        path: str | None = "(the record itself)"
    else:
        path = _marker_path(item)
        if path is None:
            return None
    line = f"line {source.line}: " if source.line is not None else ""
    return Rejected(source, f"{line}a value is nested deeper than the limit "
                    f"{active().describe('nesting_depth')} levels",
                    raw if isinstance(raw, str) else raw(), path,
                    "no metadata field nests this deep; check how the file was produced (raise "
                    "the limit with --limit nesting-depth=N if the data is genuine)")
