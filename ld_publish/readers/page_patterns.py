"""The article-page format's patterns and small value parsers (dates, pages, affiliations,
languages), shared by the page reader's parser. Kept apart so ``page.py`` holds the parsing
flow and this module the facts about how the site writes things."""

from __future__ import annotations

import datetime as dt
import re

from ..model import DateValue, Organization, Pages
from .page_references import split_initialled_names

_INITIALS = r"(?:[^\W\d_]{1,3}\.\s?-?\s?)+"
_NAME_LINE = re.compile(
    rf"^(?P<family>[^\W\d_][\w'’\-]*(?:\s+[\w'’\-]+)*?)\s+(?P<given>{_INITIALS})\s*,?$"
)
_ID_FIELD = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z_ ]*?)\s*:\s*(?P<value>.*?)\s*$")
_ID_SCHEMES = {"elibrary_id": "elibrary", "orcid": "orcid", "researcher_id": "researcherid",
               "researcherid": "researcherid", "scopus_id": "scopus", "scopus": "scopus",
               "spin": "spin", "spin_code": "spin"}
_EMAIL = re.compile(r"^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$")
_DATES_LINE = re.compile(r"^(?:Article\s+)?(?:received|accepted|revised)\s*:", re.IGNORECASE)
_DATE_PART = re.compile(
    r"(?:Article\s+)?(?P<kind>received|accepted|revised)\s*:\s*(?P<value>.*?)"
    r"(?=\.?\s+(?:Article\s+)?(?:received|accepted|revised)\s*:|\.?\s*$)", re.IGNORECASE)
_DATE_YMD = re.compile(r"^(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})"
                       r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_DATE_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_DOI_LINE = re.compile(r"^DOI\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_EDN_LINE = re.compile(r"^EDN\s*:\s*(?P<value>.*)$")
_KEYWORDS_LINE = re.compile(r"^Key\s?words\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_CITATION = re.compile(
    r"\s[–—-]\s+(?P<journal>[^–—]+?)\.\s+(?P<year>(?:1[89]|20)\d{2})\.(?P<tail>.*)$")
_ISSUE = re.compile(r"\bNo\.?\s*(?P<issue>[\w/\-–]+?)(?=\.|\s|$)")
_VOLUME = re.compile(r"\bVol\.\s*(?P<volume>[\w\-–]+?)(?=\.|\s|,|$)")
_PAGES = re.compile(r"\b[Pp]p?\.\s*(?P<pages>\d+(?:\s*[-–]\s*\d+)?)")
_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/(\S+)", re.IGNORECASE)
_LANGUAGE_NOTE = re.compile(r"\(\s*In\s+(?P<lang>[A-Z][a-z]+)\.?\s*\)\s*\.?$")
_LANGUAGES = {"Russ": "ru", "Eng": "en", "Ukr": "uk", "Kazakh": "kk", "Belarus": "be",
              "Germ": "de", "Fr": "fr", "Chin": "zh"}
_REFERENCES_HEAD = re.compile(r"^(?:References|Bibliography)\s*:?$", re.IGNORECASE)
_SEE_ALSO_HEAD = re.compile(r"^See\s+also\s*:?$", re.IGNORECASE)
_FUNDING = re.compile(
    r"(?:\b(?:prepared|supported|funded|financed|carried\s+out|performed|conducted|written)\b"
    r".{0,200}?(?:\bgrants?\b|state\s+assignment|\bproject\b|\bprogram(?:me)?\b|foundation"
    r"|\bNo\.|№|\bRSF\b|\bRSCF\b|\bRFBR\b))"
    r"|^(?:Funding|Acknowledge?ments?)\s*:"
    r"|\b(?:grant|project)\s+(?:No\.?|№)", re.IGNORECASE)
_AWARD = re.compile(
    r"(?:\bNo\.?|№|\bgrant|\bproject|\bagreement)\s*(?:No\.?|№|number|#)?\s*"
    r"(?P<number>[A-Za-z0-9][\w./\-]*\d[\w/\-]*)"
    r"(?:\s*\((?P<alt>[A-Za-z0-9][\w./\-]*\d[\w/\-]*)\))?"
    r"(?:\s*[“\"«](?P<title>[^”\"»]+)[”\"»])?", re.IGNORECASE)
_FUNDER = re.compile(
    r"\b(?:supported|funded|financed|sponsored)\s+by\s+(?:a\s+grant\s+(?:from|of)\s+)?(?:the\s+)?"
    r"(?P<name>[A-Z][^,;(]*?(?:\s*\([A-Z]{2,}\))?)"
    r"(?=\s*(?:,|;|\.|\(|\bgrant\b|\bproject\b|\bunder\b|\bwithin\b|\bNo\b|№|$))"
    r"|\bstate\s+assignment\s+of\s+(?:the\s+)?(?P<ministry>[A-Z][^,;(]*?)"
    r"(?=\s*(?:,|;|\.|\(|\bNo\b|№|$))")
_FUNDER_ACRONYMS = {"RSF": "Russian Science Foundation", "RSCF": "Russian Science Foundation",
                    "RFBR": "Russian Foundation for Basic Research",
                    "RFH": "Russian Foundation for Humanities"}
_COUNTRIES = {"russia": "RU", "russian federation": "RU", "kazakhstan": "KZ", "belarus": "BY",
              "ukraine": "UA", "uzbekistan": "UZ", "kyrgyzstan": "KG", "armenia": "AM",
              "azerbaijan": "AZ", "georgia": "GE", "moldova": "MD", "tajikistan": "TJ",
              "mongolia": "MN", "china": "CN", "germany": "DE", "france": "FR", "finland": "FI",
              "estonia": "EE", "latvia": "LV", "lithuania": "LT", "poland": "PL", "usa": "US",
              "united states": "US", "united kingdom": "GB", "uk": "GB", "italy": "IT",
              "spain": "ES", "netherlands": "NL", "norway": "NO", "sweden": "SE", "japan": "JP",
              "india": "IN", "turkey": "TR", "serbia": "RS", "israel": "IL", "canada": "CA"}


def _is_marker(line: str) -> bool:
    return bool(_DATES_LINE.match(line) or _DOI_LINE.match(line) or _EDN_LINE.match(line)
                or _REFERENCES_HEAD.match(line) or _SEE_ALSO_HEAD.match(line))


def _is_id_line(line: str) -> bool:
    keys = [m.group("key").lower().replace(" ", "_") for m in
            (_ID_FIELD.match(item) for item in line.split("|")) if m]
    return bool(keys) and any(k in _ID_SCHEMES for k in keys)


def _is_author_list(line: str) -> bool:
    names = split_initialled_names(line)
    return line.endswith(",") and bool(names) and all(
        _NAME_LINE.match(name) for name in names)


def _organization(parts: list[str]) -> Organization:
    name = ", ".join(parts)
    country = _COUNTRIES.get(parts[-1].lower()) if len(parts) >= 2 else None
    city = parts[-2] if country and len(parts) >= 3 and not any(
        c.isdigit() for c in parts[-2]) else None
    return Organization(name=name, city=city, country=country)


def _pages(text: str) -> Pages:
    parts = re.split(r"\s*[-–]\s*", text, maxsplit=1)
    return Pages(text, parts[0], parts[1]) if len(parts) == 2 else Pages(text, parts[0])


def _parse_date(value: str) -> DateValue | None:
    match = _DATE_YMD.match(value)
    if match:
        year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    else:
        match = _DATE_DMY.match(value)
        if not match:
            return None
        day, month, year = (int(match.group(i)) for i in (1, 2, 3))
    hour, minute, second = match.group(4), match.group(5), match.group(6)
    try:
        time = dt.time(int(hour), int(minute), int(second or 0)) if hour else None
        return DateValue(year, month, day, time)
    except ValueError:
        return None


def _text_lang(text: str) -> str:
    # The site's English page may still carry a Russian-only title or abstract.
    cyrillic = sum(1 for c in text if "\u0400" <= c <= "\u04ff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "ru" if cyrillic > latin else "en"
