"""Value helpers for the Crossref reader: dates, DOIs, text lists, and the notice collector."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..model import DateValue, Identifier, Notice, Severity
from .identify import identifier
from .markup import has_markup, markup_to_text, normalize_space

_DOI_URL = re.compile(r"^\s*(?:https?://|doi:|info:doi/|urn:doi:)", re.IGNORECASE)


@dataclass
class Findings:
    """What the reader noticed and what it left behind, collected while mapping one record."""

    notices: list[Notice] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    def note(self, path: str, message: str, value: object = None, *, hint: str | None = None,
             severity: Severity = "warning") -> None:
        shown = None if value is None else str(value)
        self.notices.append(Notice(path, message, shown, hint, severity))

    def leave(self, path: str) -> None:
        if path not in self.unmapped:
            self.unmapped.append(path)

    def ident(self, scheme: str, value: object, path: str, *, severity: Severity = "violation",
              qualifier: str | None = None, original: str | None = None) -> Identifier | None:
        """Any scheme's identifier, through the readers' one identifier check. Crossref and
        JATS records are quarantined for an invalid identifier of their own, as for a bad
        ORCID iD; references and related items pass ``warning``."""
        return identifier(scheme, value, path, self.notices, severity=severity,
                          qualifier=qualifier, original=original)


def text_of(value: Any, path: str, found: Findings) -> str | None:
    """A string field, markup and entities cleaned (with a notice), blanks as ``None``."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    if has_markup(value):
        clean = markup_to_text(value, field=path)
        found.note(path, "markup or HTML entities removed", value, severity="info")
        value = clean
    cleaned = normalize_space(value)
    return cleaned or None


def first_text(value: Any, path: str, found: Findings) -> str | None:
    """First non-empty entry of a Crossref string list (``title``, ``container-title``)."""
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        text = text_of(item, f"{path}[{index}]", found)
        if text:
            return text
    return None


def all_texts(value: Any, path: str, found: Findings) -> list[str]:
    items = value if isinstance(value, list) else [value]
    texts = [text_of(item, f"{path}[{i}]", found) for i, item in enumerate(items)]
    return [t for t in texts if t]


def doi_identifier(value: Any, path: str, found: Findings, severity: Severity = "warning",
                   scheme: str = "doi") -> Identifier | None:
    """A normalised DOI identifier (or Funder Registry id, which is a DOI); URL/``doi:``
    spellings noted, bad ones reported and dropped."""
    if not isinstance(value, str) or not value.strip():
        return None
    doi = found.ident(scheme, value, path, severity=severity)
    if doi is not None and _DOI_URL.match(value):
        found.note(path, "DOI written as a URL or with a prefix; prefix removed", value,
                   severity="info")
    return doi


def date_value(obj: Any, path: str, found: Findings, *, with_time: bool = False
               ) -> DateValue | None:
    """A Crossref date object (``date-parts`` and optional ``date-time``) as a DateValue.

    Impossible dates (``2015-02-29``) and empty parts (``[[null]]``, ``[[]]``) are dropped with a
    notice naming the field.
    """
    if obj is None:
        return None
    parts_field = obj.get("date-parts") if isinstance(obj, dict) else None
    parts = parts_field[0] if isinstance(parts_field, list) and parts_field else None
    if not isinstance(parts, list) or not parts or parts[0] is None:
        found.note(path, "date has no year (empty date-parts); date left out",
                   _short(obj), severity="warning")
        return None
    try:
        numbers = [int(p) for p in parts[:3] if p is not None]
        year = numbers[0]
        month = numbers[1] if len(numbers) > 1 else None
        day = numbers[2] if len(numbers) > 2 else None
        value = DateValue(year, month, day)
    except (TypeError, ValueError) as exc:
        found.note(path, f"impossible date {parts!r} left out ({exc})", _short(obj),
                   hint="check the date in the Crossref deposit", severity="warning")
        return None
    stamp = obj.get("date-time")
    if with_time and day is not None and isinstance(stamp, str):
        try:
            moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            found.note(f"{path}.date-time", "unreadable date-time; date kept without time",
                       stamp, severity="info")
            return value
        if moment.date() == dt.date(year, month or 1, day):
            offset = moment.utcoffset()
            tz = int(offset.total_seconds() // 60) if offset is not None else None
            return DateValue(year, month, day, moment.time().replace(tzinfo=None), tz)
    return value


def iso_date(text: Any, path: str, found: Findings) -> DateValue | None:
    """A ``YYYY[-MM[-DD]]`` string (Crossref ``assertion`` values)."""
    if not isinstance(text, str):
        return None
    match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not match:
        found.note(path, "unreadable date left out", text)
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        return DateValue(year or 0, month, day)
    except ValueError as exc:
        found.note(path, f"impossible date left out ({exc})", text)
        return None


def _short(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 200 else text[:197] + "..."
