"""The fast engine: the shapes graph compiled once into Python checks over a record's triples.

It implements exactly the SHACL Core subset the bundled shapes use (see
docs/decisions/0002-validation.md). A shape that uses anything else fails to compile with an
error naming the construct, so no constraint is silently skipped. pyshacl is the oracle: the
contract tests run both engines and require identical results.

Difference from full SHACL: sh:targetClass does not follow rdfs:subClassOf triples in the data
graph. The mapping states every class explicitly, so no record relies on that inference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import rdflib
from rdflib.collection import Collection
from rdflib.term import Node

from ..graph_index import TripleIndex
from ..terms import Term, Triple
from .paths import CompiledPath, compile_path
from .results import RawResult
from .shapes import SH, Shapes, UnsupportedShape
from .term_tests import (
    ValueTest,
    all_of,
    any_of,
    count,
    datatype_test,
    lang_matches,
    language,
    node_kind_test,
    regex_flags,
    text,
    to_term,
)

# Parameters that do not constrain anything (or are read by the shape itself).
_NON_CONSTRAINING = {
    SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.property, SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order,
    SH.group, SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.defaultValue,
}


Failure = tuple[str, Term | None]  # (constraint component local name, value node or None)


# -- shapes -------------------------------------------------------------------------------------

Check = Callable[["Evaluation", Term, list[Term]], list[Failure]]
_NO_FAILURES: list[Failure] = []  # shared; never mutated
_NO_VALUES: list[Term] = []  # shared; never mutated


# Components that can fail when a path has no values; the others only judge values present.
_COUNTING = frozenset({SH.minCount, SH.hasValue, SH.qualifiedValueShape})


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
    # The predicate IRI when the path is one forward predicate (most property shapes): the
    # parent then looks the values up itself instead of calling results() for each.
    forward: str | None = None

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
            iri = prop.forward
            if iri is None:
                prop.results(ev, focus, out, first_only)
                if first_only and out:
                    return
                continue
            # prop.results() inlined for the common case: see ``forward``.
            values = by.get(iri, _NO_VALUES) if by else _NO_VALUES
            for check in prop.checks if values else prop.empty_checks:
                for failure in check(ev, focus, values):
                    out.append((prop, failure))
                    if first_only:
                        return

    def conforms(self, ev: Evaluation, node: Term) -> bool:
        if self.predicate is not None:
            return self.predicate(node)
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


@dataclass(eq=False)
class Program:
    """Compiled shapes: the targeted shapes and how to find their focus nodes."""

    targeted: list[tuple[CompiledShape, list[Callable[[TripleIndex], Iterable[Term]]]]]

    def run(self, triples: Iterable[Triple] | TripleIndex) -> list[RawResult]:
        index = triples if isinstance(triples, TripleIndex) else TripleIndex(triples)
        ev = Evaluation(index)
        results: list[RawResult] = []
        for shape, targets in self.targeted:
            if shape.deactivated:
                continue
            if len(targets) == 1:
                focus_nodes: Iterable[Term] = targets[0](index)
            else:
                focus_nodes = dict.fromkeys(n for target in targets for n in target(index))
            for focus in focus_nodes:
                found: list[tuple[CompiledShape, Failure]] = []
                shape.results(ev, focus, found)
                for source, (component, value) in found:
                    results.append(RawResult(
                        focus=focus, shape=source.node, component=component,
                        value=value,
                        severity=source.severity, message=source.message))  # type: ignore[arg-type]
        return results


def _class_target(cls: str) -> Callable[[TripleIndex], Iterable[Term]]:
    return lambda idx: idx.instances(cls)


def _node_target(term: Term) -> Callable[[TripleIndex], Iterable[Term]]:
    return lambda idx: [term]


def _subjects_of_target(pred: str) -> Callable[[TripleIndex], Iterable[Term]]:
    return lambda idx: idx.subjects_with(pred)


def _objects_of_target(pred: str) -> Callable[[TripleIndex], Iterable[Term]]:
    return lambda idx: idx.objects_of(pred)


class Compiler:
    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.graph = shapes.graph
        self.compiled: dict[Node, CompiledShape] = {}
        # The term-only test behind a check, for checks that need no graph (see predicate).
        self.value_tests: dict[int, ValueTest] = {}

    def program(self) -> Program:
        g = self.graph
        targeted = []
        kinds = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        roots = sorted({s for k in kinds for s in g.subjects(k, None)}, key=str)
        for node in roots:
            targets: list[Callable[[TripleIndex], Iterable[Term]]] = []
            for cls in g.objects(node, SH.targetClass):
                targets.append(_class_target(str(cls)))
            for term in g.objects(node, SH.targetNode):
                targets.append(_node_target(to_term(term)))
            for pred in g.objects(node, SH.targetSubjectsOf):
                targets.append(_subjects_of_target(str(pred)))
            for pred in g.objects(node, SH.targetObjectsOf):
                targets.append(_objects_of_target(str(pred)))
            targeted.append((self.shape(node), targets))
        return Program(targeted)

    def shape(self, node: Node) -> CompiledShape:
        if node in self.compiled:
            return self.compiled[node]
        g = self.graph
        path_node = g.value(node, SH.path)
        info = self.shapes.describe(node)
        shape = CompiledShape(
            node=node, path=compile_path(g, path_node) if path_node is not None else None,
            severity=info.severity, message=info.message,
            deactivated=bool(g.value(node, SH.deactivated) == rdflib.Literal(True)))
        self.compiled[node] = shape  # before the parts, so recursive shapes terminate
        for pred, obj in sorted(g.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
            if pred == SH.property:
                shape.properties.append(self.shape(obj))
            elif pred in _NON_CONSTRAINING or not str(pred).startswith(str(SH)):
                continue
            else:
                check = self.check(node, pred, obj)
                shape.checks.append(check)
                if pred in _COUNTING:
                    shape.empty_checks.append(check)
        path = shape.path
        if (path is not None and path.distinct and len(path.steps) == 1 and not path.steps[0][0]
                and not shape.properties and not shape.deactivated):
            shape.forward = path.steps[0][1]
        tests = [self.value_tests.get(id(check)) for check in shape.checks]
        if (shape.path is None and not shape.properties and not shape.deactivated and tests
                and all(t is not None for t in tests)):
            shape.predicate = all_of([t for t in tests if t is not None])
        return shape

    def _value_check(self, component: str, test: ValueTest) -> Check:
        check = _per_term(component, test)
        self.value_tests[id(check)] = test
        return check

    def check(self, node: Node, pred: Node, obj: Node) -> Check:
        g = self.graph
        name = str(pred)[len(str(SH)):]
        if pred == SH.minCount:
            n = count(obj)
            return lambda ev, f, vs: [] if len(vs) >= n else [("MinCountConstraintComponent", None)]
        if pred == SH.maxCount:
            n = count(obj)
            return lambda ev, f, vs: [] if len(vs) <= n else [("MaxCountConstraintComponent", None)]
        if pred == SH.datatype:
            return self._value_check("DatatypeConstraintComponent", datatype_test(str(obj)))
        if pred == SH.nodeKind:
            return self._value_check("NodeKindConstraintComponent", node_kind_test(obj))
        if pred == SH.pattern:
            flags = g.value(node, SH.flags)
            regex = re.compile(str(obj), regex_flags(str(flags) if flags is not None else ""))
            return self._value_check("PatternConstraintComponent",
                                     lambda v: (t := text(v)) is not None
                                     and regex.search(t) is not None)
        if pred == SH.minLength:
            n = count(obj)
            return self._value_check("MinLengthConstraintComponent",
                                     lambda v: (t := text(v)) is not None and len(t) >= n)
        if pred == SH.maxLength:
            n = count(obj)
            return self._value_check("MaxLengthConstraintComponent",
                                     lambda v: (t := text(v)) is not None and len(t) <= n)
        if pred == SH["class"]:
            cls = str(obj)
            return _per_value("ClassConstraintComponent",
                              lambda ev, v: v[0] != '"' and ev.index.has_type(v, cls))
        if pred == SH.hasValue:
            wanted = to_term(obj)
            return lambda ev, f, vs: [] if wanted in vs else [("HasValueConstraintComponent",
                                                                 None)]
        if pred == SH["in"]:
            allowed = {to_term(t) for t in Collection(g, obj)}
            return self._value_check("InConstraintComponent", allowed.__contains__)
        if pred == SH.languageIn:
            tags = [str(t).lower() for t in Collection(g, obj)]
            return self._value_check("LanguageInConstraintComponent",
                                     lambda v: (lang := language(v)) is not None
                                     and any(lang_matches(lang, t) for t in tags))
        if pred == SH.uniqueLang:
            if obj != rdflib.Literal(True):
                return lambda ev, f, vs: []
            return _unique_lang
        if pred == SH.node:
            inner = self.shape(obj)
            if inner.predicate is not None:
                return self._value_check("NodeConstraintComponent", inner.predicate)
            return _per_value("NodeConstraintComponent", lambda ev, v: inner.conforms(ev, v))
        if pred == SH["not"]:
            inner = self.shape(obj)
            if (test := inner.predicate) is not None:
                return self._value_check("NotConstraintComponent", lambda v: not test(v))
            return _per_value("NotConstraintComponent", lambda ev, v: not inner.conforms(ev, v))
        if pred == SH["or"]:
            members = [self.shape(m) for m in Collection(g, obj)]
            tests = [m.predicate for m in members]
            if all(t is not None for t in tests):
                return self._value_check("OrConstraintComponent",
                                         any_of([t for t in tests if t is not None]))
            return _per_value("OrConstraintComponent",
                              lambda ev, v: any(m.conforms(ev, v) for m in members))
        if pred == SH["and"]:
            members = [self.shape(m) for m in Collection(g, obj)]
            tests = [m.predicate for m in members]
            if all(t is not None for t in tests):
                return self._value_check("AndConstraintComponent",
                                         all_of([t for t in tests if t is not None]))
            return _per_value("AndConstraintComponent",
                              lambda ev, v: all(m.conforms(ev, v) for m in members))
        if pred == SH.qualifiedValueShape:
            return self._qualified(node, obj)
        raise UnsupportedShape(
            f"shape {self.shapes.describe(node).label} uses sh:{name}, which the fast engine "
            "does not implement", hint="use --engine pyshacl, or extend engine_fast.py and its "
            "contract tests")

    def _qualified(self, node: Node, obj: Node) -> Check:
        g = self.graph
        if g.value(node, SH.qualifiedValueShapesDisjoint) == rdflib.Literal(True):
            raise UnsupportedShape("sh:qualifiedValueShapesDisjoint is not supported",
                                   hint="use --engine pyshacl")
        inner = self.shape(obj)
        low = g.value(node, SH.qualifiedMinCount)
        high = g.value(node, SH.qualifiedMaxCount)

        def check(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
            conforming = sum(1 for v in values if inner.conforms(ev, v))
            failures: list[Failure] = []
            if low is not None and conforming < count(low):
                failures.append(("QualifiedMinCountConstraintComponent", None))
            if high is not None and conforming > count(high):
                failures.append(("QualifiedMaxCountConstraintComponent", None))
            return failures
        return check


def _per_value(component: str, ok: Callable[[Evaluation, Term], bool]) -> Check:
    def check(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
        for value in values:
            if not ok(ev, value):  # rare: only then build the list of failures
                return [(component, v) for v in values if not ok(ev, v)]
        return _NO_FAILURES
    return check


def _per_term(component: str, ok: ValueTest) -> Check:
    def check(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
        for value in values:
            if not ok(value):
                return [(component, v) for v in values if not ok(v)]
        return _NO_FAILURES
    return check


def _unique_lang(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
    seen: dict[str, int] = {}
    for v in values:
        lang = language(v)
        if lang:
            seen[lang.lower()] = seen.get(lang.lower(), 0) + 1
    return [("UniqueLangConstraintComponent", None) for lang, n in sorted(seen.items()) if n > 1]


def compile_shapes(shapes: Shapes) -> Program:
    """Compile once per :class:`Shapes`; cached on it."""
    program = shapes.cache.get("fast")
    if program is None:
        program = Compiler(shapes).program()
        shapes.cache["fast"] = program
    assert isinstance(program, Program)
    return program


def validate(index: TripleIndex, shapes: Shapes) -> list[RawResult]:
    return compile_shapes(shapes).run(index)
