"""Contract tests over every registered writer, and literal escaping (property-based).

Every document a writer produces must parse in two independent parsers (rdflib and pyoxigraph)
to exactly the graph the mapping made; any Unicode string must survive write-then-parse in every
format, or be refused with a clear error before anything is written.
"""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from ld_publish.errors import RecordError
from ld_publish.formats import rdf_formats
from ld_publish.graph import RecordGraph
from ld_publish.mapping import map_work
from ld_publish.model import Contributor, Identifier, Reference, Source, Text, Work
from ld_publish.text_hygiene import clean_text
from ld_publish.writers import writers

RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt",
                 "nquads": "nquads", "trig": "trig"}
OX_FORMAT = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
             "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
             "trig": ox.RdfFormat.TRIG}


def _work(title: str = "A title", name: str = "Ivanova A.") -> Work:
    return Work(
        key="10.1234/abc", source=Source("test", "json"), title=Text(title, "en"),
        identifiers=(Identifier("doi", "10.1234/abc"),),
        contributors=(Contributor(name, 1, family="Ivanova", given="A."),
                      Contributor("Smith J.", 2)),
        references=(Reference(1, raw="Ref one https://doi.org/10.1000/x",
                              doi=Identifier("doi", "10.1000/x")),
                    Reference(2, raw="Ref two (In Russ.)", language_note="In Russ.")),
    )


def _rdflib_graph(data: bytes, fmt: str) -> rdflib.Graph:
    if fmt in ("nquads", "trig"):
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMAT[fmt])
        graph = rdflib.Graph()
        for s, p, o, _g in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return rdflib.Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])


def _reference(graph: RecordGraph) -> rdflib.Graph:
    return rdflib.Graph().parse(data=graph.ntriples(), format="nt")


def _ox_triples(data: bytes, fmt: str) -> list[ox.Triple]:
    parsed = ox.parse(io.BytesIO(data), format=OX_FORMAT[fmt])
    return [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]


@pytest.mark.parametrize("name", writers.names())
def test_every_writer_round_trips_through_two_parsers(name: str) -> None:
    graph = map_work(_work()).graph
    data = writers.get(name).write(graph)
    assert isomorphic(_rdflib_graph(data, name), _reference(graph))
    parsed = _ox_triples(data, name)
    assert len(parsed) == len(graph.triples)
    assert isomorphic(_rdflib_graph(ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES)
                                    or b"", "ntriples"), _reference(graph))


@pytest.mark.parametrize("name", writers.names())
def test_every_writer_is_deterministic(name: str) -> None:
    first = writers.get(name).write(map_work(_work()).graph)
    second = writers.get(name).write(map_work(_work()).graph)
    assert first == second


def test_every_writer_has_a_format_value() -> None:
    for name, writer in writers.items():
        fmt = rdf_formats.get(name)
        assert writer.format == fmt
        assert fmt.media_type and fmt.extension


def test_jsonld_is_nested_around_the_work_with_authors_in_order() -> None:
    import json

    doc = json.loads(writers.get("jsonld").write(map_work(_work()).graph))
    work = doc["@graph"][0] if "@graph" in doc else doc
    assert work["@id"] == "https://doi.org/10.1234/abc"
    # A plain JSON array of people, in byline order, each embedded with its name.
    names = [author["name"] for author in work["author"]]
    assert names == ["Ivanova A.", "Smith J."]
    assert isinstance(doc["@context"], dict)  # inline: nothing to fetch


TITLE = "http://purl.org/dc/terms/title"
_any_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_any_text)
def test_any_string_survives_write_then_parse_in_every_format(text: str) -> None:
    graph = map_work(_work(title=text, name=text)).graph
    # What the mapping publishes: NFC, without control characters or line separators
    # (text_hygiene, tested on its own); the writers must keep that exactly.
    text = clean_text(text, "title")[0]
    for name in writers.names():
        data = writers.get(name).write(graph)
        titles = {str(o) for s, p, o in _rdflib_graph(data, name)
                  if str(p) == TITLE and str(s) == graph.root}
        assert titles == {text}, name
        ox_titles = {t.object.value for t in _ox_triples(data, name)
                     if t.predicate.value == TITLE and t.subject.value == graph.root}
        assert ox_titles == {text}, name


@pytest.mark.parametrize("text", [
    'x" } ; DROP ALL ; INSERT DATA { <http://a> <http://b> "y',
    'back\\slash "quotes" \'single\'', "line\nbreak\r\ttab", "a\x00\x01\x7f\x85\u2028b",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀", "\ufeffbom\u200bzero-width", "]]>\"\"\"", "@prefix x: <y> .",
])
def test_hostile_literals_come_back_verbatim(text: str) -> None:
    graph = map_work(_work(title=text)).graph
    text = clean_text(text, "title")[0]
    for name in writers.names():
        data = writers.get(name).write(graph)
        titles = {t.object.value for t in _ox_triples(data, name)
                  if t.predicate.value == TITLE and t.subject.value == graph.root}
        assert titles == {text}


def test_unpaired_surrogate_is_refused_with_the_field_named() -> None:
    with pytest.raises(RecordError, match="title"):
        map_work(_work(title="bad \ud800 text"))
