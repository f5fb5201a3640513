"""Turtle, written from the record's sorted N-Triples terms.

Why not pyoxigraph's serializer: it needs pyoxigraph terms, and making them from the record's
term strings (parsing its N-Triples) costs three to five times what this writer does. Every
N-Triples term is already valid Turtle (IRIREF, BLANK_NODE_LABEL and STRING_LITERAL_QUOTE share
their grammar), so this writer only groups triples by subject and predicate and shortens IRIs to
prefixed names when the local part is plainly a PN_LOCAL. The writer contract tests parse its
output with rdflib and pyoxigraph, including Hypothesis-generated literals and IRIs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..formats import TURTLE, RdfFormat
from ..graph import RecordGraph
from ..mapping.namespaces import PREFIXES
from ..terms import Term
from .base import writers

_RDF_TYPE = f"<{PREFIXES['rdf']}type>"
# Deliberately narrower than PN_LOCAL (no dots, escapes or ':'), so every reader agrees.
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# Every namespace ends in "/" or "#", so an IRI's namespace is what precedes its last one.
_PREFIX_OF = {iri: prefix for prefix, iri in PREFIXES.items()}
assert all(iri.endswith(("/", "#")) for iri in _PREFIX_OF)
_HEADER = "".join(f"@prefix {prefix}: <{iri}> .\n"
                  for prefix, iri in sorted(PREFIXES.items())).encode()

# Prefixed names of vocabulary IRIs, the few hundred terms every record repeats. Record IRIs
# (DOIs, ORCIDs, minted nodes) fall outside the prefixes and are not kept, so memory stays flat.
_compact_cache: dict[str, str] = {}


def compact(term: Term) -> str:
    """An IRI term as a prefixed name where one fits, else the term itself."""
    short = _compact_cache.get(term)
    if short is not None:
        return short
    value = term[1:-1]
    cut = max(value.rfind("/"), value.rfind("#")) + 1
    prefix = _PREFIX_OF.get(value[:cut])
    if prefix is None or not _LOCAL.fullmatch(value, cut):
        return term
    short = f"{prefix}:{value[cut:]}"
    if len(_compact_cache) < 10_000:  # bounded even when a source uses vocabulary IRIs freely
        _compact_cache[term] = short
    return short


def _object(term: Term) -> str:
    first = term[0]
    if first == "<":
        return compact(term)
    if first == '"' and term[-1] == ">":
        # "lexical"^^<datatype>: the datatype IRI follows the last quote.
        cut = term.rindex('"') + 3
        return term[:cut] + compact(term[cut:])
    return term


def to_turtle(graph: RecordGraph) -> bytes:
    parts: list[str] = []
    add = parts.append
    known = _compact_cache
    terms = graph.terms
    n = len(terms)
    i = 0
    while i < n:  # sorted: a subject's triples, and a predicate's, are adjacent
        subject = terms[i][0]
        j = i + 1
        while j < n and terms[j][0] == subject:
            j += 1
        add(known.get(subject) or compact(subject))
        # rdf:type first, as "a": what people look for first in a node.
        types = [o for _, p, o in terms[i:j] if p == _RDF_TYPE]
        separator = " "
        if types:
            add(" a ")
            add(" , ".join([known.get(t) or compact(t) for t in types]))
            separator = " ;\n\t"
        predicate = ""
        for k in range(i, j):
            _, p, o = terms[k]
            if p == _RDF_TYPE:
                continue
            if p != predicate:
                predicate = p
                add(separator)
                add(known.get(p) or compact(p))
                add(" ")
                separator = " ;\n\t"
            else:
                add(" , ")
            first = o[0]
            if first == '"':
                add(o if o[-1] != ">" else _object(o))
            elif first == "<":
                add(known.get(o) or compact(o))
            else:
                add(o)
        add(" .\n")
        i = j
    return _HEADER + "".join(parts).encode("utf-8")


@dataclass(frozen=True)
class TurtleWriter:
    format: RdfFormat = TURTLE

    def write(self, graph: RecordGraph) -> bytes:
        return to_turtle(graph)


writers.register(TURTLE.name, TurtleWriter(), TURTLE.aliases)
