"""The typed validation report: one :class:`RecordReport` per record, rendered as text, JSON
or a SHACL ``sh:ValidationReport`` graph in Turtle."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from ..mapping.namespaces import PREFIXES
from ..model import Notice
from ..pickling import fast_pickling
from .shapes import Severity

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
    ``value_nt`` is the N-Triples form of the value, for the Turtle report.
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
                                  seen.value_nt)
    return tuple(sorted(merged.values(), key=lambda f: f.sort_key))


@dataclass(frozen=True, slots=True)
class RecordReport:
    key: str
    source: str
    findings: tuple[Finding, ...] = ()
    focus: str = ""

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "violation" for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "source": self.source, "conforms": self.conforms,
                "findings": [{k: v for k, v in asdict(f).items() if k != "value_nt"}
                             for f in self.findings]}


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
            lines.append(f"{record.key} ({record.source}): {status}")
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

    def to_turtle(self) -> str:
        """One ``sh:ValidationReport`` per record, results as labelled blank nodes so the same
        input gives the same bytes."""
        def sh(name: str) -> ox.NamedNode:
            return ox.NamedNode(SH + name)

        def ldp(name: str) -> ox.NamedNode:
            return ox.NamedNode(LDP + name)

        rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
        triples: list[ox.Triple] = []
        for n, record in enumerate(self.records, 1):
            report = ox.BlankNode(f"report{n}")
            triples += [
                ox.Triple(report, rdf_type, sh("ValidationReport")),
                ox.Triple(report, sh("conforms"), ox.Literal(
                    "true" if record.conforms else "false",
                    datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean"))),
                ox.Triple(report, ldp("record"), ox.Literal(record.key)),
                ox.Triple(report, ldp("source"), ox.Literal(record.source)),
            ]
            for m, f in enumerate(record.findings, 1):
                result = ox.BlankNode(f"report{n}r{m}")
                triples += [
                    ox.Triple(report, sh("result"), result),
                    ox.Triple(result, rdf_type, sh("ValidationResult")),
                    ox.Triple(result, sh("resultSeverity"), sh(_SH_SEVERITY[f.severity])),
                    ox.Triple(result, sh("resultMessage"), ox.Literal(f.message)),
                    ox.Triple(result, ldp("field"), ox.Literal(f.field)),
                ]
                focus = _node(f.focus)
                if focus is not None:
                    triples.append(ox.Triple(result, sh("focusNode"), focus))
                if f.component.startswith("sh:"):
                    triples.append(ox.Triple(result, sh("sourceConstraintComponent"),
                                             sh(f.component[3:])))
                if f.path:
                    triples.append(ox.Triple(result, ldp("path"), ox.Literal(f.path)))
                if f.value_nt is not None:
                    triples.append(ox.Triple(result, sh("value"), _term(f.value_nt)))
                if f.hint:
                    triples.append(ox.Triple(result, ldp("hint"), ox.Literal(f.hint)))
                triples.append(ox.Triple(result, ldp("sourceShape"), ox.Literal(f.source_shape)))
        prefixes = {"sh": SH, "ldp": LDP, "xsd": PREFIXES["xsd"], "rdf": PREFIXES["rdf"]}
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        assert data is not None
        return data.decode()


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
