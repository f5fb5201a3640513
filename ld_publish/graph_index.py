"""The triples of one record, indexed by subject and by object.

Built once per record (``RecordGraph.index()``) and shared by the SHACL engine and the JSON-LD
writer. Terms are N-Triples strings (:mod:`ld_publish.terms`), so building it is dictionary work
on strings whose hashes Python caches."""

from __future__ import annotations

from collections.abc import Iterable

from .terms import Term, Triple

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_EMPTY: list[Term] = []  # shared; callers never mutate what the index returns


class TripleIndex:
    """``out[s][p]`` and ``into[o][p]`` lists of terms; predicates keyed by their IRI string
    (without angle brackets)."""

    __slots__ = ("_objects_of", "having", "into", "out")

    def __init__(self, triples: Iterable[Triple]) -> None:
        out: dict[Term, dict[str, list[Term]]] = {}
        into: dict[Term, dict[str, list[Term]]] = {}
        having: dict[str, list[Term]] = {}  # predicate -> subjects with it (shapes' targets)
        predicates: dict[str, str] = {}
        # Hand-inlined: this runs for every triple of every record.
        for s, p_term, o in triples:
            p = predicates.get(p_term)
            if p is None:
                p = predicates[p_term] = p_term[1:-1]
            by = out.get(s)
            if by is None:
                out[s] = {p: [o]}
                subjects = having.get(p)
                if subjects is None:
                    having[p] = [s]
                else:
                    subjects.append(s)
            else:
                found = by.get(p)
                if found is None:
                    by[p] = [o]
                    subjects = having.get(p)
                    if subjects is None:
                        having[p] = [s]
                    else:
                        subjects.append(s)
                else:
                    found.append(o)
            by = into.get(o)
            if by is None:
                into[o] = {p: [s]}
            else:
                found = by.get(p)
                if found is None:
                    by[p] = [s]
                else:
                    found.append(s)
        self.out = out
        self.into = into
        self.having = having
        self._objects_of: dict[str, list[Term]] = {}

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        by_pred = self.out.get(subject)
        return by_pred.get(predicate, _EMPTY) if by_pred else _EMPTY

    def subjects(self, obj: Term, predicate: str) -> list[Term]:
        by_pred = self.into.get(obj)
        return by_pred.get(predicate, _EMPTY) if by_pred else _EMPTY

    def subjects_with(self, predicate: str) -> list[Term]:
        """Nodes with at least one ``predicate`` triple."""
        return self.having.get(predicate, _EMPTY)

    def objects_of(self, predicate: str) -> list[Term]:
        """Nodes that are the object of at least one ``predicate`` triple (kept: several
        shapes ask)."""
        found = self._objects_of.get(predicate)
        if found is None:
            out = self.out
            found = self._objects_of[predicate] = list(dict.fromkeys(
                o for s in self.having.get(predicate, _EMPTY) for o in out[s][predicate]))
        return found

    def instances(self, cls: str) -> list[Term]:
        """Nodes with ``rdf:type cls`` stated in the record (no RDFS subclass inference)."""
        return self.subjects(f"<{cls}>", RDF_TYPE)

    def has_type(self, node: Term, cls: str) -> bool:
        return f"<{cls}>" in self.objects(node, RDF_TYPE)
