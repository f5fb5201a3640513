"""The reference engine: pyshacl over the record graph (no inference, SHACL Core only).

Slow (milliseconds per record) but independent of our code; it is the oracle the fast engine
is tested against, and the engine to use with custom shapes the fast engine cannot compile.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.term import BNode, Node, URIRef

from .results import RawResult
from .shapes import SEVERITIES, SH, Shapes, compact

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    # rdflib logs a traceback for every ill-typed literal ("2024-13-45"^^xsd:date); reporting
    # those is the validator's job, so the log noise is muted while the graph is built.
    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language, normalize=False)
    if term.datatype.value == XSD_STRING:
        return rdflib.Literal(term.value, normalize=False)
    return rdflib.Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    with _quiet_rdflib():
        for t in triples:
            graph.add((_rdflib_term(t.subject), _rdflib_term(t.predicate),  # type: ignore[arg-type]
                       _rdflib_term(t.object)))  # type: ignore[arg-type]
    return graph


def _ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None and str(term.datatype) != XSD_STRING:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


@lru_cache(maxsize=256)
def _translated(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Any:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    return translateQuery(parseQuery(text), base, dict(namespaces))


@cache
def _prepare_queries_once() -> None:
    """pySHACL hands rdflib each SPARQL validator as text for every value node it checks, and
    rdflib parses it again each time (0.1-0.2 s for the ORCID check). A parsed and translated
    query is reusable (it is what rdflib's own ``prepareQuery`` returns), so the translation is
    kept per query text: the same evaluation, without the repeated parsing."""
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    evaluate = SPARQLProcessor.query

    def query(self: SPARQLProcessor, strOrQuery: Any,
              initBindings: Mapping[str, Any] | None = None,
              initNs: Mapping[str, Any] | None = None, base: str | None = None,
              DEBUG: bool = False) -> Any:
        if isinstance(strOrQuery, str):
            strOrQuery = _translated(strOrQuery, base, tuple(sorted((initNs or {}).items())))
        return evaluate(self, strOrQuery, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign]


def component_name(iri: str) -> str:
    """``MinCountConstraintComponent`` for SHACL's own, ``ldp:...`` for the SPARQL-based ones."""
    return iri[len(str(SH)):] if iri.startswith(str(SH)) else compact(iri)


def validate(triples: Iterable[ox.Triple], shapes: Shapes) -> list[RawResult]:
    _prepare_queries_once()
    data = to_rdflib(triples)
    with _quiet_rdflib():
        _conforms, report, _text = pyshacl.validate(
            data, shacl_graph=shapes.graph, inference="none", advanced=False,
            abort_on_first=False, allow_infos=True, allow_warnings=True)
    assert isinstance(report, rdflib.Graph)
    results: list[RawResult] = []
    # Only top-level results: pyshacl also lists why a nested sh:node shape failed, as
    # sh:detail results hanging off the parent result.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        value = report.value(result, SH.value)
        assert focus is not None and shape is not None and component is not None
        results.append(RawResult(
            focus=str(_ox_term(focus)), shape=shape,
            component=component_name(str(component)),
            value=None if value is None else str(_ox_term(value)),
            severity=SEVERITIES.get(severity, "violation") if severity else "violation",
            # The shape's own sh:message: pySHACL adds a generic one beside it for
            # SPARQL-based components, and which of two it lists first is not defined.
            message=shapes.describe(shape).message))
    return results
