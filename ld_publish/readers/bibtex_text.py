"""BibTeX text and names: LaTeX to Unicode, and ``author``/``editor`` fields to people."""

from __future__ import annotations

import re
import unicodedata

from pylatexenc.latex2text import LatexNodes2Text

from ..model import Contributor, ContributorRole
from .common import Findings
from .markup import normalize_space

__all__ = ["latex_to_text", "read_person", "split_bibtex_names", "split_top", "verbatim"]

_ESCAPE = re.compile(r"\\([_%&#$])")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_LATEX = LatexNodes2Text(math_mode="verbatim", keep_comments=True,
                         strict_latex_spaces=False)


def latex_to_text(value: str) -> str:
    """LaTeX accents, escapes and protection braces to NFC Unicode text, spaces collapsed."""
    try:
        text = _LATEX.latex_to_text(value)
    except Exception:  # pylatexenc is lenient, but a parser bug must not lose the record
        text = value.replace("{", "").replace("}", "")
    return normalize_space(unicodedata.normalize("NFC", text))


def verbatim(value: str) -> str:
    return normalize_space(_ESCAPE.sub(r"\1", value).replace("{", "").replace("}", ""))


def split_bibtex_names(value: str) -> list[str]:
    """The names of an ``author``/``editor`` field, split on ``and`` outside braces."""
    names: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            match = _AND.match(value, i)
            if match and i > start:
                names.append(value[start:i].strip())
                start = i = match.end()
                continue
        i += 1
    names.append(value[start:].strip())
    return [n for n in names if n]


def read_person(raw: str, position: int, role: ContributorRole, path: str,
            findings: Findings) -> Contributor:
    stripped = raw.strip()
    if stripped.startswith("{") and stripped.endswith("}") and _balanced(stripped[1:-1]):
        # A fully braced name is BibTeX's way of writing a corporate author.
        return Contributor(latex_to_text(stripped), position, role, "organization")
    name = latex_to_text(stripped)
    parts = [latex_to_text(p) for p in split_top(stripped, ",")]
    given: str | None
    family: str | None
    if len(parts) == 1:
        words = name.split(" ")
        family = words[-1] if words else None
        given = " ".join(words[:-1]) or None
        # Lower-case words before the last name are the "von" part, which belongs to it.
        lead = [w for w in words[:-1]]
        while lead and lead[-1][:1].islower():
            family = f"{lead.pop()} {family}"
        given = " ".join(lead) or None
    elif len(parts) in (2, 3):
        family = parts[0] or None
        given = parts[-1] or None
        if len(parts) == 3 and parts[1]:
            family = f"{family} {parts[1]}" if family else parts[1]
    else:
        findings.notice(path, "the name has more commas than BibTeX allows; it may hold "
                        "several people", raw, "separate people with ' and '")
        given = family = None
    return Contributor(name, position, role, "person", given, family)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
    return depth == 0


def split_top(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts
