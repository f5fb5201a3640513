"""The fast engine's compiled program and how it runs: shapes compiled to checks over a record's
triple index (:mod:`.engine_fast` compiles them), grouped by their targets.

Split from the compiler so that each module holds one concept: this is what runs per record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rdflib.term import Node

from ..graph_index import TripleIndex
from ..terms import Term, Triple
from .paths import CompiledPath
from .results import RawResult
from .term_tests import ValueTest

Failure = tuple[str, Term | None]  # (constraint component local name, value node or None)


# -- shapes -------------------------------------------------------------------------------------

Check = Callable[["Evaluation", Term, list[Term]], list[Failure]]
NO_FAILURES: list[Failure] = []  # shared; never mutated
NO_VALUES: list[Term] = []  # shared; never mutated


def _forward_values(by: dict[str, list[Term]] | None, forward: tuple[str, ...]
                    ) -> list[Term]:
    """The values of a focus node (``by``: its outgoing edges by predicate) on the forward
    predicates of a property shape, each once."""
    if not by:
        return NO_VALUES
    if len(forward) == 1:
        return by.get(forward[0], NO_VALUES)
    values = [v for iri in forward for v in by.get(iri, NO_VALUES)]
    return list(dict.fromkeys(values)) if len(values) > 1 else values


@dataclass(eq=False)
class CompiledShape:
    node: Node
    path: CompiledPath | None
    severity: str
    message: str
    deactivated: bool = False
    checks: list[Check] = field(default_factory=list)
    empty_checks: list[Check] = field(default_factory=list)
    properties: list[CompiledShape] = field(default_factory=list)
    # Set when the shape judges a node by the node alone (datatype, pattern, in, ... and
    # and/or/not/node of such shapes): then conformance is a plain function of the term, with
    # no graph lookups and nothing to memoise. Literal values are mostly judged this way.
    predicate: ValueTest | None = None
    # The predicate IRIs when the path is one forward predicate or an alternative of forward
    # predicates (most property shapes): the parent then looks the values up itself instead of
    # calling results() for each.
    forward: tuple[str, ...] | None = None

    def results(self, ev: Evaluation, focus: Term, out: list[tuple[CompiledShape, Failure]],
                first_only: bool = False) -> None:
        if self.deactivated:
            return
        path = self.path
        if path is None:
            values = [focus]
        else:
            values = path.values(ev.index, focus)
            if not path.distinct and len(values) > 1:
                values = list(dict.fromkeys(values))
        for check in self.checks if values else self.empty_checks:
            for failure in check(ev, focus, values):
                out.append((self, failure))
                if first_only:
                    return
        if not self.properties:
            return
        by = ev.index.out.get(focus)
        for prop in self.properties:
            forward = prop.forward
            if forward is None:
                prop.results(ev, focus, out, first_only)
                if first_only and out:
                    return
                continue
            # prop.results() inlined for the common case: see ``forward``.
            values = _forward_values(by, forward)
            for check in prop.checks if values else prop.empty_checks:
                for failure in check(ev, focus, values):
                    out.append((prop, failure))
                    if first_only:
                        return

    def conforms(self, ev: Evaluation, node: Term) -> bool:
        if self.predicate is not None:
            return self.predicate(node)
        forward = self.forward
        if forward is not None:
            # A property shape on forward predicates (the members of most sh:or lists): its
            # checks run straight on the values, cheaper than remembering the verdict.
            values = _forward_values(ev.index.out.get(node), forward)
            for check in self.checks if values else self.empty_checks:
                if check(ev, node, values):
                    return False
            return True
        key = (id(self), node)
        known = ev.memo.get(key)
        if known is None:
            found: list[tuple[CompiledShape, Failure]] = []
            self.results(ev, node, found, first_only=True)
            known = not found
            ev.memo[key] = known
        return known


@dataclass(eq=False)
class Evaluation:
    index: TripleIndex
    memo: dict[tuple[int, Term], bool] = field(default_factory=dict)


#: A target declaration: ("class" | "node" | "subjectsOf" | "objectsOf", IRI or term).
Target = tuple[str, str]


def _focus_nodes(index: TripleIndex, targets: tuple[Target, ...]) -> Iterable[Term]:
    found: list[Term] = []
    for kind, value in targets:
        if kind == "class":
            found.extend(index.instances(value))
        elif kind == "subjectsOf":
            found.extend(index.subjects_with(value))
        elif kind == "objectsOf":
            found.extend(index.objects_of(value))
        else:
            found.append(value)
    return found if len(targets) == 1 else dict.fromkeys(found)


@dataclass(eq=False)
class Program:
    """Compiled shapes, grouped by their targets: shapes about one kind of node share their
    targets, so each group's focus nodes are found once per record."""

    groups: list[tuple[tuple[Target, ...], list[CompiledShape]]]

    @property
    def targeted(self) -> list[tuple[CompiledShape, tuple[Target, ...]]]:
        return [(shape, targets) for targets, shapes in self.groups for shape in shapes]

    def run(self, triples: Iterable[Triple] | TripleIndex) -> list[RawResult]:
        index = triples if isinstance(triples, TripleIndex) else TripleIndex(triples)
        ev = Evaluation(index)
        results: list[RawResult] = []
        for targets, shapes in self.groups:
            for focus in _focus_nodes(index, targets):
                for shape in shapes:
                    found: list[tuple[CompiledShape, Failure]] = []
                    shape.results(ev, focus, found)
                    for source, (component, value) in found:
                        results.append(RawResult(
                            focus=focus, shape=source.node, component=component,
                            value=value, severity=source.severity,  # type: ignore[arg-type]
                            message=source.message))
        return results
