"""The fast engine: the shapes graph compiled once into Python checks over a record's triples.

It implements exactly the SHACL Core subset the bundled shapes use (see
docs/decisions/0002-validation.md), and the SHACL-SPARQL constraint components of
``shapes/components.ttl`` through their Python implementations (:mod:`.components`). A shape that
uses anything else fails to compile with an error naming the construct, so no constraint is
silently skipped. pyshacl is the oracle: the contract tests run both engines and require
identical results.

Difference from full SHACL: sh:targetClass does not follow rdfs:subClassOf triples in the data
graph. The mapping states every class explicitly, so no record relies on that inference.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import rdflib
from rdflib.collection import Collection
from rdflib.term import Node

from ..graph_index import TripleIndex
from ..terms import Term
from .components import NATIVE
from .paths import compile_path
from .program import (
    NO_FAILURES,
    Check,
    CompiledShape,
    Evaluation,
    Failure,
    Program,
    Target,
)
from .results import RawResult
from .shapes import SH, Shapes, UnsupportedShape, compact
from .term_tests import (
    ValueTest,
    all_of,
    any_of,
    compares,
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


# Term tests worth remembering the verdicts of (see Compiler._value_check).
_COSTLY = frozenset({"DatatypeConstraintComponent", "PatternConstraintComponent",
                     "LanguageInConstraintComponent", "NodeConstraintComponent",
                     "OrConstraintComponent", "AndConstraintComponent",
                     "NotConstraintComponent"})

# Components that can fail when a path has no values; the others only judge values present.
_COUNTING = frozenset({SH.minCount, SH.hasValue, SH.qualifiedValueShape})


class Compiler:
    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.graph = shapes.graph
        self.compiled: dict[Node, CompiledShape] = {}
        # The term-only test behind a check, for checks that need no graph (see predicate).
        self.value_tests: dict[int, ValueTest] = {}
        # Parameters of the SPARQL-based constraint components the shapes graph declares.
        self.parameters: dict[Node, Node] = {}
        for component in self.graph.subjects(rdflib.RDF.type, SH.ConstraintComponent):
            for parameter in self.graph.objects(component, SH.parameter):
                path = self.graph.value(parameter, SH.path)
                if path is not None:
                    self.parameters[path] = component

    def program(self) -> Program:
        g = self.graph
        groups: dict[tuple[Target, ...], list[CompiledShape]] = {}
        kinds = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        roots = sorted({s for k in kinds for s in g.subjects(k, None)}, key=str)
        for node in roots:
            targets: list[Target] = []
            targets += sorted(("class", str(c)) for c in g.objects(node, SH.targetClass))
            targets += sorted(("node", to_term(t)) for t in g.objects(node, SH.targetNode))
            targets += sorted(("subjectsOf", str(p))
                              for p in g.objects(node, SH.targetSubjectsOf))
            targets += sorted(("objectsOf", str(p)) for p in g.objects(node, SH.targetObjectsOf))
            shape = self.shape(node)
            if not shape.deactivated:
                groups.setdefault(tuple(targets), []).append(shape)
        return Program(list(groups.items()))

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
            elif pred in self.parameters:
                check = self.component(node, pred, obj)
                if check is not None:
                    shape.checks.append(check)
            elif pred in _NON_CONSTRAINING or not str(pred).startswith(str(SH)):
                continue
            else:
                check = self.check(node, pred, obj)
                shape.checks.append(check)
                if pred in _COUNTING:
                    shape.empty_checks.append(check)
        path = shape.path
        if (path is not None and path.steps and not any(inverse for inverse, _ in path.steps)
                and not shape.properties and not shape.deactivated):
            shape.forward = tuple(iri for _, iri in path.steps)
        tests = [self.value_tests.get(id(check)) for check in shape.checks]
        if (shape.path is None and not shape.properties and not shape.deactivated and tests
                and all(t is not None for t in tests)):
            shape.predicate = all_of([t for t in tests if t is not None])
        return shape

    def _value_check(self, component: str, test: ValueTest) -> Check:
        # Remember the verdicts of the costly tests (lexical forms, patterns, check digits,
        # languages); a wrapper costs more than a cheap test such as sh:nodeKind.
        if component in _COSTLY or component.startswith("ldp:"):
            test = _remembered(test)
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
        if pred in (SH.lessThan, SH.lessThanOrEquals):
            strict = pred == SH.lessThan
            other = str(obj)
            component = "LessThanConstraintComponent" if strict else \
                "LessThanOrEqualsConstraintComponent"

            def less(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
                others = ev.index.objects(focus, other)
                # One result per failing pair, as pySHACL reports them.
                return [(component, v) for v in values for o in others
                        if not compares(v, o, strict)]
            return less
        raise UnsupportedShape(
            f"shape {self.shapes.describe(node).label} uses sh:{name}, which the fast engine "
            "does not implement", hint="use --engine pyshacl, or extend engine_fast.py and its "
            "contract tests")

    def component(self, node: Node, parameter: Node, value: Node) -> Check | None:
        """A SHACL-SPARQL component, run by its Python implementation; ``None`` for a further
        parameter of a component the shape's first parameter already compiled."""
        component = self.parameters[parameter]
        iri = str(component)
        native = NATIVE.get(iri)
        label = self.shapes.describe(node).label
        if native is None:
            raise UnsupportedShape(
                f"shape {label} uses the SPARQL-based component <{iri}>, which the fast engine "
                "does not implement", hint="use --engine pyshacl, or add it to "
                "ld_publish/validation/components.py and its contract tests")
        own = sorted((p for p in self.graph.objects(component, SH.parameter)), key=str)
        paths = [self.graph.value(p, SH.path) for p in own]
        if parameter != min((p for p in paths if (node, p, None) in self.graph), key=str):
            return None
        name = compact(iri)
        if native.with_parameters is not None:
            values = {str(p): to_term(v) for p in paths if p is not None
                      for v in self.graph.objects(node, p)}
            test = native.with_parameters(values)
            return _per_value(name, lambda ev, v: test(ev.index, v))
        if value != rdflib.Literal(True):
            raise UnsupportedShape(f"shape {label}: {compact(str(parameter))} takes only true",
                                   hint="remove the parameter to switch the check off")
        if native.from_query is not None:
            validator = self.graph.value(component, SH.validator)
            query = self.graph.value(validator, SH.ask) if validator is not None else None
            if query is None:
                raise UnsupportedShape(f"component <{iri}> has no sh:ask validator",
                                       hint="declare it as in shapes/components.ttl")
            return self._value_check(name, native.from_query(str(query)))
        if native.term_test is not None:
            return self._value_check(name, native.term_test)
        graph_test = native.graph_test
        assert graph_test is not None
        return _per_value(name, lambda ev, v: graph_test(ev.index, v))

    def _qualified(self, node: Node, obj: Node) -> Check:
        g = self.graph
        if g.value(node, SH.qualifiedValueShapesDisjoint) == rdflib.Literal(True):
            raise UnsupportedShape("sh:qualifiedValueShapesDisjoint is not supported",
                                   hint="use --engine pyshacl")
        inner = self.shape(obj)
        low_term = g.value(node, SH.qualifiedMinCount)
        high_term = g.value(node, SH.qualifiedMaxCount)
        low = count(low_term) if low_term is not None else None
        high = count(high_term) if high_term is not None else None
        conforms = inner.conforms

        def check(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
            conforming = 0
            for v in values:
                if conforms(ev, v):
                    conforming += 1
            if (low is None or conforming >= low) and (high is None or conforming <= high):
                return NO_FAILURES
            failures: list[Failure] = []
            if low is not None and conforming < low:
                failures.append(("QualifiedMinCountConstraintComponent", None))
            if high is not None and conforming > high:
                failures.append(("QualifiedMaxCountConstraintComponent", None))
            return failures
        return check


def _remembered(test: ValueTest, size: int = 512) -> ValueTest:
    """``test``, remembering its answers: a term's verdict never changes, and the same terms
    (years, dates, language-tagged titles, scheme IRIs) come back in record after record."""
    known: dict[Term, bool] = {}

    def remembered(term: Term) -> bool:
        answer = known.get(term)
        if answer is None:
            if len(known) >= size:
                known.clear()
            answer = known[term] = test(term)
        return answer
    return remembered


def _per_value(component: str, ok: Callable[[Evaluation, Term], bool]) -> Check:
    def check(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
        for value in values:
            if not ok(ev, value):  # rare: only then build the list of failures
                return [(component, v) for v in values if not ok(ev, v)]
        return NO_FAILURES
    return check


def _per_term(component: str, ok: ValueTest) -> Check:
    def check(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
        for value in values:
            if not ok(value):
                return [(component, v) for v in values if not ok(v)]
        return NO_FAILURES
    return check


def _unique_lang(ev: Evaluation, focus: Term, values: list[Term]) -> list[Failure]:
    if len(values) < 2:
        return NO_FAILURES
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
