"""Loading the shapes graph and reading what the report needs from it.

The shapes are SHACL Core in Turtle (``shapes/*.ttl`` at the top of the source tree). Besides
sh:message and sh:severity each reporting shape carries two ld-publish annotations, ``ldp:hint``
(what to do) and ``ldp:field`` (which record field the constraint is about).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import rdflib
from rdflib.collection import Collection
from rdflib.term import BNode, Node, URIRef

from ..errors import UsageError
from ..mapping.namespaces import PREFIXES

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


class UnsupportedShape(UsageError):
    """The shapes use a SHACL construct the fast engine does not implement."""
LDP = rdflib.Namespace("https://ld-publish.example/ns#")

Severity = Literal["violation", "warning", "info"]
SEVERITIES: dict[Node, Severity] = {SH.Violation: "violation", SH.Warning: "warning",
                                    SH.Info: "info"}

_PREFIXES = {**PREFIXES, "sh": str(SH), "ldp": str(LDP)}


def compact(iri: str) -> str:
    """``schema:name`` for a known namespace, else ``<iri>``."""
    best = ""
    best_prefix = ""
    for prefix, ns in _PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, best_prefix = ns, prefix
    if best and iri[len(best):].replace("_", "a").replace("-", "a").isalnum():
        return f"{best_prefix}:{iri[len(best):]}"
    return f"<{iri}>"


def render_path(graph: rdflib.Graph, path: Node) -> str:
    """A SHACL property path in SPARQL-like compact syntax: ``^oco:hasNext``, ``(a|b)``."""
    if isinstance(path, URIRef):
        return compact(str(path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + render_path(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    if graph.value(path, rdflib.RDF.first) is not None:
        return "/".join(render_path(graph, p) for p in Collection(graph, path))
    for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, key)
        if inner is not None:
            return "(" + render_path(graph, inner) + ")" + mark
    return "?"


@dataclass(frozen=True, slots=True)
class ShapeInfo:
    """What a result from this shape says: its name, message, hint, field, severity, path."""

    label: str
    message: str
    hint: str | None
    field: str
    severity: Severity
    path: str | None


@dataclass(eq=False)
class Shapes:
    """A loaded shapes graph. Engines compile or wrap it once and keep the result in ``cache``."""

    graph: rdflib.Graph
    files: tuple[Path, ...]
    info: dict[Node, ShapeInfo]
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def describe(self, shape: Node) -> ShapeInfo:
        found = self.info.get(shape)
        if found is None:
            found = _info(self.graph, shape, _label(self.graph, shape))
            self.info[shape] = found
        return found


def bundled_shapes_dir() -> Path:
    """The ``shapes/`` folder: next to the package in a checkout, else packaged data."""
    import ld_publish

    checkout = Path(ld_publish.__file__).resolve().parent.parent / "shapes"
    if checkout.is_dir():
        return checkout
    packaged = importlib.resources.files("ld_publish") / "shapes_data"
    if packaged.is_dir():
        return Path(str(packaged))
    raise UsageError("the bundled SHACL shapes are missing from this installation",
                     hint="reinstall ld-publish, or pass the shapes with --shapes")


def shape_files(paths: Sequence[str | Path] | None = None, *,
                with_bundled: bool = False) -> tuple[Path, ...]:
    """Turtle files to load: the given files and folders (``*.ttl`` directly inside), in name
    order, instead of the bundled shapes or (``with_bundled``) after them; ``meta/``
    (SHACL-for-SHACL) is never part of the validation shapes."""
    sources = [Path(p) for p in paths or ()]
    if not sources or with_bundled:
        sources.insert(0, bundled_shapes_dir())
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(sorted(source.glob("*.ttl")))
        elif source.is_file():
            files.append(source)
        else:
            raise UsageError(f"shapes file or folder {source} does not exist",
                             hint="give a Turtle file or a folder of .ttl files")
    if not files:
        raise UsageError(f"no .ttl shapes found in {', '.join(map(str, sources))}",
                         hint="give a Turtle file or a folder of .ttl files")
    return tuple(files)


def load_shapes(paths: Sequence[str | Path] | None = None, *,
                with_bundled: bool = False) -> Shapes:
    """Parse the shapes (default: the bundled ones; ``paths`` replace them, or are added to
    them ``with_bundled``) and read their annotations."""
    files = shape_files(paths, with_bundled=with_bundled)
    graph = rdflib.Graph()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise UsageError(f"shapes file {path} is not valid Turtle: {exc}",
                             hint="fix the syntax error in the shapes file") from None
    for prefix, ns in _PREFIXES.items():
        graph.bind(prefix, ns, replace=True)
    info = {shape: _info(graph, shape, _label(graph, shape)) for shape in reporting_shapes(graph)}
    return Shapes(graph, files, info)


def reporting_shapes(graph: rdflib.Graph) -> list[Node]:
    """Shapes whose failures become results: targeted shapes and their sh:property shapes.
    Shapes only used inside sh:or/sh:not/sh:node decide conformance and report nothing."""
    targeted: set[Node] = set()
    for key in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        targeted.update(graph.subjects(key, None))
    found: list[Node] = []
    for shape in sorted(targeted, key=str):
        found.append(shape)
        found.extend(graph.objects(shape, SH.property))
    return found


def _label(graph: rdflib.Graph, shape: Node) -> str:
    if isinstance(shape, URIRef):
        return compact(str(shape))
    parent = graph.value(None, SH.property, shape)
    path = graph.value(shape, SH.path)
    parent_label = compact(str(parent)) if isinstance(parent, URIRef) else "_"
    base = f"{parent_label} {render_path(graph, path) if path is not None else ''}".strip()
    if parent is None:
        return base
    # Two property shapes on one path get stable suffixes from their constraint parameters.
    siblings = sorted((s for s in graph.objects(parent, SH.property)
                       if graph.value(s, SH.path) == path), key=lambda s: _signature(graph, s))
    if len(siblings) > 1:
        return f"{base} #{siblings.index(shape) + 1}"
    return base


def _signature(graph: rdflib.Graph, shape: Node) -> str:
    return " ".join(sorted(f"{p} {o if not isinstance(o, BNode) else '[]'}"
                           for p, o in graph.predicate_objects(shape)))


def _info(graph: rdflib.Graph, shape: Node, label: str) -> ShapeInfo:
    message = graph.value(shape, SH.message)
    hint = graph.value(shape, LDP.hint)
    path = graph.value(shape, SH.path)
    return ShapeInfo(
        label=label,
        message=str(message) if message is not None else label,
        hint=str(hint) if hint is not None else None,
        field=str(graph.value(shape, LDP.field) or ""),
        severity=SEVERITIES.get(graph.value(shape, SH.severity) or SH.Violation, "violation"),
        path=render_path(graph, path) if path is not None else None,
    )
