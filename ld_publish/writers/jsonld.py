"""JSON-LD: one document per record, nested around the work, with ld-publish's bundled context.

Why not rdflib's or pyld's compaction: both are slow (tens of ms per record) and produce a flat
``@graph``; search engines and people read a tree. This writer walks the record graph from the
work, embeds each node at its first use (Schema.org properties first, so each author is embedded
under ``author``) and refers to it by ``@id`` afterwards. Values with an order (authors,
references) are listed in it: RDF keeps no order among the values of a property, but the
mapping knows it and people and search engines read arrays in order (the formal order is in the
PRO roles). Contributor properties are always arrays (``@container: @set`` in the context), so a
plain JSON reader finds ``author`` as an array of people whether there is one or several. Nodes
not reachable from the work (the record graph's provenance) follow the work in a top-level
``@graph``.

The context is inlined so every document stands alone: no parser needs to fetch anything. The
Turtle and the JSON-LD of a record are the same graph; tests check that with two parsers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import orjson

from ..formats import JSON_LD, RdfFormat
from ..graph import RecordGraph
from ..mapping.namespaces import PREFIXES
from ..terms import Term, literal_parts
from .base import writers

_SCHEMA = PREFIXES["schema"]
_RDF = PREFIXES["rdf"]
_RDF_TYPE = _RDF + "type"
_XSD_STRING = PREFIXES["xsd"] + "string"

# Longest namespace first so e.g. "http://purl.org/spar/fabio/" never loses to a shorter match.
_COMPACT = sorted(((iri, p) for p, iri in PREFIXES.items() if p != "schema"),
                  key=lambda item: -len(item[0]))

JsonObject = dict[str, Any]


@cache
def context() -> JsonObject:
    """The bundled context (``ld_publish/data/context.jsonld``)."""
    text = resources.files("ld_publish").joinpath("data/context.jsonld").read_text("utf-8")
    data: JsonObject = json.loads(text)
    return data


@cache
def _key(iri: str) -> str:
    """A property or type IRI as a term: bare for Schema.org (``@vocab``), prefixed otherwise."""
    if iri.startswith(_SCHEMA) and _is_term(iri[len(_SCHEMA):]):
        return iri[len(_SCHEMA):]
    for namespace, prefix in _COMPACT:
        if iri.startswith(namespace) and _is_term(iri[len(namespace):]):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _is_term(local: str) -> bool:
    # A local part with ':' or '/' would be read back as an IRI or compact IRI, not a term.
    return bool(local) and local.replace("_", "a").replace("-", "a").isalnum()


#: Properties whose value is always a JSON array (declared ``@container: @set`` in the context).
_ARRAYS = frozenset(_SCHEMA + name for name in ("author", "editor", "translator", "contributor"))


#: How deep nodes are embedded in one another. Deeper ones (the roles of a 5,000-author byline
#: chained by oco:hasNext) are referenced by @id and written as trees of their own: no reader
#: or encoder needs to recurse thousands of levels (orjson stops at 255).
MAX_DEPTH = 24


class _Document:
    # Walks the record's shared index (subject -> predicate -> objects), the one the SHACL
    # engine built, so the triples are unpacked and hashed once per record.
    def __init__(self, graph: RecordGraph) -> None:
        index = graph.index()
        self.out: dict[Term, dict[str, list[Term]]] = index.out
        self.order = graph.order
        self.embedded: set[Term] = set()
        self.depth = 0

    def node(self, subject: Term) -> JsonObject:
        self.embedded.add(subject)
        self.depth += 1
        try:
            return self._node(subject)
        finally:
            self.depth -= 1

    def _node(self, subject: Term) -> JsonObject:
        out: JsonObject = {}
        if subject[0] == "<":
            out["@id"] = subject[1:-1]
        props = self.out.get(subject, {})
        types = props.get(_RDF_TYPE)
        if types:
            values = sorted(_key(t[1:-1]) for t in types)
            out["@type"] = values[0] if len(values) == 1 else values
        value = self.value
        for order in sorted([_property_order(p) for p in props]):
            predicate = order[2]
            if predicate == _RDF_TYPE:
                continue
            objects = props[predicate]
            if len(objects) == 1:
                out[order[1]] = [value(objects[0])] if predicate in _ARRAYS else value(
                    objects[0])
                continue
            ranked = self.order.get((subject, predicate))
            if ranked is not None:
                rank = {term: n for n, term in enumerate(ranked)}
                objects = sorted(objects, key=lambda o: (rank.get(o, len(rank)), o))
            out[order[1]] = [value(o) for o in objects]
        return out

    def value(self, term: Term) -> Any:
        first = term[0]
        if first == '"':
            if term[-1] == '"' and "\\" not in term:  # a plain string, nothing escaped
                return term[1:-1]
            value, language, datatype = literal_parts(term)
            if language is not None:
                return {"@value": value, "@language": language}
            if datatype != _XSD_STRING:
                return {"@value": value, "@type": _key(datatype)}
            return value
        if term in self.out and term not in self.embedded and self.depth < MAX_DEPTH:
            return self.node(term)
        if first == "<":
            return {"@id": term[1:-1]}
        return {"@id": term}  # a blank node seen before (none in ld-publish's own graphs)


@cache
def _property_order(predicate: str) -> tuple[bool, str, str]:
    # Schema.org first: search engines read the first embedding of a node (the authors).
    # (Two IRIs never share a key, so the IRI itself, last, never decides the order.)
    return (not predicate.startswith(_SCHEMA), _key(predicate), predicate)


def to_jsonld(graph: RecordGraph) -> JsonObject:
    doc = _Document(graph)
    root = f"<{graph.root}>"
    trees = [doc.node(root)]
    unreached = sorted(s for s in doc.out if s not in doc.embedded)
    for subject in unreached:
        if subject not in doc.embedded:  # an earlier unreached tree may have embedded it
            trees.append(doc.node(subject))
    body: JsonObject = {"@context": context()["@context"]}
    if len(trees) == 1:
        body.update(trees[0])
    else:
        body["@graph"] = trees
    return body


@dataclass(frozen=True)
class JsonLdWriter:
    format: RdfFormat = JSON_LD

    def write(self, graph: RecordGraph) -> bytes:
        # orjson: UTF-8 bytes straight away, keys in insertion order, about four times faster
        # than the standard library's C encoder.
        return orjson.dumps(to_jsonld(graph), option=orjson.OPT_APPEND_NEWLINE)


writers.register(JSON_LD.name, JsonLdWriter(), JSON_LD.aliases)
