"""The triples of one record, indexed by subject and by object for path look-ups."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = ox.NamedNode | ox.BlankNode


class TripleIndex:
    """``out[s][p]`` and ``into[o][p]`` lists of terms; predicates keyed by their IRI string."""

    __slots__ = ("into", "out")

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        out: dict[Term, dict[str, list[Term]]] = {}
        into: dict[Term, dict[str, list[Term]]] = {}
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            out.setdefault(s, {}).setdefault(p, []).append(o)  # type: ignore[arg-type]
            into.setdefault(o, {}).setdefault(p, []).append(s)  # type: ignore[arg-type]
        self.out = out
        self.into = into

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        by_pred = self.out.get(subject)
        return by_pred.get(predicate, []) if by_pred else []

    def subjects(self, obj: Term, predicate: str) -> list[Term]:
        by_pred = self.into.get(obj)
        return by_pred.get(predicate, []) if by_pred else []

    def instances(self, cls: str) -> list[Term]:
        """Nodes with ``rdf:type cls`` stated in the record (no RDFS subclass inference)."""
        return self.subjects(ox.NamedNode(cls), RDF_TYPE)

    def has_type(self, node: Term, cls: str) -> bool:
        return any(isinstance(t, ox.NamedNode) and t.value == cls
                   for t in self.objects(node, RDF_TYPE))
