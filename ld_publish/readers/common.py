"""Helpers the citation-format readers share (BibTeX, RIS, CSL-JSON, DataCite, Schema.org).

A :class:`Findings` collects the notices and unmapped field paths of one record while a reader
maps it; the identifier and date helpers put a bad value into a :class:`~ld_publish.model.Notice`
instead of the record, so nothing is changed or dropped silently.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, Location
from ..model import DateValue, Identifier, Notice, Pages, Severity, Text
from ..sources import InputSource
from .identify import identifier
from .jsondepth import loads_bounded
from .markup import has_markup, markup_to_text, normalize_space

__all__ = [
    "Findings",
    "classify_json",
    "json_head",
    "looks_like_organization",
    "parse_date",
    "split_pages",
    "split_person_name",
    "stable_key",
]


@dataclass
class Findings:
    """Notices and unmapped field paths of the record being read."""

    notices: list[Notice] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    def notice(self, field_path: str, message: str, value: object = None,
               hint: str | None = None, severity: Severity = "warning") -> None:
        shown = None if value is None else (value if isinstance(value, str) else _short(value))
        self.notices.append(Notice(field_path, message, shown, hint, severity))

    def leave(self, field_path: str) -> None:
        if field_path not in self.unmapped:
            self.unmapped.append(field_path)

    # --- identifiers -------------------------------------------------------------------------
    # These formats' readers report an invalid identifier as a warning (as a bad ORCID iD
    # always was here); the record keeps everything else. A work's own malformed DOI is a
    # violation: it would name the work.

    def ident(self, scheme: str, value: object, field_path: str, *,
              severity: Severity = "warning", qualifier: str | None = None,
              original: str | None = None) -> Identifier | None:
        """Any scheme's identifier, through the readers' one identifier check."""
        return identifier(scheme, value, field_path, self.notices, severity=severity,
                          qualifier=qualifier, original=original)

    def doi(self, value: object, field_path: str, *, severity: Severity = "violation",
            ) -> Identifier | None:
        ident = self.ident("doi", value, field_path, severity=severity)
        if ident is not None and ident.original and not _same_doi_spelling(ident):
            self.notice(field_path, "DOI prefix or URL form removed",
                        ident.original, "write the bare DOI (10.xxxx/...)", "info")
        return ident

    def orcid(self, value: object, field_path: str) -> Identifier | None:
        return self.ident("orcid", value, field_path)

    def ror(self, value: object, field_path: str) -> Identifier | None:
        return self.ident("ror", value, field_path)

    def issn(self, value: object, field_path: str, qualifier: str | None = None,
             ) -> Identifier | None:
        return self.ident("issn", value, field_path, qualifier=qualifier)

    def isbn(self, value: object, field_path: str) -> Identifier | None:
        return self.ident("isbn", value, field_path)

    def funder(self, value: object, field_path: str) -> Identifier | None:
        """A Crossref Funder Registry id (DOI 10.13039/..., or the bare number)."""
        return self.ident("crossref-funder", value, field_path)

    # --- text --------------------------------------------------------------------------------

    def text(self, value: object, field_path: str, lang: str | None = None) -> Text | None:
        clean = self.clean(value, field_path)
        return Text(clean, lang or None) if clean else None

    def clean(self, value: object, field_path: str) -> str | None:
        """NFC text with white space collapsed; markup and entities turned into text, noted."""
        if value is None:
            return None
        if not isinstance(value, str):
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
            self.notice(field_path, "expected text; left out", value)
            return None
        text = unicodedata.normalize("NFC", value)
        if has_markup(text):
            cleaned = unicodedata.normalize("NFC", markup_to_text(text, field=field_path))
            if cleaned != normalize_space(text):
                self.notice(field_path, "markup or character entities turned into plain text",
                            value, severity="info")
            return cleaned or None
        return normalize_space(text) or None

    def date(self, value: object, field_path: str) -> DateValue | None:
        return parse_date(value, field_path, self)


def _same_doi_spelling(ident: Identifier) -> bool:
    # Only the case differs (DOIs are case-insensitive), or the source only padded the DOI
    # with something the check reports itself: no prefix was removed.
    if ident.original is None:
        return True
    return not re.match(r"\s*(?:doi:|https?:|info:doi/|urn:doi:|(?:dx\.|www\.)?doi\.org/)",
                        ident.original, re.IGNORECASE)


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


# --- dates -----------------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^(?P<y>[0-9]{4})(?:[-/](?P<m>[0-9]{1,2})?(?:[-/](?P<d>[0-9]{1,2})?)?)?/?"
    r"(?:[T ](?P<t>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)"
    r"(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2})?)?(?P<rest>/.*)?$")


def parse_date(value: object, field_path: str, findings: Findings) -> DateValue | None:
    """An ISO-like date ("2014", "2014-02", "2014/02/11/", "2014///", date-time) or CSL
    date-parts list; an impossible date keeps what is certain and says so."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, list):
        return _date_parts(value, field_path, findings)
    if not isinstance(value, str):
        findings.notice(field_path, "not a date; left out", value)
        return None
    text = value.strip()
    match = _DATE_RE.match(text)
    if not match:
        findings.notice(field_path, "not a date this reader understands; left out", value,
                        "write dates as YYYY, YYYY-MM or YYYY-MM-DD")
        return None
    if match.group("rest") and match.group("rest").strip("/"):
        findings.notice(field_path, "text after the date ignored", value, severity="info")
    parts = [int(match.group("y"))]
    for name in ("m", "d"):
        if match.group(name) is None:
            break
        parts.append(int(match.group(name)))
    time_text, tz_text = match.group("t"), match.group("tz")
    return _build(parts, time_text, tz_text, value, field_path, findings)


def _date_parts(parts: list[Any], field_path: str, findings: Findings) -> DateValue | None:
    numbers: list[int] = []
    for index, part in enumerate(parts[:3]):
        if part is None or part == "":
            if index == 0:
                findings.notice(field_path, "date has no year; left out", parts)
                return None
            findings.notice(f"{field_path}[{index}]", "empty date part; date kept to the "
                            "parts before it", parts, severity="info")
            break
        try:
            numbers.append(int(part))
        except (TypeError, ValueError):
            findings.notice(field_path, "date part is not a number; date kept to the parts "
                            "before it", parts)
            if not numbers:
                return None
            break
    if not numbers:
        return None
    return _build(numbers, None, None, parts, field_path, findings)


def _build(parts: list[int], time_text: str | None, tz_text: str | None, value: object,
           field_path: str, findings: Findings) -> DateValue | None:
    year = parts[0]
    month = parts[1] if len(parts) > 1 else None
    day = parts[2] if len(parts) > 2 else None
    if month is not None and not 1 <= month <= 12:
        findings.notice(field_path, f"impossible month {month}; only the year is kept", value,
                        "check the date in the source", "violation")
        return DateValue(year)
    if day is not None:
        try:
            _dt.date(year, month or 1, day)
        except ValueError:
            findings.notice(field_path, f"impossible date (day {day} does not exist in "
                            f"{year}-{month:02d}); only year and month are kept", value,
                            "check the date in the source", "violation")
            return DateValue(year, month)
    time = None
    tz = None
    if time_text and day is not None:
        hms = [int(float(x)) for x in time_text.split(":")]
        try:
            time = _dt.time(hms[0], hms[1], hms[2] if len(hms) > 2 else 0)
        except ValueError:
            findings.notice(field_path, "impossible time of day; only the date is kept", value)
        if time is not None and tz_text:
            if tz_text == "Z":
                tz = 0
            else:
                sign = -1 if tz_text[0] == "-" else 1
                digits = tz_text[1:].replace(":", "")
                tz = sign * (int(digits[:2]) * 60 + int(digits[2:]))
    return DateValue(year, month, day, time, tz if time is not None else None)


MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), 1) for name in names}


# --- names -----------------------------------------------------------------------------------

_ORG_WORDS = re.compile(
    r"\b(?:universit\w*|institut\w*|college|school|academy|consortium|collaboration|"
    r"group|organi[sz]ation|association|society|committee|council|foundation|agency|"
    r"ministry|department|cent(?:er|re)|laborator\w*|inc|ltd|llc|gmbh|corporation|"
    r"company|project|network|initiative|team|office|bureau|board|federation|union|"
    r"alliance|collective|investigators|working party|task force|service|library|museum|trust)\b",
    re.IGNORECASE)


def looks_like_organization(name: str) -> bool:
    """True only for names with an unmistakable organisation word ("Consortium", "Institute");
    two- or three-word personal names never match, so a person is not turned into an org."""
    return bool(_ORG_WORDS.search(name))


def split_person_name(name: str) -> tuple[str | None, str | None]:
    """(given, family) for "Family, Given"; None parts when the split would be a guess."""
    if name.count(",") == 1:
        family, given = (p.strip() for p in name.split(","))
        return (given or None), (family or None)
    return None, None


def several_people(name: str) -> bool:
    """A name field that lists more than one person ("Smith, J.; Doe, J.", "A and B")."""
    return ";" in name or name.count(",") >= 3 or bool(re.search(r"\s(?:and|&)\s", name))


# --- pages, keys, JSON sniffing --------------------------------------------------------------

def split_pages(text: str) -> Pages:
    return Pages.from_text(text)


def stable_key(prefix: str, raw: str) -> str:
    """A key from the record's own text when it has neither DOI nor a source key."""
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
    return f"{prefix}:sha256-{digest}"


def load_json(source: InputSource, what: str = "JSON") -> tuple[Any, bool]:
    """The whole source parsed as JSON, and whether a value was cut for its depth (see
    :func:`.jsondepth.loads_bounded`); a clear InputError with the line when it is no JSON."""
    text = source.read_text()
    try:
        return loads_bounded(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno}",
                         hint=f"check the file is complete {what}",
                         where=Location(file=source.label, line=exc.lineno)) from None


def first_line_is_json(content: str | InputSource) -> bool:
    """Whether the first non-empty line of a text or a source is JSON on its own: a file that
    fails as one JSON document with "Extra data" is then JSON Lines."""
    if isinstance(content, str):
        first = next((line for line in content.splitlines() if line.strip()), "")
    else:
        first = next((line.text for line in content.lines() if line.text.strip()), "")
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    return True


def json_head(head: bytes) -> tuple[Any, set[str]]:
    """The parsed head (or None when it is cut off or not JSON) and the object keys it names."""
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return None, set()
    keys = set(re.findall(r'"([^"\\]{1,64})"\s*:', text))
    try:
        return json.loads(text), keys
    except (ValueError, RecursionError):
        return None, keys


_CROSSREF_KEYS = frozenset({"message-type", "reference-count", "references-count", "indexed",
                            "deposited", "content-domain", "is-referenced-by-count", "member",
                            "short-container-title", "issn-type", "published-print",
                            "published-online"})
# The item types of the CSL 1.0.2 specification. Crossref and ld-publish say
# "journal-article", CSL says "article-journal": the type tells the formats apart.
CSL_TYPES = frozenset({
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage"})
_CSL_KEYS = frozenset({"issued", "container-title", "date-parts", "collection-title",
                       "citation-key", "event-place", "publisher-place", "number-of-pages"})
_DATACITE_KEYS = frozenset({"creators", "resourceTypeGeneral", "publicationYear",
                            "relatedIdentifiers", "rightsList", "fundingReferences",
                            "schemaVersion", "descriptions"})


def classify_json(head: bytes) -> str | None:
    """Which JSON dialect the head looks like: crossref, csl, datacite, schemaorg, native."""
    doc, keys = json_head(head)
    first = doc[0] if isinstance(doc, list) and doc else doc
    if isinstance(first, dict) and "data" in first and isinstance(first["data"], dict | list):
        inner = first["data"]
        first = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(first, dict) and isinstance(first.get("attributes"), dict):
            first = first["attributes"]
    if not keys:
        return None
    if (isinstance(first, dict) and first.get("format") == "ld-publish/1") \
            or '"ld-publish/1"' in head.decode("utf-8", "ignore"):
        return "native"
    if "@context" in keys or "@type" in keys or "@graph" in keys:
        return "schemaorg"
    if "message" in keys and ("message-type" in keys or "status" in keys):
        return "crossref"
    if len(keys & _CROSSREF_KEYS) >= 2:
        return "crossref"
    if "attributes" in keys or len(keys & _DATACITE_KEYS) >= 2 or (
            "types" in keys and "creators" in keys):
        return "datacite"
    if "key" in keys and ("title" in keys or "contributors" in keys):
        return "native"
    # Only a string can be a CSL type (a hostile "type" may be a list or an object).
    csl_type = isinstance(first, dict) and isinstance(first.get("type"), str) \
        and first["type"] in CSL_TYPES
    if not isinstance(first, dict):
        csl_type = bool(re.search(rb'"type"\s*:\s*"(?:article-journal|post-weblog|'
                                  rb'paper-conference|chapter|book|report|thesis|webpage|'
                                  rb'dataset)"', head))
    if csl_type and (keys & _CSL_KEYS or "author" in keys or "title" in keys):
        return "csl"
    return None


def first_str(values: Iterable[object]) -> str | None:
    return next((v for v in values if isinstance(v, str) and v.strip()), None)
