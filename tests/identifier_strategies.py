"""Hypothesis strategies for valid identifiers of every scheme, in their canonical form.

Check characters are computed here by the schemes' own rules, written out again rather than
taken from ld_publish, so that a wrong checksum in ld_publish cannot agree with itself.
"""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2, as ORCID's and ISNI's documentation give it."""
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def ror_id(number: int) -> str:
    """ROR's generator: ``0``, the number in six Crockford base32 characters, and
    98 - (number * 100 mod 97) as two digits."""
    body, rest = "", number
    for _ in range(6):
        body = CROCKFORD[rest % 32] + body
        rest //= 32
    return f"0{body}{98 - (number * 100) % 97:02d}"


def isbn13(twelve: str) -> str:
    total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(twelve))
    return twelve + str((10 - total % 10) % 10)


def isbn10(nine: str) -> str:
    total = sum((10 - i) * int(c) for i, c in enumerate(nine))
    check = (11 - total % 11) % 11
    return nine + ("X" if check == 10 else str(check))


def issn(seven: str) -> str:
    total = sum((8 - i) * int(c) for i, c in enumerate(seven))
    check = (11 - total % 11) % 11
    return f"{seven[:4]}-{seven[4:]}{'X' if check == 10 else check}"


def _digits(size: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=size, max_size=size)


def _number(max_digits: int) -> st.SearchStrategy[str]:
    return st.integers(1, 10 ** max_digits - 1).map(str)


orcids = _digits(15).map(lambda d: d + mod11_2(d)).map(
    lambda f: "-".join(f[i:i + 4] for i in range(0, 16, 4)))
isnis = _digits(15).map(lambda d: d + mod11_2(d))
rors = st.integers(0, 32 ** 6 - 1).map(ror_id)
issns = _digits(7).filter(lambda d: d != "0000000").map(issn)
isbn13s = st.tuples(st.sampled_from(["978", "979"]), _digits(9)).map(
    lambda parts: isbn13(parts[0] + parts[1]))
isbn10s = _digits(9).map(isbn10)
researcherids = st.builds(
    lambda letters, digits, year: f"{letters}-{digits}-{year}",
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3), _digits(4),
    st.integers(2008, 2099))
edns = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=6, max_size=6)
spins = _digits(8).map(lambda d: f"{d[:4]}-{d[4:]}")
numbers = _number(12)
pmcids = _number(9).map(lambda n: "PMC" + n)


@st.composite
def arxiv_ids(draw: st.DrawFn) -> str:
    version = draw(st.none() | st.integers(1, 30).map(lambda v: f"v{v}"))
    if draw(st.booleans()):
        year, month = draw(st.integers(7, 99)), draw(st.integers(1, 12))
        if (year, month) < (7, 4):
            month = 4
        digits = 4 if (year, month) <= (14, 12) else 5
        number = draw(st.integers(1, 10 ** digits - 1))
        return f"{year:02d}{month:02d}.{number:0{digits}d}{version or ''}"
    archive = draw(st.sampled_from(["hep-th", "hep-ph", "astro-ph", "cond-mat", "math.GT",
                                    "math", "quant-ph", "cs.AI", "q-bio"]))
    year, month = draw(st.sampled_from([(91, 8), (95, 3), (99, 12), (0, 1), (6, 11), (7, 3)]))
    number = draw(st.integers(1, 999))
    return f"{archive}/{year:02d}{month:02d}{number:03d}{version or ''}"


# Ending in a digit: a DOI ending like a file name (.png) is valid but remarked on.
dois = st.from_regex(r"\A10\.[0-9]{4,6}/[a-z0-9][a-z0-9._;()/:-]{0,20}[0-9]\Z")
funders = _number(12).filter(lambda n: len(n) >= 6).map(lambda n: "10.13039/" + n)
handles = st.from_regex(r"\A[0-9]{1,5}(\.[0-9]{1,5}){0,2}/[A-Za-z0-9._-]{1,12}\Z")
urls = st.from_regex(r"\Ahttps://[a-z]{1,10}\.org/[a-z0-9/_-]{0,12}\Z")
_PADDING = "\u200b\u200c\u200d\u2060\ufeff\u00a0"
# Local ids are any text in NFC without control characters or padding around it.
locals_ = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
                  min_size=1, max_size=20).map(lambda t: unicodedata.normalize("NFC", t)).filter(
    lambda t: bool(t) and t == t.strip().strip(_PADDING).strip())

#: scheme -> valid canonical values
VALID: dict[str, st.SearchStrategy[str]] = {
    "doi": dois, "orcid": orcids, "isni": isnis, "issn": issns, "isbn": isbn13s,
    "ror": rors.map(lambda r: "https://ror.org/" + r), "researcherid": researcherids,
    "edn": edns, "spin": spins, "elibrary": numbers, "scopus": numbers, "pmid": numbers,
    "pmcid": pmcids, "arxiv": arxiv_ids(), "crossref-funder": funders, "handle": handles,
    "url": urls, "local": locals_,
}
