"""The typed validation report: one :class:`RecordReport` per record, rendered as text, JSON
or a SHACL ``sh:ValidationReport`` graph in Turtle."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.term import Node

from ..mapping.namespaces import PREFIXES
from ..model import Notice
from ..pickling import fast_pickling
from .shapes import Severity, Shapes

SH = "http://www.w3.org/ns/shacl#"
LDP = "https://ld-publish.example/ns#"
_RANK: dict[str, int] = {"violation": 0, "warning": 1, "info": 2}
_SH_SEVERITY = {"violation": "Violation", "warning": "Warning", "info": "Info"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one record.

    ``focus`` is the IRI (or ``_:id``) of the node the problem is on, ``path`` the property
    path in compact form (``schema:name``), ``field`` the record field it concerns
    (``contributors[2].name``, best effort), ``component`` the SHACL constraint component
    (``sh:MinCountConstraintComponent``) or ``ldp:Notice`` for a reader/mapping notice.
    ``value_nt`` is the N-Triples form of the value and ``shape`` that of the shape (an IRI, or a
    blank node of the shapes graph; empty for a reader's notice), for the Turtle report.
    """

    severity: Severity
    focus: str
    path: str
    value: str | None
    message: str
    hint: str | None
    field: str
    component: str
    source_shape: str
    value_nt: str | None = None
    shape: str = ""

    @property
    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        return (_RANK[self.severity], self.field, self.focus, self.path, self.component,
                self.value or "", self.message)


def notice_finding(notice: Notice, focus: str, source: str) -> Finding:
    return Finding(severity=notice.severity, focus=focus, path="", value=notice.value,
                   message=notice.message, hint=notice.hint, field=notice.field,
                   component="ldp:Notice", source_shape=source,
                   value_nt=None if notice.value is None else str(ox.Literal(notice.value)))


def merge(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Sort, and fold findings that say the same thing about the same field of the same node
    (the Schema.org and the SPAR shape of one rule) into one, keeping both paths."""
    merged: dict[tuple[str, str, str, str, str | None], Finding] = {}
    for f in sorted(findings, key=lambda f: f.sort_key):
        key = (f.severity, f.focus, f.field, f.message, f.value)
        seen = merged.get(key)
        if seen is None:
            merged[key] = f
        elif f.path and f.path not in seen.path.split(", "):
            paths = ", ".join(sorted([*seen.path.split(", "), f.path] if seen.path else [f.path]))
            merged[key] = Finding(seen.severity, seen.focus, paths, seen.value, seen.message,
                                  seen.hint, seen.field, seen.component, seen.source_shape,
                                  seen.value_nt, seen.shape)
    return tuple(sorted(merged.values(), key=lambda f: f.sort_key))


@dataclass(frozen=True, slots=True)
class RecordReport:
    key: str
    source: str
    findings: tuple[Finding, ...] = ()
    focus: str = ""
    # A later description of a work from another source, merged into the record read first
    # (its label): checked on its own all the same (ld_publish.validate).
    merged_into: str | None = None

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "violation" for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"key": self.key, "source": self.source,
                                   "conforms": self.conforms}
        if self.merged_into is not None:
            data["merged_into"] = self.merged_into
        data["findings"] = [{k: v for k, v in asdict(f).items() if k != "value_nt"}
                            for f in self.findings]
        return data


@dataclass(frozen=True, slots=True)
class ValidationReport:
    records: tuple[RecordReport, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, records: Sequence[RecordReport]) -> ValidationReport:
        return cls(tuple(records))

    @property
    def conforms(self) -> bool:
        return all(r.conforms for r in self.records)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "records": len(self.records),
            "conforming": sum(1 for r in self.records if r.conforms),
            "violations": sum(r.count("violation") for r in self.records),
            "warnings": sum(r.count("warning") for r in self.records),
            "infos": sum(r.count("info") for r in self.records),
        }

    def to_text(self) -> str:
        lines: list[str] = []
        for record in self.records:
            status = "ok" if record.conforms else "FAILS"
            merged = ("" if record.merged_into is None
                      else f", merged into {record.merged_into}")
            lines.append(f"{record.key} ({record.source}{merged}): {status}")
            for f in record.findings:
                # A node-level finding's value is the focus node itself: not worth repeating.
                shown = f.value is not None and f.value != f.focus
                value = f" [{f.value}]" if shown else ""
                lines.append(f"  {f.severity:<9} {f.field}: {f.message}{value}")
                if f.hint:
                    lines.append(f"            hint: {f.hint}")
        t = self.totals
        lines.append(f"{t['records']} records, {t['conforming']} conform; "
                     f"{t['violations']} violations, {t['warnings']} warnings, {t['infos']} infos")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return json.dumps({"conforms": self.conforms, "totals": self.totals,
                           "records": [r.to_dict() for r in self.records]},
                          ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self, shapes: Shapes | None = None) -> str:
        """The run as one W3C SHACL ``sh:ValidationReport``.

        Violations are its ``sh:result``s, so ``sh:conforms`` is false exactly when there is a
        violation, as SHACL defines it (conforms = no results). Warnings and infos are
        ``sh:ValidationResult``s too, with every property a result has, but linked by
        ``ldp:advisory``: they do not make a record fail. Every result has ``sh:focusNode``,
        ``sh:resultSeverity``, ``sh:sourceConstraintComponent``, ``sh:sourceShape`` and, for
        a property shape, ``sh:resultPath`` as the shape's path (copied from ``shapes``), plus
        ``ldp:record``, ``ldp:field`` and ``ldp:hint``. A reader's or the mapping's notice is
        a result of the shape ``ldp:ReaderCheck`` with component
        ``ldp:ReaderCheckConstraintComponent``. Blank nodes are labelled in order, so the same
        run gives the same bytes.
        """
        return _ReportWriter(shapes).write(self)


class _ReportWriter:
    def __init__(self, shapes: Shapes | None) -> None:
        self.shapes = shapes
        self.graph = rdflib.Graph()
        self.blanks = 0

    def blank(self) -> ox.BlankNode:
        self.blanks += 1
        return ox.BlankNode(f"b{self.blanks}")

    def add(self, s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode,
            o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        self.graph.add((_rdflib_term(s), _rdflib_term(p), _rdflib_term(o)))

    def write(self, report: ValidationReport) -> str:
        rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
        root = self.blank()
        self.add(root, rdf_type, _sh("ValidationReport"))
        self.add(root, _sh("conforms"), ox.Literal(
            "true" if report.conforms else "false",
            datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean")))
        for record in report.records:
            for f in record.findings:
                result = self.blank()
                link = _sh("result") if f.severity == "violation" else _ldp("advisory")
                self.add(root, link, result)
                self.result(result, record, f)
        # rdflib's Turtle writer nests the results and paths under the report, which makes the
        # report readable; it is small, so the slower writer costs nothing that matters.
        for prefix, namespace in {"sh": SH, "ldp": LDP, **PREFIXES}.items():
            self.graph.bind(prefix, namespace, replace=True)
        return self.graph.serialize(format="turtle")

    def result(self, result: ox.BlankNode, record: RecordReport, f: Finding) -> None:
        self.add(result, ox.NamedNode(PREFIXES["rdf"] + "type"), _sh("ValidationResult"))
        self.add(result, _sh("resultSeverity"), _sh(_SH_SEVERITY[f.severity]))
        self.add(result, _sh("focusNode"), _focus(f.focus or record.focus, record.key))
        if f.shape:
            self.add(result, _sh("sourceShape"), _shape_node(f.shape))
            component = f.component
            iri = SH + component[3:] if component.startswith("sh:") else _expand(component)
            self.add(result, _sh("sourceConstraintComponent"), ox.NamedNode(iri))
            path = self.path(f.shape)
            if path is not None:
                self.add(result, _sh("resultPath"), path)
        else:
            self.add(result, _sh("sourceShape"), _ldp("ReaderCheck"))
            self.add(result, _sh("sourceConstraintComponent"),
                     _ldp("ReaderCheckConstraintComponent"))
        if f.value_nt is not None:
            self.add(result, _sh("value"), _term(f.value_nt))
        self.add(result, _sh("resultMessage"), ox.Literal(f.message))
        self.add(result, _ldp("record"), ox.Literal(record.key))
        self.add(result, _ldp("field"), ox.Literal(f.field))
        if f.hint:
            self.add(result, _ldp("hint"), ox.Literal(f.hint))

    def path(self, shape: str) -> ox.NamedNode | ox.BlankNode | None:
        """The shape's sh:path, copied into the report (a list or inverse as blank nodes)."""
        if self.shapes is None:
            return None
        graph = self.shapes.graph
        node = graph.value(_rdflib_node(shape), rdflib.URIRef(SH + "path"))
        return None if node is None else self.copy(graph, node)

    def copy(self, graph: rdflib.Graph, node: Node) -> ox.NamedNode | ox.BlankNode:
        if isinstance(node, rdflib.URIRef):
            return ox.NamedNode(str(node))
        copied = self.blank()
        for p, o in sorted(graph.predicate_objects(node), key=lambda po: str(po[0])):
            target = ox.Literal(str(o)) if isinstance(o, rdflib.Literal) else self.copy(graph, o)
            self.add(copied, ox.NamedNode(str(p)), target)
        return copied


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


def _ldp(name: str) -> ox.NamedNode:
    return ox.NamedNode(LDP + name)


def _expand(compact: str) -> str:
    prefix, _, local = compact.partition(":")
    namespaces = {"ldp": LDP, "sh": SH, **PREFIXES}
    return namespaces[prefix] + local if prefix in namespaces else compact


def _shape_node(nt: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode("shape-" + nt[2:]) if nt.startswith("_:") else ox.NamedNode(nt[1:-1])


def _rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value != PREFIXES["xsd"] + "string":
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return rdflib.Literal(term.value)


def _rdflib_node(nt: str) -> Node:
    return rdflib.BNode(nt[2:]) if nt.startswith("_:") else rdflib.URIRef(nt[1:-1])


def _focus(text: str, key: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    node = _node(text) if text else None
    return node if node is not None else ox.Literal(key)


def _node(text: str) -> ox.NamedNode | ox.BlankNode | None:
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def _term(nt: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    from .results import parse_term

    return parse_term(nt)


fast_pickling(sys.modules[__name__])  # reports come back from worker processes
