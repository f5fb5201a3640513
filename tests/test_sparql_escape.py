"""The one escaping function, against a real SPARQL engine (pyoxigraph)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ld_publish.sparql_escape import sparql_term

STORE = ox.Store()


def roundtrip(term: ox.Literal) -> ox.Literal:
    result = STORE.query(f"SELECT ?x WHERE {{ BIND({sparql_term(term)} AS ?x) }}")
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))["x"]
    assert isinstance(value, ox.Literal)
    return value


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_string_round_trips_through_a_literal(text: str) -> None:
    assert roundtrip(ox.Literal(text)) == ox.Literal(text)


@settings(max_examples=100, deadline=None)
@given(st.text(), st.sampled_from(["en", "de-CH", "x-private"]))
def test_language_literals_round_trip(text: str, lang: str) -> None:
    assert roundtrip(ox.Literal(text, language=lang)) == ox.Literal(text, language=lang)


def test_typed_literal_keeps_its_datatype() -> None:
    term = ox.Literal("2024-01-31", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    assert roundtrip(term) == term


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1))
def test_a_string_is_either_a_safe_iri_or_refused(value: str) -> None:
    iri = f"http://example.org/{value}"
    try:
        text = sparql_term(iri)
    except ValueError:
        forbidden = any(c in '<>"{}|^`\\' or ord(c) <= 0x20 for c in value)
        if not forbidden:
            with pytest.raises(ValueError):
                ox.NamedNode(iri)
        return
    result = STORE.query(f"SELECT ?x WHERE {{ BIND({text} AS ?x) }}")
    assert isinstance(result, ox.QuerySolutions)
    assert next(iter(result))["x"] == ox.NamedNode(iri)


@pytest.mark.parametrize("bad", ["http://a b", "http://a>b", 'http://a"b', "http://a{b}",
                                 "http://a|b", "http://a^b", "http://a`b", "http://a\\b",
                                 "http://a\nb", "http://a\x00b", "", "no-scheme"])
def test_unsafe_iris_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        sparql_term(bad)


def test_injection_attempt_stays_one_literal() -> None:
    hostile = 'x" } ; DROP ALL ; INSERT DATA { <http://a> <http://b> "y'
    STORE.update("INSERT DATA { <http://s> <http://p> <http://o> }")
    STORE.update(f"INSERT DATA {{ GRAPH <http://g> {{ <http://s> <http://p> "
                 f"{sparql_term(ox.Literal(hostile))} }} }}")
    assert len(list(STORE)) == 2
    assert roundtrip(ox.Literal(hostile)).value == hostile


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(ValueError, match="IRI contains"):
        sparql_term("http://example.org/a\ud800b")
