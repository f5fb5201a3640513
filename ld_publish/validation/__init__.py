"""SHACL validation of record graphs: bundled shapes, two engines, one typed report.

``engine="fast"`` (default) runs the shapes compiled to Python checks; ``engine="pyshacl"`` runs
pyshacl, the reference the fast engine is tested against. Both give the same findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from ..errors import UsageError
from ..graph import RecordGraph
from ..graph_index import TripleIndex
from ..model import Notice
from ..terms import text_of
from . import engine_fast
from .fields import FieldResolver
from .report import Finding, RecordReport, ValidationReport, merge, notice_finding
from .results import RawResult
from .shapes import Shapes, UnsupportedShape, load_shapes

Engine = Literal["auto", "fast", "pyshacl"]
ENGINES: tuple[Engine, ...] = ("auto", "fast", "pyshacl")


def resolve_engine(engine: Engine, shapes: Shapes) -> Engine:
    """``auto``: the fast engine when it implements every construct of the shapes (the bundled
    ones always), else pySHACL, which runs any SHACL Core and SHACL-SPARQL shapes."""
    if engine != "auto":
        return engine
    try:
        engine_fast.compile_shapes(shapes)
    except UnsupportedShape:
        return "pyshacl"
    return "fast"

__all__ = ["ENGINES", "Engine", "Finding", "RawResult", "RecordReport", "Shapes",
           "UnsupportedShape", "ValidationReport", "load_shapes", "raw_results",
           "resolve_engine", "validate_graph"]


def raw_results(graph: RecordGraph, shapes: Shapes, engine: Engine = "fast",
                index: TripleIndex | None = None) -> list[RawResult]:
    """The engine's SHACL results, before field paths and hints are attached."""
    engine = resolve_engine(engine, shapes)
    if engine == "fast":
        return engine_fast.validate(index or TripleIndex(graph.terms), shapes)
    if engine == "pyshacl":
        # Imported on use: pyshacl (and rdflib's SPARQL engine under it) take a tenth of a
        # second to import, and most runs use the fast engine.
        from . import engine_pyshacl

        return engine_pyshacl.validate(graph.triples, shapes)
    raise UsageError(f"unknown validation engine {engine!r}", hint="use fast or pyshacl")


def validate_graph(graph: RecordGraph, shapes: Shapes, engine: Engine = "fast",
                   notices: Iterable[Notice] = ()) -> RecordReport:
    """Validate one record graph; reader and mapping notices join its findings."""
    index = graph.index()
    results = raw_results(graph, shapes, engine, index)
    resolver = FieldResolver(index, graph.root, graph.fields)
    findings = [_finding(r, shapes, resolver) for r in results]
    findings += [notice_finding(n, graph.root, "notice") for n in notices]
    return RecordReport(key=graph.key, source=graph.source_label, findings=merge(findings),
                        focus=graph.root)


def _finding(result: RawResult, shapes: Shapes, resolver: FieldResolver) -> Finding:
    info = shapes.describe(result.shape)
    focus = result.focus
    return Finding(
        severity=result.severity,
        focus=focus if focus[0] == "_" else text_of(focus),
        path=info.path or "",
        value=None if result.value is None else text_of(result.value),
        message=result.message,
        hint=info.hint,
        field=resolver.field(focus, info.field),
        component=result.component if ":" in result.component else "sh:" + result.component,
        source_shape=info.label,
        value_nt=result.value,
        shape=result.shape.n3(),
    )
