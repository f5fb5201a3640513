"""Identifier checking and normalisation, the one place that knows identifier schemes, and
IRI-safe encoding.

:func:`check` is the way in: ``check(scheme, text)`` gives the canonical form of any scheme the
record model knows (DOI, ORCID, ISSN, ISBN, ROR, ISNI, Crossref Funder ID, URL here; the others in
:mod:`ld_publish.identifier_schemes`) with remarks on what it changed or found suspicious, or
raises :class:`~ld_publish.errors.IdentifierError` with a hint. Each ``normalize_*`` does one
scheme. Checksums are computed over ASCII digits only: ``str.isdigit`` accepts Arabic-Indic or
full-width digits, which would let a look-alike identifier pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote

from .errors import IdentifierError, IdentifierPlaceholder
from .identifier_schemes import (
    mod11_2,
    normalize_arxiv,
    normalize_edn,
    normalize_elibrary,
    normalize_handle,
    normalize_isni,
    normalize_local,
    normalize_pmcid,
    normalize_pmid,
    normalize_researcherid,
    normalize_scopus,
    normalize_spin,
)
from .identifier_schemes import strip_value as _strip

__all__ = [
    "SCHEMES",
    "Checked",
    "Remark",
    "canonical",
    "check",
    "check_doi",
    "check_funder",
    "doi_iri",
    "iri_escape",
    "is_valid_iri",
    "issn_check_digit",
    "normalize_doi",
    "normalize_funder",
    "normalize_isbn",
    "normalize_issn",
    "normalize_orcid",
    "normalize_ror",
    "normalize_url",
    "orcid_check_digit",
    "orcid_iri",
    "ror_checksum",
    "scripts_of",
]


@dataclass(frozen=True, slots=True)
class Remark:
    """What a check changed in a valid identifier beyond its spelling (case, separators, a
    prefix or URL form), or found suspicious in it; readers turn it into a notice."""

    message: str
    hint: str | None = None
    severity: Literal["warning", "info"] = "warning"


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid identifier's canonical value and the remarks on it."""

    value: str
    remarks: tuple[Remark, ...] = ()

_ASCII_DIGITS = frozenset("0123456789")

# A DOI is "10." + registrant code (digits, dot-separated) + "/" + a suffix of any printable
# characters. Crossref recommends /^10.\d{4,9}/[-._;()/:A-Z0-9]+$/i but real DOIs (SICIs with
# <, >, #, [, ]) go beyond it, so we accept any non-space, non-control suffix and percent-encode
# in IRIs instead.
_DOI_RE = re.compile(r"^10\.[0-9]{4,9}(?:\.[0-9]+)*/\S+$")
_DOI_PREFIXES = re.compile(
    r"^(?:doi:\s*|(?:https?://)?(?:dx\.|www\.)?doi\.org/|info:doi/|urn:doi:)", re.IGNORECASE
)
_ORCID_PREFIXES = re.compile(r"^(?:(?:https?://)?(?:www\.)?orcid\.org/|orcid:\s*)", re.IGNORECASE)
_ORCID_RE = re.compile(r"^([0-9]{4})-?([0-9]{4})-?([0-9]{4})-?([0-9]{3}[0-9Xx])$")
_ISSN_RE = re.compile(r"^([0-9]{4})-?([0-9]{3}[0-9Xx])$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
_ROR_RE = re.compile(r"^(?:(?:https?://)?(?:www\.)?ror\.org/)?(0[a-hj-km-np-tv-z0-9]{6})"
                     r"([0-9]{2})/?$", re.IGNORECASE)


# re's \s is str.isspace() for str patterns; controls below 0x20 are listed as well.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")
# Characters that look like '-' in print and come into DOIs by copying from typeset text.
_LOOKALIKE_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
# A DOI that ends like a file name is most often a figure's or a download's link taken for it.
_FILE_SUFFIX = re.compile(
    r"\.(?:svg|png|jpe?g|gif|tiff?|webp|bmp|pdf|html?|xml|epub|zip|docx?|xlsx?|csv)$",
    re.IGNORECASE)


def normalize_doi(text: str) -> str:
    """The canonical DOI (see :func:`check_doi`), without the remarks."""
    return check_doi(text).value


def check_doi(text: str) -> Checked:
    """``doi:``/URL prefixes stripped, percent-decoding of URL forms undone, ASCII-lower-cased;
    every other change (decoding, trailing punctuation, invisible padding, Unicode NFC) and
    everything suspicious (look-alike hyphens, a file-name ending) is a remark.

    DOIs are case-insensitive (the DOI Handbook, 3.4), so the lower-cased form is the key; keep
    the original spelling elsewhere when it matters.
    """
    remarks: list[Remark] = []
    plain = text.strip()
    raw = _strip(text)
    if raw != unicodedata.normalize("NFC", plain).strip():
        remarks.append(Remark("invisible characters (no-break or zero-width spaces, byte order "
                              "mark) removed from around the DOI", None, "info"))
    elif raw != plain:
        remarks.append(Remark("DOI rewritten in Unicode NFC form (composed characters)", None,
                              "info"))
    value = _DOI_PREFIXES.sub("", raw)
    # Only a URL is percent-encoded; after doi: or info:doi/ a '%' is part of the DOI.
    if "%" in value and "doi.org/" in raw[:len(raw) - len(value)].lower():
        # NFC again: the decoded bytes may spell a character NFC rewrites (U+F900 -> U+8C48),
        # and normalising once must give a value that normalising again leaves alone.
        decoded = unicodedata.normalize("NFC", unquote(value))
        if decoded != value:
            remarks.append(Remark(f"percent-encoding of the DOI URL decoded: {decoded!r}",
                                  None, "info"))
        value = decoded
    value = value.strip()
    kept = value.rstrip(".,;")
    if kept != value:
        remarks.append(Remark(
            f"trailing {value[len(kept):]!r} removed from the DOI",
            "a DOI seldom ends in punctuation: check whether it belongs to the DOI or to the "
            "text around it, and write the DOI alone"))
        value = kept
    if _SPACE_OR_CONTROL.search(value):
        raise IdentifierError(
            f"DOI {text!r} contains white space or control characters",
            hint="a DOI has no spaces; check for a line break or a pasted citation",
        )
    if not _DOI_RE.match(value):
        raise IdentifierError(
            f"{text!r} is not a DOI",
            hint="a DOI looks like 10.1234/suffix (an optional https://doi.org/ prefix is fine)",
        )
    lookalikes = sorted({ch for ch in value if ch in _LOOKALIKE_HYPHENS})
    if lookalikes:
        names = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in lookalikes)
        remarks.append(Remark(
            f"suspicious DOI: it has {names} where DOIs have the ASCII hyphen-minus '-'",
            "a look-alike hyphen makes another DOI, which does not resolve; copy the DOI from "
            "doi.org or the publisher's page"))
    invisible = sorted({ch for ch in value if unicodedata.category(ch) == "Cf"})
    if invisible:
        names = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in invisible)
        remarks.append(Remark(
            f"suspicious DOI: it has the invisible {names} inside it",
            "an invisible character makes another DOI, which does not resolve; copy the DOI "
            "again or type it"))
    suffix = _FILE_SUFFIX.search(value)
    if suffix:
        remarks.append(Remark(
            f"suspicious DOI: it ends in {suffix.group(0)!r} like a file name",
            "a figure's or a download's link was probably taken for the work's DOI; check the "
            "DOI at doi.org"))
    return Checked(_ascii_lower(value), tuple(remarks))


def _ascii_lower(text: str) -> str:
    # str.lower() would also fold non-ASCII letters (and 'İ' into two code points); the DOI
    # system only folds ASCII.
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}

# Characters that are not allowed (or are delimiters) in an IRI path segment under RFC 3987,
# plus '%' itself so that an encoded DOI round-trips.
_IRI_UNSAFE = frozenset('<>"{}|\\^`[]#?% ') | {chr(c) for c in range(0x20)} | {"\x7f"}


_PLAIN_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@/-]*$")


# A path segment that is "." or "..": RFC 3986 normalisation (5.2.4) removes it, and ".." the
# segment before it too, turning 10.1000/../../x into another IRI.
_DOT_SEGMENT = re.compile(r"(?:^|(?<=/))\.\.?(?=/|$)")


def iri_escape(text: str, *, keep: str = "/") -> str:
    """Percent-encode what an IRI path may not hold; non-ASCII letters stay (IRIs allow them).

    ``keep`` lists delimiters that stay literal (``/`` by default, DOIs use it). Dot segments
    (``.``, ``..``) become ``%2E``, ``%2E%2E`` so that no normaliser can collapse the path; the
    SHACL-SPARQL DOI agreement component mirrors this (shapes/components.ttl).
    """
    if _PLAIN_SEGMENT.match(text) and ("/" in keep or "/" not in text):
        escaped = text  # the common case: nothing to encode
    else:
        out: list[str] = []
        for ch in text:
            if (ch in _IRI_UNSAFE and ch not in keep) or _is_iri_forbidden(ch) or (
                ch == "/" and "/" not in keep
            ):
                out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
            else:
                out.append(ch)
        escaped = "".join(out)
    if "." in escaped and _DOT_SEGMENT.search(escaped):
        escaped = _DOT_SEGMENT.sub(lambda m: "%2E" * len(m.group(0)), escaped)
    return escaped


def _is_iri_forbidden(ch: str) -> bool:
    code = ord(ch)
    # RFC 3987 ucschar excludes surrogates, non-characters and the C1/bidi controls.
    if 0x80 <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF:
        return True
    if (code & 0xFFFE) == 0xFFFE:
        return True
    return unicodedata.category(ch) in {"Cf", "Cc", "Zl", "Zp", "Zs", "Co", "Cn"}


def doi_iri(doi: str) -> str:
    """``https://doi.org/`` + the normalised DOI, percent-encoded for IRI syntax."""
    return "https://doi.org/" + iri_escape(normalize_doi(doi))


def orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 over the first 15 digits of an ORCID iD."""
    if len(base_digits) != 15 or not set(base_digits) <= _ASCII_DIGITS:
        raise ValueError("need 15 ASCII digits")
    return mod11_2(base_digits)


def normalize_orcid(text: str) -> str:
    """``0000-0001-9665-5666`` form, checksum verified. URL and ``orcid:`` prefixes accepted."""
    raw = _strip(text)
    value = _ORCID_PREFIXES.sub("", raw).strip().rstrip("/")
    match = _ORCID_RE.match(value)
    if not match:
        raise IdentifierError(
            f"{text!r} is not an ORCID iD",
            hint="an ORCID iD is 16 characters in four groups: 0000-0002-1825-0097",
        )
    digits = "".join(match.groups()).upper()
    if digits[:15] and not set(digits[:15]) <= _ASCII_DIGITS:
        raise IdentifierError(f"ORCID iD {text!r} uses non-ASCII digits",
                              hint="retype the iD with ASCII digits 0-9")
    expected = orcid_check_digit(digits[:15])
    if digits[15] != expected:
        raise IdentifierError(
            f"ORCID iD {text!r} fails its checksum (last character should be {expected})",
            hint="copy the iD from the person's ORCID record; a digit is probably mistyped",
        )
    return f"{digits[0:4]}-{digits[4:8]}-{digits[8:12]}-{digits[12:16]}"


def orcid_iri(text: str) -> str:
    return "https://orcid.org/" + normalize_orcid(text)


def issn_check_digit(first_seven: str) -> str:
    if len(first_seven) != 7 or not set(first_seven) <= _ASCII_DIGITS:
        raise ValueError("need 7 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_seven, range(8, 1, -1), strict=True))
    result = (11 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_issn(text: str) -> str:
    """``1234-567X`` form with its check digit verified; ``0000-0000`` placeholders refused."""
    raw = _strip(text)
    value = re.sub(r"^(?:issn:?\s*|(?:https?://)?portal\.issn\.org/resource/issn/)", "", raw,
                   flags=re.IGNORECASE)
    match = _ISSN_RE.match(value)
    if not match:
        raise IdentifierError(f"{text!r} is not an ISSN",
                              hint="an ISSN is eight characters: 1234-5679")
    digits = "".join(match.groups()).upper()
    if digits == "00000000":
        raise IdentifierPlaceholder(f"ISSN {text!r} is a placeholder",
                                    hint="leave the ISSN out when the journal has none")
    expected = issn_check_digit(digits[:7])
    if digits[7] != expected:
        raise IdentifierError(
            f"ISSN {text!r} fails its checksum (last character should be {expected})",
            hint="check the ISSN against the ISSN Portal; a digit is probably mistyped",
        )
    return f"{digits[:4]}-{digits[4:]}"


def normalize_isbn(text: str) -> str:
    """ISBN-13 digits (ISBN-10 converted), checksum verified."""
    value = re.sub(r"[\s\-]", "", _strip(text)).upper()
    value = re.sub(r"^(?:ISBN(?:-1[03])?:?)", "", value)
    if re.fullmatch(r"[0-9]{9}[0-9X]", value):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(value))
        if total % 11:
            raise IdentifierError(f"ISBN {text!r} fails its checksum",
                                  hint="check the ISBN printed on the book")
        value = "978" + value[:9]
        value += str((10 - sum((1 if i % 2 == 0 else 3) * int(c)
                               for i, c in enumerate(value)) % 10) % 10)
        return value
    if re.fullmatch(r"97[89][0-9]{10}", value):
        check = (10 - sum((1 if i % 2 == 0 else 3) * int(c)
                          for i, c in enumerate(value[:12])) % 10) % 10
        if int(value[12]) != check:
            raise IdentifierError(f"ISBN {text!r} fails its checksum",
                                  hint="check the ISBN printed on the book")
        return value
    raise IdentifierError(f"{text!r} is not an ISBN", hint="an ISBN has 10 or 13 digits")


def ror_checksum(body: str) -> str:
    """The two check digits of a ROR id from its first seven characters (``0`` and six of
    Crockford's base32): ISO 7064 MOD 97-10 over the number they encode, as ROR computes it."""
    number = 0
    for ch in body.lower():
        number = number * 32 + _CROCKFORD.index(ch)
    return f"{98 - (number * 100) % 97:02d}"


def normalize_ror(text: str) -> str:
    """``https://ror.org/0xxxxxxNN`` from a bare or URL ROR id, check digits verified."""
    match = _ROR_RE.match(_strip(text))
    if not match:
        raise IdentifierError(f"{text!r} is not a ROR id",
                              hint="a ROR id looks like https://ror.org/04wxnsj81")
    body, check = match.group(1).lower(), match.group(2)
    expected = ror_checksum(body)
    if check != expected:
        raise IdentifierError(
            f"ROR id {text!r} fails its checksum (the last two digits should be {expected})",
            hint="copy the id from the organisation's page on ror.org; a character is "
                 "probably mistyped")
    return f"https://ror.org/{body}{check}"


def normalize_funder(text: str) -> str:
    """The canonical Crossref Funder ID (see :func:`check_funder`), without the remarks."""
    return check_funder(text).value


def check_funder(text: str) -> Checked:
    """A Crossref Funder Registry id as its DOI (``10.13039/501100000780``); the registry's
    bare number is accepted."""
    value = _strip(text)
    if re.fullmatch(r"[0-9]{6,}", value):
        value = "10.13039/" + value
    doi = check_doi(value)
    if not re.fullmatch(r"10\.13039/[0-9]+", doi.value):
        raise IdentifierError(f"{text!r} is not a Crossref Funder Registry id",
                              hint="Funder Registry ids are DOIs under 10.13039/, e.g. "
                                   "10.13039/501100000780")
    return doi


_URL_RE = re.compile(r"^(?:https?|ftp)://[^/?#\s@]+(?:[/?#]|$)", re.IGNORECASE)


def normalize_url(text: str) -> str:
    """An absolute http(s) or ftp URL that an IRI can hold, as written."""
    value = _strip(text)
    if not (_URL_RE.match(value) and is_valid_iri(value)):
        raise IdentifierError(f"{text!r} is not a URL",
                              hint="a URL starts with https:// or http:// and has no spaces")
    return value


_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")


def is_valid_iri(text: str) -> bool:
    """Absolute IRI with no character that N-Triples forbids inside ``<...>``."""
    return bool(_IRI_RE.match(text)) and not any(ord(c) < 0x21 for c in text)


def _plain(normalize: Callable[[str], str]) -> Callable[[str], Checked]:
    return lambda text: Checked(normalize(text))


#: scheme -> its check; every scheme of :class:`~ld_publish.model.Identifier` and SPIN.
SCHEMES: Mapping[str, Callable[[str], Checked]] = {
    "doi": check_doi,
    "orcid": _plain(normalize_orcid),
    "issn": _plain(normalize_issn),
    "isbn": _plain(normalize_isbn),
    "ror": _plain(normalize_ror),
    "isni": _plain(normalize_isni),
    "crossref-funder": check_funder,
    "edn": _plain(normalize_edn),
    "elibrary": _plain(normalize_elibrary),
    "spin": _plain(normalize_spin),
    "researcherid": _plain(normalize_researcherid),
    "scopus": _plain(normalize_scopus),
    "pmid": _plain(normalize_pmid),
    "pmcid": _plain(normalize_pmcid),
    "arxiv": _plain(normalize_arxiv),
    "handle": _plain(normalize_handle),
    "url": _plain(normalize_url),
    "local": _plain(normalize_local),
}


def check(scheme: str, text: str) -> Checked:
    """``text`` checked as an identifier of ``scheme``: canonical value and remarks, or
    :class:`~ld_publish.errors.IdentifierError`. A scheme this module does not know (``grid``,
    ``wikidata``, ...) gets the minimal check of a local identifier."""
    return SCHEMES.get(scheme, SCHEMES["local"])(text)


@lru_cache(maxsize=4096)
def canonical(scheme: str, value: str) -> str | None:
    """The canonical form of ``value`` when it is valid for ``scheme``, else ``None``: the
    mapping's guard for records that did not come through a reader."""
    try:
        return check(scheme, value).value
    except IdentifierError:
        return None


def scripts_of(text: str) -> set[str]:
    """The writing systems of the letters in ``text`` (LATIN, CYRILLIC, GREEK, ...).

    Uses the first word of each letter's Unicode name, which is the script for the alphabets
    names are written in; good enough to spot a Cyrillic 'А' among Latin initials.
    """
    scripts: set[str] = set()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name:
                scripts.add(name.split(" ", 1)[0])
    return scripts
