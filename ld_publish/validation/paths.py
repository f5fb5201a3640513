"""SHACL property paths compiled to functions over a record's triple index (fast engine)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import rdflib
from rdflib.collection import Collection
from rdflib.term import Node, URIRef

from ..graph_index import TripleIndex
from ..terms import Term
from .shapes import SH, UnsupportedShape

# -- paths --------------------------------------------------------------------------------------

PathFn = Callable[[TripleIndex, Term], list[Term]]
_EMPTY: list[Term] = []


@dataclass(frozen=True)
class CompiledPath:
    """``values(index, focus)``; ``distinct`` when the values cannot repeat (a graph has no
    duplicate triples, so one predicate or its inverse never yields a node twice)."""

    values: PathFn
    distinct: bool
    steps: tuple[tuple[bool, str], ...] = ()  # (inverse?, predicate) for simple alternatives


def _simple(inverse: bool, iri: str) -> CompiledPath:
    if inverse:
        def backward(idx: TripleIndex, node: Term) -> list[Term]:
            by = idx.into.get(node)
            return by.get(iri, _EMPTY) if by else _EMPTY
        return CompiledPath(backward, True, ((True, iri),))

    def forward(idx: TripleIndex, node: Term) -> list[Term]:
        by = idx.out.get(node)
        return by.get(iri, _EMPTY) if by else _EMPTY
    return CompiledPath(forward, True, ((False, iri),))


def compile_path(graph: rdflib.Graph, path: Node) -> CompiledPath:
    if isinstance(path, URIRef):
        return _simple(False, str(path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        if not isinstance(inverse, URIRef):
            raise UnsupportedShape(f"sh:inversePath of a complex path ({path}) is not supported",
                                   hint="write the inverse of each alternative instead")
        return _simple(True, str(inverse))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [compile_path(graph, p) for p in Collection(graph, alternatives)]
        if all(len(p.steps) == 1 for p in parts):
            forward = tuple(iri for p in parts for inv, iri in p.steps if not inv)
            backward = tuple(iri for p in parts for inv, iri in p.steps if inv)

            def either(idx: TripleIndex, node: Term) -> list[Term]:
                found: list[Term] = []
                by = idx.out.get(node)
                if by and forward:
                    for iri in forward:
                        found.extend(by.get(iri, _EMPTY))
                by = idx.into.get(node)
                if by and backward:
                    for iri in backward:
                        found.extend(by.get(iri, _EMPTY))
                return found
            return CompiledPath(either, False, tuple(step for p in parts for step in p.steps))
        fns = [p.values for p in parts]
        return CompiledPath(lambda idx, node: [v for fn in fns for v in fn(idx, node)], False)
    if graph.value(path, rdflib.RDF.first) is not None:
        steps = [compile_path(graph, p).values for p in Collection(graph, path)]

        def sequence(idx: TripleIndex, node: Term) -> list[Term]:
            current = [node]
            for step in steps:
                current = list(dict.fromkeys(v for n in current for v in step(idx, n)))
            return current
        return CompiledPath(sequence, True)
    for key in (SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        if graph.value(path, key) is not None:
            raise UnsupportedShape(f"property path {key.n3()} is not supported by the fast engine",
                                   hint="use --engine pyshacl, or a predicate/inverse/"
                                        "alternative/sequence path")
    raise UnsupportedShape(f"malformed property path {path}", hint="check the sh:path value")
