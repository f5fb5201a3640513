"""What every text of a record goes through before it becomes a literal: one place, whatever
the reader, so two spellings of one name become one literal and no output carries characters
that break the tools consumers read it with.

==========================================  ======================================  ========
found in a text                              what happens                            notice
==========================================  ======================================  ========
decomposed characters (``Mu\\u0308ller``)    normalised to NFC (``Müller``)           info
line/paragraph separators (U+2028, U+2029,  replaced by a newline: ``str.splitlines``  warning
U+0085 NEL)                                  and many line tools split there
other control characters (C0 but tab, LF,   removed: no vocabulary gives them a      warning
CR; DEL; C1 such as U+009B)                  meaning, terminals act on them
bidirectional controls (U+202A–U+202E,      kept, reported: they reorder how text    warning
U+2066–U+2069, U+200E, U+200F, U+061C)       displays (a "Trojan source" title)
zero-width characters (U+200B–U+200D,       kept, reported: invisible, they make     warning
U+2060, U+FEFF)                              equal-looking values differ
likely mojibake (``RÃ¼diger``)              kept, reported with the repaired text    warning
==========================================  ======================================  ========

Bidi and zero-width characters are kept because real text needs them (right-to-left names,
Persian joiners); the report lets a person decide.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import Notice, Severity

__all__ = ["SUSPECT", "clean_text"]

_LINE_SEPARATORS = "\u2028\u2029\u0085"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
# UTF-8 read as Windows-1252 or Latin-1: a lead byte's character (Â-ô) followed by
# continuation bytes' (U+0080-U+00BF, or what Windows-1252 puts at 0x80-0x9F).
_CONTINUATION = ("[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                 "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
                 "\u20ac\u2122]")
_MOJIBAKE_PAIR = f"[\u00c2-\u00f4]{_CONTINUATION}"
# What makes a text worth a closer look (callers may add to it; see GraphBuilder.literal).
SUSPECT = f"[{_LINE_SEPARATORS}{_CONTROLS}{_BIDI}{_ZERO_WIDTH}]|{_MOJIBAKE_PAIR}"
_SUSPECT = re.compile(SUSPECT)
_LINE_SEPARATOR = re.compile(f"[{_LINE_SEPARATORS}]")
_CONTROL = re.compile(f"[{_CONTROLS}]")
_BIDI_CHAR = re.compile(f"[{_BIDI}]")
_ZERO_WIDTH_CHAR = re.compile(f"[{_ZERO_WIDTH}]")
_MOJIBAKE_RUN = re.compile(f"[\u00c2-\u00f4]{_CONTINUATION}{{1,3}}")


@dataclass(frozen=True, slots=True)
class _Finding:
    severity: Severity
    message: str
    hint: str


def clean_text(value: str, field: str) -> tuple[str, list[Notice]]:
    """``value`` as it may be published, and what was done to it or found in it."""
    if _SUSPECT.search(value) is None and (value.isascii()
                                           or unicodedata.is_normalized("NFC", value)):
        return value, []  # nearly every text: two scans in C
    text = value
    found: list[_Finding] = []
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        found.append(_Finding("info", "text normalised to NFC (decomposed characters "
                                      "composed)", "nothing to do; the source spells the same "
                                                   "text with combining characters"))
    if _LINE_SEPARATOR.search(text):
        found.append(_Finding(
            "warning", f"line separator {_code_points(_LINE_SEPARATOR, text)} replaced by a "
                       "newline", "use a plain newline in the source"))
        text = _LINE_SEPARATOR.sub("\n", text)
    if _CONTROL.search(text):
        found.append(_Finding(
            "warning", f"control character {_code_points(_CONTROL, text)} removed",
            "control characters have no place in metadata text; check how the source was "
            "extracted or converted"))
        text = _CONTROL.sub("", text)
    if _BIDI_CHAR.search(text):
        found.append(_Finding(
            "warning", f"bidirectional control {_code_points(_BIDI_CHAR, text)} in the text: "
                       "it changes the order in which the text is displayed",
            "remove it unless the text mixes right-to-left and left-to-right writing and "
            "needs it"))
    if _ZERO_WIDTH_CHAR.search(text):
        found.append(_Finding(
            "warning", f"invisible zero-width character {_code_points(_ZERO_WIDTH_CHAR, text)} "
                       "in the text: equal-looking values will not match",
            "remove it unless the script needs it (e.g. a Persian zero-width non-joiner)"))
    repaired = _repair_mojibake(text)
    if repaired is not None:
        found.append(_Finding(
            "warning", f"likely mojibake (UTF-8 read as Latin-1): did the source mean "
                       f"{repaired[:120]!r}?",
            "fix the encoding where the text was converted; ld-publish kept it as it is"))
    return text, [Notice(field=field, message=f.message, value=value[:200], hint=f.hint,
                         severity=f.severity) for f in found]


def _code_points(pattern: re.Pattern[str], text: str) -> str:
    points = sorted({f"U+{ord(ch):04X}" for ch in pattern.findall(text)})
    return ", ".join(points[:5]) + (" ..." if len(points) > 5 else "")


def _repair_mojibake(text: str) -> str | None:
    """The text with every run that decodes as UTF-8 once re-encoded repaired; None when none
    does (a real "Â·" or "Ã©" that is not mojibake stays unreported only if it decodes to
    nothing)."""
    repaired = _MOJIBAKE_RUN.sub(_repair_run, text)
    return repaired if repaired != text else None


def _repair_run(match: re.Match[str]) -> str:
    run = match.group()
    for encoding in ("cp1252", "latin-1"):
        try:
            return run.encode(encoding).decode("utf-8")
        except UnicodeError:
            continue
    return run
