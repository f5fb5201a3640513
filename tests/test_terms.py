"""Record graphs keep terms as N-Triples text; it must be exactly what pyoxigraph would print,
and parse back to the same value."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ld_publish import terms

# Any text pyoxigraph accepts (no lone surrogates), weighted towards what needs escaping.
texts = st.text(alphabet=st.one_of(
    st.sampled_from('"\\\n\r\t\b\f\x00\x1f\x7f\u2028 \u00e9\u0416'),
    st.characters(blacklist_categories=("Cs",)),
))
languages = st.sampled_from(["en", "EN", "ru", "pt-BR", "zh-Hant-TW", "de-CH-1996"])
datatypes = st.sampled_from(["http://www.w3.org/2001/XMLSchema#date",
                             "http://www.w3.org/2001/XMLSchema#string",
                             "http://www.w3.org/2001/XMLSchema#integer"])


@given(texts)
def test_plain_literals_are_printed_as_pyoxigraph_prints_them(value: str) -> None:
    term = terms.literal(value)
    assert term == str(ox.Literal(value))
    assert terms.literal_parts(term) == (value, None, terms.XSD_STRING)


@given(texts, languages)
def test_language_literals_are_printed_as_pyoxigraph_prints_them(value: str, lang: str) -> None:
    term = terms.literal(value, language=lang)
    assert term == str(ox.Literal(value, language=lang))
    assert terms.literal_parts(term) == (value, lang.lower(), terms.RDF_LANGSTRING)


@given(texts, datatypes)
def test_typed_literals_are_printed_as_pyoxigraph_prints_them(value: str, datatype: str) -> None:
    term = terms.literal(value, datatype=f"<{datatype}>")
    assert term == str(ox.Literal(value, datatype=ox.NamedNode(datatype)))
    assert terms.literal_parts(term)[0] == value
    assert terms.to_ox(term) == ox.Literal(value, datatype=ox.NamedNode(datatype))


@pytest.mark.parametrize("bad", ["en_GB", "", "a-", "123"])
def test_a_malformed_language_tag_is_refused(bad: str) -> None:
    if not bad:
        assert terms.literal("x", language=bad) == '"x"'  # no tag given
        return
    with pytest.raises(ValueError):
        terms.literal("x", language=bad)


@pytest.mark.parametrize("bad", ["not an iri", "http://exa mple.org/", "relative/path",
                                 "http://example.org/%zz"])
def test_iris_are_checked_by_pyoxigraph(bad: str) -> None:
    with pytest.raises(ValueError):
        terms.iri(bad)


def test_a_lone_surrogate_is_refused() -> None:
    with pytest.raises((ValueError, UnicodeError)):
        terms.literal("a\ud800b")
