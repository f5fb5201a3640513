"""RDF terms as their N-Triples text: ``<iri>``, ``_:label``, ``"lexical"@lang``, ``"x"^^<dt>``.

Why strings and not pyoxigraph terms: a record has hundreds of triples, and building a
``pyoxigraph.Triple`` costs about 2 µs, printing one back to N-Triples about 2.4 µs, unpacking
one 0.2 µs; a tuple of three strings costs next to nothing, hashes from a cache, sorts, and joins
straight into N-Triples and N-Quads. Terms are still made by pyoxigraph (``iri``, ``literal``),
so every IRI and language tag is checked as strictly as before and literals are escaped exactly
as pyoxigraph's own serialisers escape them.

Equal terms have equal text (pyoxigraph prints one canonical form: language tags lower-cased,
``xsd:string`` literals without a datatype), so string equality is term equality.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pyoxigraph as ox

Term = str  # any term in N-Triples form
Triple = tuple[str, str, str]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING_TERM = f"<{XSD_STRING}>"

_UNESCAPE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'",
             "\\": "\\"}


def iri(value: str) -> Term:
    """``<value>``; raises ValueError when ``value`` is not an absolute IRI (RFC 3987)."""
    return str(ox.NamedNode(value))


def blank(label: str) -> Term:
    return str(ox.BlankNode(label))


def literal(value: str, *, language: str | None = None, datatype: Term | None = None) -> Term:
    """A literal; ``datatype`` is an IRI term (``<...>``). Raises ValueError for a malformed
    language tag or datatype IRI."""
    if _ESCAPED.search(value) is None:
        # Nothing to escape: the text pyoxigraph would print, without building its literal
        # (the tests compare the two over generated strings).
        if language:
            return f'"{value}"@{_language_tag(language)}'
        if datatype is not None and datatype != _XSD_STRING_TERM:
            _datatype(datatype)
            return f'"{value}"^^{datatype}'
        return f'"{value}"'
    if language:
        return str(ox.Literal(value, language=language))
    if datatype is not None and datatype != _XSD_STRING_TERM:
        return str(ox.Literal(value, datatype=_datatype(datatype)))
    return str(ox.Literal(value))


# What pyoxigraph escapes in a literal (C0 controls, DEL, quote, backslash), and surrogates,
# which it refuses: such values take the slow path through pyoxigraph.
_ESCAPED = re.compile(r'[\x00-\x1f\x7f"\\\ud800-\udfff]')


@lru_cache(maxsize=256)
def _language_tag(tag: str) -> str:
    """The tag as pyoxigraph normalises it (lower case); ValueError when it is not BCP 47."""
    return str(ox.Literal("", language=tag).language)


@lru_cache(maxsize=256)
def _datatype(term: Term) -> ox.NamedNode:
    return ox.NamedNode(term[1:-1])


# A term's kind is its first character: "<" an IRI, "_" a blank node, '"' a literal (the hot
# paths test that inline).


def iri_value(term: Term) -> str:
    """The IRI of ``<...>`` (N-Triples never escapes inside our IRIs: pyoxigraph refuses the
    characters that would need it)."""
    return term[1:-1]


# Small on purpose: literals can be long, and a record's validation and JSON-LD writing, which
# both ask, follow each other.
@lru_cache(maxsize=2048)
def literal_parts(term: Term) -> tuple[str, str | None, str]:
    """``(lexical form, language or None, datatype IRI)`` of a literal term."""
    close = term.rindex('"')
    body = term[1:close]
    if "\\" in body:
        body = _unescape(body)
    rest = term[close + 1:]
    if rest.startswith("@"):
        return body, rest[1:], RDF_LANGSTRING
    if rest.startswith("^^<"):
        return body, None, rest[3:-1]
    return body, None, XSD_STRING


def text_of(term: Term) -> str:
    """What SHACL's string facets see: the IRI or the lexical form (blank nodes: their label)."""
    if term[0] == "<":
        return term[1:-1]
    if term[0] == '"':
        return literal_parts(term)[0]
    return term[2:]


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = body[i + 1]
        if code == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif code == "U":
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        else:
            out.append(_UNESCAPE[code])
            i += 2
    return "".join(out)


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term (for APIs that need one; not on the hot path)."""
    if term[0] == "<":
        return ox.NamedNode(term[1:-1])
    if term[0] == "_":
        return ox.BlankNode(term[2:])
    lexical, language, datatype = literal_parts(term)
    if language is not None:
        return ox.Literal(lexical, language=language)
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype))
