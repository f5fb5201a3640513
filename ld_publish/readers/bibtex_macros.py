"""BibTeX field values as BibTeX means them: ``{...}`` and ``"..."`` pieces, numbers and
``@string`` macro names, joined by ``#``.

bibtexparser hands the value over as written (``{Good} # " one"``, ``b # a``) and its own
middleware only replaces a value that is a macro name and nothing else, so a concatenation, a
macro that refers to another or to itself, reached the record as text. Here a value is
expanded in full; a macro that refers back to itself, a chain of macros deeper than the
nesting limit, or an expansion longer than the string limit is an error of the entry that
uses it (a :class:`RecordError` naming the field), and only that entry is quarantined.

Macros are expanded when an entry uses them, from the definitions met above the entry (as
BibTeX reads them); a name defined nowhere is kept as text, as BibTeX users expect from
journal abbreviations defined in another file, and the reader says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Location, RecordError
from ..limits import DEFAULT_LIMITS, Limits

__all__ = ["MacroTable", "expand_value"]

# The month macros every standard BibTeX style defines.
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
PREDEFINED = {name[:3]: name.capitalize() for name in _MONTHS}
_BARE_END = frozenset(' \t\r\n#{}",=()')


@dataclass
class MacroTable:
    """The ``@string`` definitions met so far: name (lower case) -> value as written."""

    raw: dict[str, str] = field(default_factory=dict)
    _done: dict[str, str] = field(default_factory=dict)

    def define(self, name: str, value: str) -> None:
        self.raw[name.lower()] = value
        self._done.clear()  # an expansion may have used the old value


@dataclass
class _Expansion:
    table: MacroTable
    field: str
    limits: Limits
    undefined: list[str]

    def fail(self, message: str, hint: str) -> RecordError:
        return RecordError(message, hint=hint,
                           where=Location(field=self.field))

    def value(self, text: str, chain: tuple[str, ...]) -> str:
        out: list[str] = []
        size = 0
        for kind, piece in _pieces(text):
            if kind == "bad":
                raise self.fail(f"the value {_short(text)} is not BibTeX: {piece}",
                                "write {text}, \"text\", a number or a @string name, joined "
                                "by #")
            if kind == "name":
                piece = self.macro(piece, chain)
            size += len(piece)
            if size > self.limits.string_chars:
                raise self.fail(
                    "the @string macros expand past the limit "
                    f"{self.limits.describe('string_chars')} characters",
                    "macros that repeat each other double the text at each step; define "
                    "the text once")
            out.append(piece)
        return "".join(out)

    def macro(self, name: str, chain: tuple[str, ...]) -> str:
        key = name.lower()
        done = self.table._done
        if key in done:
            return done[key]
        if key in chain:
            loop = " → ".join((*chain[chain.index(key):], key))
            raise self.fail(f"the @string macro '{name}' refers to itself ({loop})",
                            "give the @string a value that does not refer back to itself")
        if len(chain) >= self.limits.nesting_depth:
            raise self.fail(
                f"@string macros refer to each other deeper than the limit "
                f"{self.limits.describe('nesting_depth')} (from '{chain[0]}')",
                "define the macro with its text instead of a long chain of macros")
        if key not in self.table.raw:
            if key in PREDEFINED:
                return PREDEFINED[key]
            if name not in self.undefined:
                self.undefined.append(name)
            return name
        result = self.value(self.table.raw[key], (*chain, key))
        done[key] = result
        return result


def expand_value(text: str, table: MacroTable, field_name: str,
                 limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[str]]:
    """``text`` with its pieces joined and macros replaced, and the undefined macro names
    it kept as text. Raises :class:`RecordError` (naming ``field_name``) when it cannot be
    expanded."""
    expansion = _Expansion(table, field_name, limits, [])
    return expansion.value(text, ()), expansion.undefined


def _pieces(text: str) -> list[tuple[str, str]]:
    """(kind, text) for each ``#``-joined piece: ``text`` (braces or quotes taken off),
    ``name`` (a macro), or ``bad`` with what is wrong."""
    pieces: list[tuple[str, str]] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return pieces or [("text", "")]
        ch = text[pos]
        if ch == "{":
            close = _closing_brace(text, pos)
            if close < 0:
                return [("bad", "a '{' is not closed")]
            pieces.append(("text", text[pos + 1: close]))
            pos = close + 1
        elif ch == '"':
            close = _closing_quote(text, pos)
            if close < 0:
                return [("bad", "a '\"' is not closed")]
            pieces.append(("text", text[pos + 1: close]))
            pos = close + 1
        else:
            start = pos
            while pos < end and text[pos] not in _BARE_END:
                pos += 1
            word = text[start:pos]
            if not word:
                return [("bad", f"unexpected {text[pos]!r}")]
            pieces.append(("text" if word.isdigit() else "name", word))
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return pieces
        if text[pos] != "#":
            return [("bad", f"unexpected {text[pos]!r} where '#' or the end belongs")]
        pos += 1


def _closing_brace(text: str, start: int) -> int:
    # BibTeX counts every brace, escaped or not: \{ inside a value must be balanced too.
    depth = 0
    for index in range(start, len(text)):
        ch = text[index]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _closing_quote(text: str, start: int) -> int:
    # Inside quotes a '"' within braces is text (BibTeX's way to write a quote character).
    depth = 0
    for index in range(start + 1, len(text)):
        ch = text[index]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == '"' and depth == 0:
            return index
    return -1


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")
