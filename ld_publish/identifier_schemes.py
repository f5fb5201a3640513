"""The identifier schemes beyond DOI, ORCID, ISSN, ISBN and ROR: ISNI, Web of Science
ResearcherID, eLibrary's EDN, SPIN and author ids, Scopus author ids, PubMed and PubMed Central
ids, arXiv ids, Handles and local ids.

:mod:`ld_publish.identifiers` registers each ``normalize_*`` here under its scheme name; readers
and the mapping reach them through ``identifiers.check``, never directly. Each takes what a
source wrote and returns the canonical form, or raises
:class:`~ld_publish.errors.IdentifierError` with a hint. Patterns use ``[0-9]``, never ``\\d``,
which would let Arabic-Indic or full-width digits pass.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import IdentifierError

__all__ = [
    "mod11_2",
    "normalize_arxiv",
    "normalize_edn",
    "normalize_elibrary",
    "normalize_handle",
    "normalize_isni",
    "normalize_local",
    "normalize_pmcid",
    "normalize_pmid",
    "normalize_researcherid",
    "normalize_scopus",
    "normalize_spin",
    "strip_value",
]

_ASCII_DIGITS = frozenset("0123456789")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00a0"


def strip_value(text: str) -> str:
    """NFC, without the white space, NBSPs, zero-width spaces and BOMs sources pad values with:
    none of them belongs in an identifier."""
    text = unicodedata.normalize("NFC", text)
    return text.strip().strip(_INVISIBLE).strip()


def mod11_2(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character over ASCII digits (ORCID and ISNI use it)."""
    if not base_digits or not set(base_digits) <= _ASCII_DIGITS:
        raise ValueError("need ASCII digits")
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


_ISNI_PREFIXES = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?isni\.org/(?:isni/)?|isni:?\s*)", re.IGNORECASE)
_ISNI_RE = re.compile(r"^[0-9]{15}[0-9X]$")


def normalize_isni(text: str) -> str:
    """The 16 characters of an ISNI (ISO 27729) without spaces, check character verified."""
    value = _ISNI_PREFIXES.sub("", strip_value(text))
    compact = re.sub(r"[ \-]", "", value).upper()
    if not _ISNI_RE.match(compact):
        raise IdentifierError(f"{text!r} is not an ISNI",
                              hint="an ISNI is 16 characters, often written 0000 0001 2103 2683")
    expected = mod11_2(compact[:15])
    if compact[15] != expected:
        raise IdentifierError(
            f"ISNI {text!r} fails its checksum (last character should be {expected})",
            hint="copy the ISNI from isni.org; a digit is probably mistyped")
    return compact


_RID_PREFIXES = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:researcherid\.com/rid/|webofscience\.com/wos/author/"
    r"(?:record|rid)/|publons\.com/researcher/)", re.IGNORECASE)
_RID_RE = re.compile(r"^[A-Z]{1,3}-[0-9]{4}-([0-9]{4})$")
# ResearcherID started in January 2008 and every id ends with the year it was registered.
_RID_FIRST_YEAR = 2008


def normalize_researcherid(text: str) -> str:
    """A Web of Science ResearcherID: one to three letters, four digits and the year it was
    registered (``AAG-6046-2021``, ``J-5112-2018``), upper case."""
    value = _RID_PREFIXES.sub("", strip_value(text)).rstrip("/").upper()
    match = _RID_RE.match(value)
    if not match:
        raise IdentifierError(f"{text!r} is not a ResearcherID",
                              hint="a ResearcherID looks like AAG-6046-2021 (letters, four "
                                   "digits, the year it was registered)")
    if not _RID_FIRST_YEAR <= int(match.group(1)) <= 2099:
        raise IdentifierError(f"ResearcherID {text!r} ends in an impossible year",
                              hint="ResearcherIDs exist since 2008 and end in the year they "
                                   "were registered; check the id on webofscience.com")
    return value


_EDN_RE = re.compile(r"^(?:edn:?\s*)?([A-Z]{6})$", re.IGNORECASE)


def normalize_edn(text: str) -> str:
    """An EDN, eLibrary's document number: six Latin capital letters."""
    match = _EDN_RE.match(strip_value(text))
    if not match or not match.group(1).isascii():
        raise IdentifierError(f"{text!r} is not an EDN",
                              hint="an EDN (eLibrary document number) is six Latin capital "
                                   "letters, e.g. OUSNXK")
    return match.group(1).upper()


_SPIN_RE = re.compile(r"^(?:spin(?:-code)?:?\s*)?([0-9]{4})-?([0-9]{4})$", re.IGNORECASE)


def normalize_spin(text: str) -> str:
    """An eLibrary author SPIN code, ``1234-5678``."""
    match = _SPIN_RE.match(strip_value(text))
    if not match:
        raise IdentifierError(f"{text!r} is not a SPIN code",
                              hint="an eLibrary SPIN code is eight digits: 1234-5678")
    return f"{match.group(1)}-{match.group(2)}"


def _number(text: str, prefixes: re.Pattern[str], what: str, hint: str) -> str:
    # Registries count from 1 and never pad: a leading zero means another scheme's number or
    # a mangled one. Twelve digits is far beyond every registry's current range.
    value = prefixes.sub("", strip_value(text)).rstrip("/")
    if not re.fullmatch(r"[1-9][0-9]{0,11}", value):
        raise IdentifierError(f"{text!r} is not {what}", hint=hint)
    return value


_ELIBRARY_PREFIXES = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?elibrary\.ru/author_(?:profile|items)\.asp\?(?:author)?id="
    r"|elibrary(?:[ _]id)?:?\s*)", re.IGNORECASE)
_SCOPUS_PREFIXES = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?scopus\.com/authid/detail\.uri\?authorId="
    r"|scopus(?:[ _]id)?:?\s*)", re.IGNORECASE)
_PMID_PREFIXES = re.compile(
    r"^(?:(?:https?://)?(?:pubmed\.ncbi\.nlm\.nih\.gov/|www\.ncbi\.nlm\.nih\.gov/pubmed/)"
    r"|pmid:?\s*)", re.IGNORECASE)


def normalize_elibrary(text: str) -> str:
    """An eLibrary author id (digits)."""
    return _number(text, _ELIBRARY_PREFIXES, "an eLibrary author id",
                   "an eLibrary author id is digits only, e.g. 618867")


def normalize_scopus(text: str) -> str:
    """A Scopus author id (digits)."""
    return _number(text, _SCOPUS_PREFIXES, "a Scopus author id",
                   "a Scopus author id is digits only, e.g. 57193482193")


def normalize_pmid(text: str) -> str:
    """A PubMed id (digits)."""
    return _number(text, _PMID_PREFIXES, "a PubMed id (PMID)",
                   "a PMID is digits only, e.g. 12345678")


_PMCID_RE = re.compile(
    r"^(?:(?:https?://)?(?:www\.ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/"
    r"articles/)|pmcid:?\s*)?PMC([1-9][0-9]{0,11})/?$", re.IGNORECASE)


def normalize_pmcid(text: str) -> str:
    """A PubMed Central id, ``PMC`` and digits."""
    match = _PMCID_RE.match(strip_value(text))
    if not match:
        raise IdentifierError(f"{text!r} is not a PubMed Central id (PMCID)",
                              hint="a PMCID is PMC followed by digits, e.g. PMC1234567")
    return "PMC" + match.group(1)


_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?$", re.IGNORECASE)
_ARXIV_NEW = re.compile(r"^([0-9]{2})([0-9]{2})\.([0-9]{4,5})(v[1-9][0-9]*)?$")
_ARXIV_OLD = re.compile(
    r"^([a-z]+(?:-[a-z]+)*)(\.[a-z]{2})?/([0-9]{2})([0-9]{2})([0-9]{3})(v[1-9][0-9]*)?$",
    re.IGNORECASE)
_ARXIV_HINT = ("an arXiv id is YYMM.NNNNN (YYMM.NNNN before 2015), e.g. 2101.00001v2, or "
               "archive/YYMMNNN before April 2007, e.g. hep-th/9901001")


def normalize_arxiv(text: str) -> str:
    """An arXiv id of the scheme of its date: ``YYMM.NNNN`` from April 2007, ``YYMM.NNNNN``
    from January 2015, ``archive(.SC)/YYMMNNN`` from August 1991 to March 2007; an optional
    version ``vN``. The ``arXiv:`` prefix and abs/pdf URLs are stripped."""
    value = strip_value(text)
    url = _ARXIV_URL.match(value)
    value = url.group(1) if url else re.sub(r"^arxiv:\s*", "", value, flags=re.IGNORECASE)
    new = _ARXIV_NEW.match(value)
    if new:
        yymm = int(new.group(1) + new.group(2))
        digits = 4 if yymm <= 1412 else 5
        if (1 <= int(new.group(2)) <= 12 and yymm >= 704 and len(new.group(3)) == digits
                and int(new.group(3)) > 0):
            return value
        raise IdentifierError(f"arXiv id {text!r} does not exist (month, year or the length "
                              "of its number is wrong)", hint=_ARXIV_HINT)
    old = _ARXIV_OLD.match(value)
    if old:
        yymm = int(old.group(3) + old.group(4))
        in_range = yymm >= 9108 or yymm <= 703
        if 1 <= int(old.group(4)) <= 12 and in_range and int(old.group(5)) > 0:
            subject = (old.group(2) or "").upper()
            return (f"{old.group(1).lower()}{subject}/{old.group(3)}{old.group(4)}"
                    f"{old.group(5)}{old.group(6) or ''}")
        raise IdentifierError(f"arXiv id {text!r} does not exist (its year or month is outside "
                              "August 1991 to March 2007)", hint=_ARXIV_HINT)
    raise IdentifierError(f"{text!r} is not an arXiv id", hint=_ARXIV_HINT)


_HANDLE_PREFIXES = re.compile(
    r"^(?:(?:https?://)?hdl\.handle\.net/|hdl:\s*|info:hdl/)", re.IGNORECASE)
_HANDLE_RE = re.compile(r"^[0-9A-Za-z]+(?:\.[0-9A-Za-z_-]+)*/[^\s\x00-\x1f\x7f]+$")


def normalize_handle(text: str) -> str:
    """A Handle (RFC 3650): naming authority, ``/``, local name; case kept (handles are
    case-sensitive by default)."""
    value = _HANDLE_PREFIXES.sub("", strip_value(text))
    if not _HANDLE_RE.match(value):
        raise IdentifierError(f"{text!r} is not a Handle",
                              hint="a Handle is prefix/suffix, e.g. 20.500.12345/678 or "
                                   "https://hdl.handle.net/2027.42/123")
    return value


def normalize_local(text: str) -> str:
    """Any other identifier: the text itself, without surrounding space; refused when empty or
    holding control characters, which no source id contains on purpose."""
    value = strip_value(text)
    if not value:
        raise IdentifierError("an empty identifier", hint="leave the identifier out")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise IdentifierError(f"identifier {text!r} contains control characters",
                              hint="fix the text encoding of the source")
    return value
