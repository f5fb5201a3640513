"""Identifier checking and normalisation: DOI, ORCID, ISSN, ISBN, ROR (property-based)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ld_publish.errors import IdentifierError
from ld_publish.identifiers import (
    doi_iri,
    is_valid_iri,
    issn_check_digit,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_orcid,
    normalize_ror,
    orcid_check_digit,
    scripts_of,
)

digits = st.text(alphabet="0123456789", min_size=15, max_size=15)


def _orcid(base: str) -> str:
    full = base + orcid_check_digit(base)
    return "-".join(full[i:i + 4] for i in range(0, 16, 4))


@given(digits)
def test_every_valid_orcid_normalises_from_any_written_form(base: str) -> None:
    orcid = _orcid(base)
    bare = orcid.replace("-", "")
    for written in (orcid, bare, f"https://orcid.org/{orcid}", f"http://orcid.org/{orcid}",
                    f"orcid:{orcid}", f" {orcid.lower()}\u00a0"):
        assert normalize_orcid(written) == orcid


@given(digits, st.sampled_from("0123456789X"))
def test_a_wrong_orcid_check_character_is_refused(base: str, check: str) -> None:
    assume(check != orcid_check_digit(base))
    with pytest.raises(IdentifierError, match="checksum"):
        normalize_orcid(base + check)


def test_known_orcids() -> None:
    assert normalize_orcid("0000-0001-9665-5666") == "0000-0001-9665-5666"
    assert normalize_orcid("https://orcid.org/0000-0002-1694-233X") == "0000-0002-1694-233X"
    with pytest.raises(IdentifierError):
        normalize_orcid("0000-0001-9665-5667")


def test_orcid_with_non_ascii_digits_is_refused() -> None:
    # Arabic-Indic digits pass str.isdigit(); they must not pass the checksum.
    with pytest.raises(IdentifierError):
        normalize_orcid("٠٠٠٠-٠٠٠١-٩٦٦٥-٥٦٦٦")


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_issn_checksum_round_trip(seven: str) -> None:
    assume(seven != "0000000")
    issn = f"{seven[:4]}-{seven[4:]}{issn_check_digit(seven)}"
    assert normalize_issn(issn) == issn
    assert normalize_issn(issn.replace("-", "").lower()) == issn


def test_issn_placeholder_and_bad_checksum() -> None:
    assert normalize_issn("2049-3630") == "2049-3630"
    assert normalize_issn("0317-8471") == "0317-8471"
    with pytest.raises(IdentifierError, match="placeholder"):
        normalize_issn("0000-0000")
    with pytest.raises(IdentifierError, match="checksum"):
        normalize_issn("2049-3631")


_doi_suffix = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"),
                           blacklist_characters="\u2028\u2029\x85"),
    min_size=1, max_size=40)


@given(st.integers(1000, 999999999), _doi_suffix)
def test_doi_normalisation_is_idempotent_and_gives_a_valid_iri(registrant: int,
                                                             suffix: str) -> None:
    assume(not any(c.isspace() for c in suffix))
    assume(suffix.rstrip(".,;"))
    doi = f"10.{registrant}/{suffix}"
    normal = normalize_doi(doi)
    assert normalize_doi(normal) == normal
    assert normalize_doi(f"https://doi.org/{doi}") == normal
    assert normalize_doi(f"doi:{doi}") == normal
    iri = doi_iri(doi)
    assert is_valid_iri(iri)
    # A strict parser accepts the IRI.
    ox.NamedNode(iri)
    list(ox.parse(f"<{iri}> <http://x/p> \"o\" .".encode(), format=ox.RdfFormat.N_TRIPLES))


def test_doi_forms_and_errors() -> None:
    assert normalize_doi("https://dx.doi.org/10.7554/eLife.01567") == "10.7554/elife.01567"
    assert normalize_doi("doi: 10.17976/jpps/2025.02.05") == "10.17976/jpps/2025.02.05"
    assert normalize_doi("https://doi.org/10.1002%2F%28SICI%29") == "10.1002/(sici)"
    assert doi_iri("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O") == (
        "https://doi.org/10.1002/(sici)1097-4571(199806)49:8%3C693::aid-asi4%3E3.0.co;2-o")
    for bad in ("10.abc", "11.1234/x", "10.1234/", "10.1234/a b", "doi:"):
        with pytest.raises(IdentifierError):
            normalize_doi(bad)


def test_doi_lowercases_ascii_only() -> None:
    assert normalize_doi("10.1234/ÄBC") == "10.1234/Äbc"


def test_isbn_and_ror() -> None:
    assert normalize_isbn("0-306-40615-2") == "9780306406157"
    assert normalize_isbn("978-0-306-40615-7") == "9780306406157"
    with pytest.raises(IdentifierError):
        normalize_isbn("978-0-306-40615-8")
    assert normalize_ror("https://ror.org/04wxnsj81") == "https://ror.org/04wxnsj81"
    assert normalize_ror("04WXNSJ81") == "https://ror.org/04wxnsj81"
    with pytest.raises(IdentifierError):
        normalize_ror("https://ror.org/not-a-ror")


def test_scripts_of_spots_a_cyrillic_letter_among_latin() -> None:
    assert scripts_of("Lomakina \u0410. I.") == {"LATIN", "CYRILLIC"}
    assert scripts_of("Lomakina A. I.") == {"LATIN"}
