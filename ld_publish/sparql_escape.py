"""The one audited way to put an RDF term into SPARQL text.

Every IRI or literal that ends up inside a query or update string (graph names in DROP, INSERT,
ASK, the content-hash literal of the bookkeeping graph) goes through :func:`sparql_term`. Triple
*bodies* are never built here: they are written by pyoxigraph's N-Triples serializer, whose output
is valid inside ``INSERT DATA``.
"""

from __future__ import annotations

import pyoxigraph as ox

# SPARQL 1.1 IRIREF excludes these, plus the range #x00-#x20 (controls and space).
_IRI_FORBIDDEN = frozenset('<>"{}|^`\\')

# ECHAR: the escapes the SPARQL grammar defines for string literals.
_ECHAR = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f", '"': '\\"',
          "'": "\\'", "\\": "\\\\"}

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _check_iri(value: str) -> str:
    if not value:
        raise ValueError("empty IRI cannot be used in SPARQL")
    for ch in value:
        if ch in _IRI_FORBIDDEN or ord(ch) <= 0x20 or 0xD800 <= ord(ch) <= 0xDFFF:
            raise ValueError(f"IRI contains {ch!r}, which SPARQL IRIREF forbids: {value!r}")
    if ":" not in value:
        raise ValueError(f"not an absolute IRI (no scheme): {value!r}")
    try:
        # Beyond SPARQL's IRIREF, RFC 3987 (DEL, C1 controls, ...): what a store would refuse.
        ox.NamedNode(value)
    except ValueError as e:
        raise ValueError(f"not a valid IRI: {value!r}: {e}") from None
    return value


def _escape_string(value: str) -> str:
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if ch in _ECHAR:
            out.append(_ECHAR[ch])
        elif 0xD800 <= code <= 0xDFFF:
            # A lone surrogate has no UTF-8 encoding; no store could hold it.
            raise ValueError(f"string contains a lone surrogate U+{code:04X}")
        elif code < 0x20 or code == 0x7F:
            # UCHAR keeps control characters out of the raw query text entirely.
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def sparql_term(term: ox.NamedNode | ox.Literal | str) -> str:
    """Return ``term`` as SPARQL text: ``<iri>`` for an IRI (a ``str`` is taken as an IRI),
    a quoted, escaped literal with its language tag or datatype for a literal.

    Raises ``ValueError`` for an IRI SPARQL cannot express (forbidden characters, spaces,
    controls, no scheme) and for strings with lone surrogates.
    """
    if isinstance(term, str):
        return f"<{_check_iri(term)}>"
    if isinstance(term, ox.NamedNode):
        return f"<{_check_iri(term.value)}>"
    if isinstance(term, ox.Literal):
        text = _escape_string(term.value)
        if term.language:
            lang = term.language
            if not all(c.isascii() and (c.isalnum() or c == "-") for c in lang):
                raise ValueError(f"invalid language tag {lang!r}")
            return f"{text}@{lang}"
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _RDF_LANG_STRING):
            return text
        return f"{text}^^<{_check_iri(datatype)}>"
    raise TypeError(f"cannot write {type(term).__name__} into SPARQL text")
