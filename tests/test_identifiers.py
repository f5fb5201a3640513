"""Identifier checking and normalisation, every scheme (property-based where a rule allows)."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ld_publish.errors import IdentifierError
from ld_publish.identifiers import (
    SCHEMES,
    check,
    check_doi,
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
from tests import identifier_strategies as ids

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
# A compatibility ideograph NFC rewrites, reached through the URL form's percent-decoding.
@example(registrant=1000, suffix="\uf900")
def test_doi_normalisation_is_idempotent_and_gives_a_valid_iri(registrant: int,
                                                             suffix: str) -> None:
    assume(not any(c.isspace() for c in suffix))
    assume(suffix.rstrip(".,;"))
    doi = f"10.{registrant}/{suffix}"
    normal = normalize_doi(doi)
    assert normalize_doi(normal) == normal
    # The URL form percent-encodes the DOI (a '%' in it becomes %25); doi: does not.
    assert normalize_doi(f"https://doi.org/{quote(doi, safe='/')}") == normal
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


def test_only_the_url_form_is_percent_decoded() -> None:
    assert normalize_doi("https://doi.org/10.1000/a%2Fb") == "10.1000/a/b"
    assert normalize_doi("doi:10.1000/a%2Fb") == "10.1000/a%2fb"
    assert normalize_doi("info:doi/10.1000/%41") == "10.1000/%41"


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


# -- every scheme ------------------------------------------------------------------------------

#: The schemes of model.Identifier's documentation, and eLibrary's SPIN code.
MODEL_SCHEMES = {"doi", "orcid", "issn", "isbn", "edn", "elibrary", "researcherid", "scopus",
                 "pmid", "pmcid", "ror", "isni", "crossref-funder", "arxiv", "handle", "url",
                 "local", "spin"}


def test_every_scheme_of_the_model_has_a_check_and_a_generator() -> None:
    assert set(SCHEMES) == MODEL_SCHEMES
    assert set(ids.VALID) == MODEL_SCHEMES


# Drawing a scheme, then a value, is slow to start on a busy machine; that is not a failure.
_MANY = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@_MANY
@given(st.data())
def test_valid_identifiers_of_every_scheme_pass_and_are_their_own_canonical_form(
        data: st.DataObject) -> None:
    scheme = data.draw(st.sampled_from(sorted(ids.VALID)))
    value = data.draw(ids.VALID[scheme])
    checked = check(scheme, value)
    assert checked.value == value
    assert check(scheme, checked.value) == checked
    if scheme != "doi":  # a generated DOI may end like a file name, which is remarked on
        assert checked.remarks == ()


#: scheme -> (valid values, the alphabet of each position that carries information)
_CHECKSUMMED = {
    "orcid": (ids.orcids, "0123456789X"),
    "isni": (ids.isnis, "0123456789X"),
    "issn": (ids.issns, "0123456789X"),
    "isbn": (ids.isbn13s | ids.isbn10s, "0123456789X"),
    "ror": (ids.rors, ids.CROCKFORD),
}


@_MANY
@given(st.data())
def test_changing_one_character_of_a_checksummed_identifier_fails(data: st.DataObject) -> None:
    scheme = data.draw(st.sampled_from(sorted(_CHECKSUMMED)))
    values, alphabet = _CHECKSUMMED[scheme]
    value = data.draw(values)
    position = data.draw(st.sampled_from([i for i, c in enumerate(value) if c != "-"]))
    other = data.draw(st.sampled_from([c for c in alphabet if c != value[position]]))
    changed = value[:position] + other + value[position + 1:]
    with pytest.raises(IdentifierError):
        check(scheme, changed)


def test_ror_checksum_is_checked() -> None:
    # Issue 9: this id was published as a ror.org IRI although its check digits are wrong.
    with pytest.raises(IdentifierError, match=r"checksum .*29"):
        normalize_ror("01k4yrm30")
    for known in ("04wxnsj81", "02mhbdp94", "05dxps055", "013meh722"):
        assert normalize_ror(known) == "https://ror.org/" + known
    assert check("ror", "ror.org/04WXNSJ81").value == "https://ror.org/04wxnsj81"
    with pytest.raises(IdentifierError, match="not a ROR id"):
        normalize_ror("0iwxnsj81")  # 'i' is not in Crockford's base32


@pytest.mark.parametrize(("scheme", "written", "canonical"), [
    ("isni", "0000 0001 2103 2683", "0000000121032683"),
    ("isni", "https://isni.org/isni/0000000121032683", "0000000121032683"),
    ("researcherid", "AAG-6046-2021", "AAG-6046-2021"),
    ("researcherid", "j-5112-2018", "J-5112-2018"),
    ("researcherid", "https://www.webofscience.com/wos/author/record/J-5112-2018",
     "J-5112-2018"),
    ("edn", "OUSNXK", "OUSNXK"),
    ("edn", "ousnxk", "OUSNXK"),
    ("spin", "1234-5678", "1234-5678"),
    ("spin", "12345678", "1234-5678"),
    ("elibrary", "618867", "618867"),
    ("scopus", "57193482193", "57193482193"),
    ("pmid", "PMID: 12345678", "12345678"),
    ("pmid", "https://pubmed.ncbi.nlm.nih.gov/12345678/", "12345678"),
    ("pmcid", "PMC1234567", "PMC1234567"),
    ("pmcid", "pmc1234567", "PMC1234567"),
    ("arxiv", "2101.00001v2", "2101.00001v2"),
    ("arxiv", "arXiv:0706.0001", "0706.0001"),
    ("arxiv", "https://arxiv.org/abs/1501.00001v1", "1501.00001v1"),
    ("arxiv", "hep-th/9901001", "hep-th/9901001"),
    ("arxiv", "math.gt/0309136v2", "math.GT/0309136v2"),
    ("crossref-funder", "501100000780", "10.13039/501100000780"),
    ("crossref-funder", "https://doi.org/10.13039/100000001", "10.13039/100000001"),
    ("handle", "https://hdl.handle.net/2027.42/123", "2027.42/123"),
    ("handle", "hdl:20.500.12345/678", "20.500.12345/678"),
    ("url", "https://example.org/a?b=c", "https://example.org/a?b=c"),
    ("local", "  report 12 ", "report 12"),
])
def test_written_forms_of_each_scheme(scheme: str, written: str, canonical: str) -> None:
    assert check(scheme, written).value == canonical


@pytest.mark.parametrize(("scheme", "bad"), [
    ("isni", "0000 0001 2103 2684"),  # check character
    ("isni", "0000 0001 2103"),
    ("researcherid", "nonsense"),
    ("researcherid", "AAAA-6046-2021"),  # four letters
    ("researcherid", "AAG-646-2021"),
    ("researcherid", "AAG-6046-1999"),  # before ResearcherID existed
    ("edn", "OUSNX1"),
    ("edn", "OUSNX"),
    ("edn", "\u041eUSNXK"),  # a Cyrillic O
    ("spin", "1234"),
    ("spin", "1234-567X"),
    ("elibrary", "12x456"),
    ("elibrary", "012345"),
    ("elibrary", "\u0661\u0662\u0663"),  # Arabic-Indic digits
    ("scopus", "5719-3482"),
    ("pmid", "PMC123"),
    ("pmcid", "1234567"),
    ("pmcid", "PMC"),
    ("arxiv", "0703.0001"),  # the new scheme started in April 2007
    ("arxiv", "1501.0001"),  # five digits from 2015
    ("arxiv", "1412.00001"),  # four digits before
    ("arxiv", "2113.00001"),  # month 13
    ("arxiv", "2101.00001v0"),
    ("arxiv", "hep-th/0801001"),  # the old scheme ended in March 2007
    ("arxiv", "hep-th/9013001"),
    ("crossref-funder", "10.1000/182"),
    ("crossref-funder", "10.13039/abc"),
    ("handle", "no-slash"),
    ("url", "www.example.org"),
    ("url", "https://exa mple.org/"),
    ("local", " "),
    ("local", "a\x00b"),
])
def test_invalid_values_of_each_scheme_are_refused_with_a_hint(scheme: str, bad: str) -> None:
    with pytest.raises(IdentifierError) as info:
        check(scheme, bad)
    assert info.value.hint


# -- DOIs: no silent change, suspicious ones remarked -----------------------------------------

def test_prefix_and_case_are_not_remarked_on() -> None:
    for written in ("10.1234/ABC", "https://doi.org/10.1234/abc", "doi: 10.1234/abc",
                    "info:doi/10.1234/abc"):
        assert check_doi(written) == check_doi("10.1234/abc")
        assert check_doi(written).remarks == ()


def test_a_stripped_trailing_period_is_a_warning() -> None:
    # Issue 9: "10.1234/abc." became 10.1234/abc with no notice.
    checked = check_doi("10.1234/abc.")
    assert checked.value == "10.1234/abc"
    assert [(r.severity, r.message) for r in checked.remarks] == [
        ("warning", "trailing '.' removed from the DOI")]
    assert checked.remarks[0].hint


@pytest.mark.parametrize("hyphen", ["\u2010", "\u2011", "\u2012", "\u2013", "\u2212"])
def test_look_alike_hyphens_are_suspicious(hyphen: str) -> None:
    checked = check_doi(f"10.1002/ange{hyphen}2024")
    assert checked.value == f"10.1002/ange{hyphen}2024"  # kept as written, never replaced
    [remark] = checked.remarks
    assert remark.severity == "warning"
    assert f"U+{ord(hyphen):04X}" in remark.message


@pytest.mark.parametrize("char", ["\u200d", "\u200b", "\u2060", "\u202e", "\u00ad"])
def test_an_invisible_character_inside_a_doi_is_suspicious(char: str) -> None:
    checked = check_doi(f"10.1000/ab{char}cd")
    [remark] = checked.remarks
    assert remark.severity == "warning" and f"U+{ord(char):04X}" in remark.message
    assert remark.message.startswith("suspicious DOI: it has the invisible")


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf", ".JPG"])
def test_a_file_name_ending_is_suspicious(suffix: str) -> None:
    [remark] = check_doi(f"10.1371/journal.pone.0233284.g001{suffix}").remarks
    assert remark.severity == "warning"
    assert remark.message.startswith("suspicious DOI")


def test_other_changes_leave_an_info_remark() -> None:
    assert [r.severity for r in check_doi("https://doi.org/10.1002%2Fabc").remarks] == ["info"]
    assert [r.severity for r in check_doi("\u200b10.1002/abc").remarks] == ["info"]
    assert [r.severity for r in check_doi("10.1002/cafe\u0301").remarks] == ["info"]


def test_dot_segments_are_percent_encoded_in_the_doi_iri() -> None:
    # Issue 9: 10.1000/../../x became an IRI that normalisers collapse to another one.
    assert doi_iri("10.1000/../../x") == "https://doi.org/10.1000/%2E%2E/%2E%2E/x"
    assert doi_iri("10.1000/./x/../y") == "https://doi.org/10.1000/%2E/x/%2E%2E/y"
    assert doi_iri("https://doi.org/10.1000/%2E%2E/x") == "https://doi.org/10.1000/%2E%2E/x"
    assert doi_iri("10.1000/.../x.") == "https://doi.org/10.1000/.../x"  # not a dot segment


@given(st.lists(st.sampled_from([".", "..", "a", "...", ".b", "c."]), min_size=1, max_size=6))
def test_no_doi_iri_has_a_dot_segment(segments: list[str]) -> None:
    doi = "10.1000/" + "/".join(segments) + "/z"
    path = doi_iri(doi).removeprefix("https://doi.org/")
    assert not {".", ".."} & set(path.split("/"))
    assert path.replace("%2E", ".") == normalize_doi(doi)
