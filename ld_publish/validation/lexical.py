"""Lexical validity for sh:datatype in the fast engine, judged as pyshacl judges it.

SHACL says a literal with the right datatype but an ill-formed lexical form
("2024-13-45"^^xsd:date) fails sh:datatype. pyshacl takes that judgment from rdflib, which is
strict for xsd:date (no year 0000, no five-digit years), lenient for xsd:dateTime (seconds
optional) and does not check xsd:gYear or xsd:gYearMonth at all. The fast engine must give the
same results as pyshacl, so it asks rdflib too (cached per lexical form); the shapes add XSD
lexical patterns where rdflib is lenient. Only the datatypes listed in ``CHECKED`` may appear in
sh:datatype of shapes the fast engine compiles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

import rdflib

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_RDFLIB_CHECKED = ("date", "dateTime", "gYear", "gYearMonth", "integer", "boolean")


@lru_cache(maxsize=4096)
def rdflib_accepts(datatype: str, text: str) -> bool:
    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib logs a traceback per ill-typed literal
    try:
        literal = rdflib.Literal(text, datatype=rdflib.URIRef(datatype), normalize=False)
    finally:
        logger.setLevel(previous)
    return literal.ill_typed is not True


def _rdflib(datatype: str) -> Callable[[str], bool]:
    return lambda text: rdflib_accepts(datatype, text)


def _any(text: str) -> bool:
    return True


#: datatype IRI -> lexical check.
CHECKED: dict[str, Callable[[str], bool]] = {
    **{XSD + name: _rdflib(XSD + name) for name in _RDFLIB_CHECKED},
    XSD + "string": _any,
    RDF_LANGSTRING: _any,
}
