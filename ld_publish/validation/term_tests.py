"""Term-level pieces of the fast SHACL engine: shapes-graph terms in record-graph form, and the
tests that judge a value node by its term alone (datatype, node kind, pattern flags, language).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import rdflib
from rdflib.term import BNode, Node, URIRef

from .. import terms
from ..terms import Term, literal_parts
from .lexical import CHECKED, RDF_LANGSTRING
from .shapes import SH, UnsupportedShape

ValueTest = Callable[[Term], bool]


def to_term(term: Node) -> Term:
    """A shapes-graph term in the N-Triples form record graphs use (:mod:`ld_publish.terms`)."""
    if isinstance(term, URIRef):
        return terms.iri(str(term))
    if isinstance(term, BNode):
        return terms.blank(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return terms.literal(str(term), language=term.language)
        if term.datatype is not None:
            return terms.literal(str(term), datatype=f"<{term.datatype}>")
        return terms.literal(str(term))
    raise UnsupportedShape(f"unexpected term {term!r} in the shapes graph")


def text(term: Term) -> str | None:
    """The string sh:pattern and sh:min/maxLength look at; blank nodes have none."""
    return None if term[0] == "_" else terms.text_of(term)


def count(term: Node) -> int:
    text = str(term)
    if not (isinstance(term, rdflib.Literal) and text.isdigit()):
        raise UnsupportedShape(f"{term!r} is not a non-negative integer count",
                               hint="write counts as plain integers, e.g. sh:minCount 1")
    return int(text)


def all_of(tests: list[ValueTest]) -> ValueTest:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda v: first(v) and second(v)
    return lambda v: all(t(v) for t in tests)


def any_of(tests: list[ValueTest]) -> ValueTest:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda v: first(v) or second(v)
    return lambda v: any(t(v) for t in tests)


def datatype_test(datatype: str) -> ValueTest:
    lexical = CHECKED.get(datatype)
    if lexical is None:
        raise UnsupportedShape(
            f"sh:datatype <{datatype}>: the fast engine checks lexical forms only for "
            + ", ".join(sorted(CHECKED)), hint="use --engine pyshacl, or add the datatype to "
            "ld_publish/validation/lexical.py")

    def ok(v: Term) -> bool:
        if v[0] != '"':
            return False
        value, language, actual = literal_parts(v)
        if datatype == RDF_LANGSTRING:
            return language is not None
        return language is None and actual == datatype and lexical(value)
    return ok


# By the first character of the term's N-Triples form: <iri>, _:blank, "literal".


# By the first character of the term's N-Triples form: <iri>, _:blank, "literal".
_KINDS = {
    "IRI": "<", "BlankNode": "_", "Literal": '"', "BlankNodeOrIRI": "_<",
    "BlankNodeOrLiteral": '_"', "IRIOrLiteral": '<"',
}


def node_kind_test(obj: Node) -> ValueTest:
    kind = str(obj)[len(str(SH)):]
    if kind not in _KINDS:
        raise UnsupportedShape(f"unknown sh:nodeKind {obj}", hint="use sh:IRI, sh:Literal, ...")
    starts = _KINDS[kind]
    return lambda v: v[0] in starts


def regex_flags(flags: str) -> int:
    table = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}
    value = 0
    for flag in flags:
        if flag not in table:
            raise UnsupportedShape(f"sh:flags {flag!r} is not supported", hint="use i, s, m, x")
        value |= table[flag]
    return value


def lang_matches(tag: str, wanted: str) -> bool:
    tag = tag.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


def language(term: Term) -> str | None:
    return literal_parts(term)[1] if term[0] == '"' else None


def to_rdflib(term: Term) -> Node:
    """A record-graph term as pySHACL sees it (built as ld_publish's pySHACL engine builds it)."""
    if term[0] == "<":
        return URIRef(term[1:-1])
    if term[0] == "_":
        return BNode(term[2:])
    value, lang, datatype = terms.literal_parts(term)
    if lang is not None:
        return rdflib.Literal(value, lang=lang, normalize=False)
    if datatype == terms.XSD_STRING:
        return rdflib.Literal(value, normalize=False)
    return rdflib.Literal(value, datatype=URIRef(datatype), normalize=False)


def compares(value: Term, other: Term, strict: bool) -> bool:
    """``value < other`` (``<=`` unless ``strict``) as pySHACL decides sh:lessThan(OrEquals):
    IRIs and string literals compare as strings, other literals by rdflib's ordering, and a
    string never compares with a non-string."""
    if value[0] == "_" or other[0] == "_":
        return False  # pySHACL refuses to compare blank nodes
    a, b = _comparable(value), _comparable(other)
    if isinstance(a, str) != isinstance(b, str):
        return False
    try:
        return bool(a < b if strict else a <= b)
    except TypeError:
        return False


def _comparable(term: Term) -> Any:
    node = to_rdflib(term)
    if isinstance(node, URIRef):
        return str(node)
    assert isinstance(node, rdflib.Literal)
    return node.value if isinstance(node.value, str) else node
