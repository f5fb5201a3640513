"""The bundled shapes: well-formed SHACL (checked by SHACL-for-SHACL), Core only, every
reporting shape annotated, and the fast engine refuses what it does not implement."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib

from ld_publish.errors import UsageError
from ld_publish.validation import UnsupportedShape, load_shapes
from ld_publish.validation.engine_fast import _NON_CONSTRAINING, compile_shapes
from ld_publish.validation.shapes import LDP, SH, reporting_shapes, shape_files

SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"
SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))


def test_default_shapes_are_the_bundled_folder() -> None:
    assert shape_files() == tuple(SHAPE_FILES)
    assert len(SHAPE_FILES) >= 5


@pytest.fixture(scope="module")
def shacl_shacl() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_DIR / "meta" / "shacl-shacl.ttl", format="turtle")


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_each_shapes_file_conforms_to_shacl_for_shacl(path: Path,
                                                      shacl_shacl: rdflib.Graph) -> None:
    graph = rdflib.Graph().parse(path, format="turtle")
    # The nested sh:or/alternative-path lists go deeper than pyshacl's default limit of 15.
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shacl_shacl, inference="none",
                                         max_validation_depth=64)
    assert conforms, text


def test_shacl_for_shacl_catches_a_malformed_shape(shacl_shacl: rdflib.Graph) -> None:
    bad = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:minCount "one" ; sh:maxCount 1 , 2 ] .
    """, format="turtle")
    conforms, _, _ = pyshacl.validate(bad, shacl_graph=shacl_shacl, inference="none",
                                      max_validation_depth=64)
    assert not conforms


def test_sparql_appears_only_in_declared_components_with_a_python_twin() -> None:
    # SHACL Core everywhere; SHACL-SPARQL only as the constraint components of components.ttl,
    # each of which the fast engine implements natively (no ad-hoc sh:sparql constraints).
    from ld_publish.validation.components import NATIVE

    sparql_terms = {SH.sparql, SH.select, SH.ask, SH.prefixes, SH.declare, SH.rule,
                    SH.condition, SH.expression}
    for path in SHAPE_FILES:
        used = {p for p in rdflib.Graph().parse(path, format="turtle").predicates()}
        if path.name != "components.ttl":
            assert not used & sparql_terms, path.name
    graph = load_shapes().graph
    declared = {str(c) for c in graph.subjects(rdflib.RDF.type, SH.ConstraintComponent)}
    assert declared == set(NATIVE)
    assert not set(graph.subjects(SH.sparql, None))
    # ... used on node shapes only (reached through sh:node): pySHACL leaves sh:value out of
    # the results of SPARQL-based components on property shapes.
    parameters = {graph.value(p, SH.path) for c in graph.subjects(rdflib.RDF.type,
                  SH.ConstraintComponent) for p in graph.objects(c, SH.parameter)}
    for parameter in parameters:
        for shape in graph.subjects(parameter, None):
            assert graph.value(shape, SH.path) is None, (shape, parameter)


def test_every_reporting_shape_has_message_severity_hint_and_field() -> None:
    shapes = load_shapes()
    g = shapes.graph
    reporting = reporting_shapes(g)
    assert len(reporting) > 40
    for shape in reporting:
        label = shapes.describe(shape).label
        own = {p for p in g.predicates(shape) if str(p).startswith(str(SH))}
        if not own - _NON_CONSTRAINING:
            continue  # a class shape that only groups sh:property shapes reports nothing itself
        for prop in (SH.message, SH.severity, LDP.hint, LDP.field):
            assert g.value(shape, prop) is not None, f"{label} lacks {prop}"
        assert g.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info)


def test_one_shape_per_emitted_class() -> None:
    g = load_shapes().graph
    targeted = {str(o) for o in g.objects(None, SH.targetClass)}
    expected = {
        "http://schema.org/ScholarlyArticle", "http://purl.org/spar/fabio/Expression",
        "http://schema.org/Person", "http://xmlns.com/foaf/0.1/Person",
        "http://schema.org/Organization", "http://xmlns.com/foaf/0.1/Organization",
        "http://purl.org/spar/pro/RoleInTime", "http://purl.org/spar/datacite/Identifier",
        "http://schema.org/PropertyValue", "http://purl.org/spar/biro/BibliographicReference",
        "http://purl.org/spar/fabio/Journal", "http://purl.org/spar/fabio/JournalVolume",
        "http://purl.org/spar/fabio/JournalIssue", "http://schema.org/Periodical",
        "http://schema.org/PublicationVolume", "http://schema.org/PublicationIssue",
        "http://schema.org/MonetaryGrant", "http://purl.org/cerif/frapo/Grant",
        "http://www.w3.org/ns/prov#Entity",
    }
    assert expected <= targeted


def test_shape_labels_are_unique_and_stable() -> None:
    first = load_shapes()
    second = load_shapes()
    labels_first = sorted(i.label for i in first.info.values())
    labels_second = sorted(i.label for i in second.info.values())
    assert labels_first == labels_second
    assert len(set(labels_first)) == len(labels_first)


def test_the_fast_engine_compiles_the_bundled_shapes() -> None:
    program = compile_shapes(load_shapes())
    assert len(program.targeted) >= 20


@pytest.mark.parametrize("snippet, construct", [
    ("sh:xone ( [ sh:datatype xsd:string ] [ sh:datatype xsd:date ] )", "xone"),
    ("sh:closed true", "closed"),
    ("sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ]", "zeroOrMorePath"),
    ("sh:property [ sh:path ex:p ; sh:datatype xsd:decimal ]", "decimal"),
    ("sh:property [ sh:path ex:p ; sh:equals ex:q ]", "equals"),
    ("sh:property [ sh:path ex:p ; sh:pattern \"a\" ; sh:flags \"q\" ]", "flags"),
])
def test_unsupported_constructs_are_refused_by_name(tmp_path: Path, snippet: str,
                                                    construct: str) -> None:
    path = tmp_path / "custom.ttl"
    path.write_text(f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; {snippet} .
    """, encoding="utf-8")
    with pytest.raises(UnsupportedShape) as caught:
        compile_shapes(load_shapes([path]))
    assert construct in caught.value.message


def test_missing_or_broken_shapes_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_shapes([tmp_path / "nope.ttl"])
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(UsageError):
        load_shapes([broken])
    with pytest.raises(UsageError):
        load_shapes([tmp_path / "empty-dir-does-not-exist"])
