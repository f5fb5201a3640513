"""Namespaces of the vocabularies the mapping emits. ``schema`` is ``http://schema.org/``.

schema.org's own JSON-LD context maps ``schema:`` to ``http://schema.org/``; rdflib's ``SDO`` is
``https://schema.org/``. Using the http form keeps the Turtle and the JSON-LD of a record the
same graph and matches what search engines read.
"""

from __future__ import annotations

from functools import cache

from ..terms import Term, iri

PREFIXES: dict[str, str] = {
    "schema": "http://schema.org/",
    "fabio": "http://purl.org/spar/fabio/",
    "cito": "http://purl.org/spar/cito/",
    "pro": "http://purl.org/spar/pro/",
    "datacite": "http://purl.org/spar/datacite/",
    "literal": "http://www.essepuntato.it/2010/06/literalreification/",
    "biro": "http://purl.org/spar/biro/",
    "c4o": "http://purl.org/spar/c4o/",
    "frbr": "http://purl.org/vocab/frbr/core#",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "frapo": "http://purl.org/cerif/frapo/",
    "oco": "https://w3id.org/oc/ontology/",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


class Namespace:
    """``NS.term`` and ``NS["term"]`` give cached IRI terms (``<...>`` strings)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __getattr__(self, name: str) -> Term:
        if name.startswith("__"):
            raise AttributeError(name)
        node = _node(self.base + name)
        # Cache on the instance: the next lookup is a plain attribute read, not this method.
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> Term:
        return _node(self.base + name)


@cache
def _node(value: str) -> Term:
    return iri(value)


SCHEMA = Namespace(PREFIXES["schema"])
FABIO = Namespace(PREFIXES["fabio"])
CITO = Namespace(PREFIXES["cito"])
PRO = Namespace(PREFIXES["pro"])
DATACITE = Namespace(PREFIXES["datacite"])
LITERAL = Namespace(PREFIXES["literal"])
BIRO = Namespace(PREFIXES["biro"])
C4O = Namespace(PREFIXES["c4o"])
FRBR = Namespace(PREFIXES["frbr"])
PRISM = Namespace(PREFIXES["prism"])
FRAPO = Namespace(PREFIXES["frapo"])
OCO = Namespace(PREFIXES["oco"])
DCTERMS = Namespace(PREFIXES["dcterms"])
FOAF = Namespace(PREFIXES["foaf"])
PROV = Namespace(PREFIXES["prov"])
RDF = Namespace(PREFIXES["rdf"])
RDFS = Namespace(PREFIXES["rdfs"])
XSD = Namespace(PREFIXES["xsd"])
OWL = Namespace(PREFIXES["owl"])

RDF_TYPE = RDF.type
