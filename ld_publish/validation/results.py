"""What an engine returns: one raw SHACL result per failed constraint, in engine-neutral form.

Both engines produce these, so the contract test can compare them field by field before any
presentation (field paths, hints, merging) is added.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.term import Node

from .shapes import Severity


@dataclass(frozen=True, slots=True, order=True)
class RawResult:
    """``focus`` and ``value`` are N-Triples forms of pyoxigraph terms (``<iri>``, ``"x"@en``);
    ``component`` is the local name of the constraint component (``MinCountConstraintComponent``).
    """

    focus: str
    shape: Node
    component: str
    value: str | None
    severity: Severity
    message: str

    @property
    def key(self) -> tuple[str, str, str, str | None, str, str]:
        """Everything the two engines must agree on."""
        return (self.focus, str(self.shape), self.component, self.value, self.severity,
                self.message)


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """Display form: the IRI, the literal's lexical form, ``_:id`` for a blank node."""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def parse_term(nt: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Back from the N-Triples form kept in :class:`RawResult`."""
    if nt.startswith("<"):
        return ox.NamedNode(nt[1:-1])
    if nt.startswith("_:"):
        return ox.BlankNode(nt[2:])
    triples = list(ox.parse(f"<x:s> <x:p> {nt} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    obj = triples[0].object
    assert isinstance(obj, ox.Literal)
    return obj
