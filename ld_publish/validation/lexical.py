"""Lexical validity of the XSD datatypes the shapes use, as sh:datatype requires.

SHACL says a literal with the right datatype but an ill-formed lexical form
("2024-13-45"^^xsd:date) fails sh:datatype; pyshacl gets this from rdflib. This module is the
fast engine's version for the datatypes ld-publish emits; other datatypes are checked by IRI
only (the engine refuses to compile shapes that name them, see ``CHECKED``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?(?:[1-9][0-9]{4,}|[0-9]{4})"
_DATE = re.compile(rf"^({_YEAR})-([0-9]{{2}})-([0-9]{{2}}){_TZ}$")
_DATETIME = re.compile(
    rf"^({_YEAR})-([0-9]{{2}})-([0-9]{{2}})T([0-9]{{2}}):([0-9]{{2}}):([0-9]{{2}})(?:\.[0-9]+)?{_TZ}$")
_GYEAR = re.compile(rf"^{_YEAR}{_TZ}$")
_GYEARMONTH = re.compile(rf"^{_YEAR}-([0-9]{{2}}){_TZ}$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


def _valid_day(year: str, month: str, day: str) -> bool:
    m, d = int(month), int(day)
    if not 1 <= m <= 12 or d < 1:
        return False
    y = int(year)
    # calendar.monthrange needs 1 <= year; XSD years may be 0, negative or large.
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    days = 29 if m == 2 and leap else calendar.mdays[m]
    return d <= days


def _date(text: str) -> bool:
    match = _DATE.match(text)
    return bool(match) and _valid_day(*match.groups()[:3])  # type: ignore[misc]


def _datetime(text: str) -> bool:
    match = _DATETIME.match(text)
    if not match:
        return False
    year, month, day, hour, minute, second = match.groups()
    if not _valid_day(year, month, day):
        return False
    if hour == "24":
        return minute == "00" and second == "00"
    return int(hour) < 24 and int(minute) < 60 and int(second) < 60


def _gyearmonth(text: str) -> bool:
    match = _GYEARMONTH.match(text)
    return bool(match) and 1 <= int(match.group(1)) <= 12


def _any(text: str) -> bool:
    return True


#: datatype IRI -> lexical check. Only these datatypes may appear in sh:datatype.
CHECKED: dict[str, Callable[[str], bool]] = {
    XSD + "date": _date,
    XSD + "dateTime": _datetime,
    XSD + "gYear": lambda text: bool(_GYEAR.match(text)),
    XSD + "gYearMonth": _gyearmonth,
    XSD + "integer": lambda text: bool(_INTEGER.match(text)),
    XSD + "string": _any,
    RDF_LANGSTRING: _any,
}
