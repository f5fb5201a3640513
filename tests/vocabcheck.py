"""Checks a graph against extracts of the vocabularies it uses (tests/vocab/): every class,
property and individual is defined by its vocabulary, and every triple keeps to its property's
domain and range.

The extracts are copied from the vocabularies' own files (tests/vocab/README.md). Each term is
looked up in its home vocabulary first: SPAR ontologies re-declare other vocabularies' terms,
not always alike. The class hierarchy is the union of all extracts (``rdfs:subClassOf``,
``owl:equivalentClass``, members of ``owl:unionOf`` classes, ``owl:intersectionOf`` parts).

What counts as keeping to a domain: the subject has an explicit type that is a subclass of the
domain (or of one of its ``owl:unionOf`` members, or of one ``schema:domainIncludes`` class).
RDFS would instead infer the domain class, which can never fail; that inference is exactly the
silent mistake this check exists to catch (``fabio:hasSequenceIdentifier`` on a role would make
every role an ``frbr:Endeavour``). Ranges likewise, with literals judged by their datatype.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from rdflib import OWL, RDF, RDFS, XSD, BNode, Literal, URIRef
from rdflib.collection import Collection

VOCAB = Path(__file__).parent / "vocab"
SCHEMA = rdflib.Namespace("http://schema.org/")
DCAM = rdflib.Namespace("http://purl.org/dc/dcam/")

#: namespace -> the extract that is its home
HOMES = {
    "http://schema.org/": "schemaorg",
    "http://purl.org/spar/fabio/": "fabio",
    "http://purl.org/spar/cito/": "cito",
    "http://purl.org/spar/pro/": "pro",
    "http://purl.org/spar/datacite/": "datacite",
    "http://purl.org/spar/biro/": "biro",
    "http://purl.org/spar/c4o/": "c4o",
    "http://purl.org/cerif/frapo/": "frapo",
    "http://www.essepuntato.it/2010/06/literalreification/": "literal",
    "http://purl.org/vocab/frbr/core#": "frbr",
    "http://prismstandard.org/namespaces/basic/2.0/": "prism",
    "http://purl.org/dc/terms/": "dcterms",
    "http://xmlns.com/foaf/0.1/": "foaf",
    "http://www.w3.org/ns/prov#": "prov",
    "https://w3id.org/oc/ontology/": "oco",
    "http://purl.org/co/": "co",
    "http://purl.org/spar/tvc/": "tvc",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf-rdfs-owl-xsd",
    "http://www.w3.org/2000/01/rdf-schema#": "rdf-rdfs-owl-xsd",
    "http://www.w3.org/2002/07/owl#": "rdf-rdfs-owl-xsd",
    "http://www.w3.org/2001/XMLSchema#": "rdf-rdfs-owl-xsd",
}
_CLASS_TYPES = {OWL.Class, RDFS.Class, RDFS.Datatype, SCHEMA.DataType}
_PROPERTY_TYPES = {RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty,
                   OWL.AnnotationProperty, OWL.FunctionalProperty}
_TOP = {OWL.Thing, RDFS.Resource}
#: Schema.org data types and the literal datatypes they admit (ISO 8601 dates may be reduced
#: to a year or a month, so gYear and gYearMonth are Schema.org Dates).
_SCHEMA_DATATYPES = {
    SCHEMA.Text: {XSD.string, RDF.langString},
    SCHEMA.Date: {XSD.date, XSD.gYear, XSD.gYearMonth},
    SCHEMA.DateTime: {XSD.dateTime},
    SCHEMA.Number: {XSD.integer, XSD.decimal, XSD.double, XSD.float},
    SCHEMA.Integer: {XSD.integer},
    SCHEMA.Boolean: {XSD.boolean},
}


@dataclass(frozen=True)
class Problem:
    triple: tuple[str, str, str]
    message: str

    def __str__(self) -> str:
        s, p, o = self.triple
        return f"{self.message}: <{s}> <{p}> {o}"


class Vocabularies:
    def __init__(self, folder: Path = VOCAB) -> None:
        self.graphs = {path.stem: rdflib.Graph().parse(path, format="turtle")
                       for path in sorted(folder.glob("*.ttl"))}
        self.union = rdflib.Graph()
        for graph in self.graphs.values():
            self.union += graph
        self._supers: dict[URIRef, frozenset[URIRef]] = {}
        self._subsumed_by_union: dict[URIRef, set[URIRef]] = {}
        for cls in self.union.subjects():
            for kind in (OWL.equivalentClass, RDFS.subClassOf):
                for expression in self.union.objects(cls, kind):
                    members = self.union.value(expression, OWL.unionOf)
                    if members is not None and isinstance(cls, URIRef):
                        for member in Collection(self.union, members):
                            if isinstance(member, URIRef) and kind == OWL.equivalentClass:
                                self._subsumed_by_union.setdefault(member, set()).add(cls)

    def home(self, term: URIRef) -> rdflib.Graph | None:
        for namespace, name in HOMES.items():
            if str(term).startswith(namespace):
                return self.graphs.get(name)
        return None

    def kinds(self, term: URIRef) -> set[URIRef]:
        home = self.home(term)
        return set(home.objects(term, RDF.type)) if home is not None else set()

    def is_class(self, term: URIRef) -> bool:
        return bool(self.kinds(term) & _CLASS_TYPES) or term in _TOP

    def is_property(self, term: URIRef) -> bool:
        return bool(self.kinds(term) & _PROPERTY_TYPES)

    def is_individual(self, term: URIRef) -> bool:
        kinds = self.kinds(term)
        return bool(kinds) and not kinds & (_CLASS_TYPES | _PROPERTY_TYPES)

    def superclasses(self, cls: URIRef) -> frozenset[URIRef]:
        if cls not in self._supers:
            found: set[URIRef] = set()
            todo = [cls]
            while todo:
                current = todo.pop()
                if current in found:
                    continue
                found.add(current)
                for kind in (RDFS.subClassOf, OWL.equivalentClass):
                    for sup in self.union.objects(current, kind):
                        if isinstance(sup, URIRef):
                            todo.append(sup)
                        elif (parts := self.union.value(sup, OWL.intersectionOf)) is not None:
                            todo.extend(p for p in Collection(self.union, parts)
                                        if isinstance(p, URIRef))
                for sub in self.union.subjects(OWL.equivalentClass, current):
                    if isinstance(sub, URIRef):
                        todo.append(sub)
                todo.extend(self._subsumed_by_union.get(current, ()))
            self._supers[cls] = frozenset(found | _TOP)
        return self._supers[cls]

    def _alternatives(self, graph: rdflib.Graph, expression: rdflib.term.Node) -> set[URIRef]:
        if isinstance(expression, URIRef):
            return {expression}
        members = graph.value(expression, OWL.unionOf)
        if members is not None:
            return {m for m in Collection(graph, members) if isinstance(m, URIRef)}
        return set()  # a restriction or other expression: not checked

    def _requirements(self, prop: URIRef, rdfs_key: URIRef, schema_key: URIRef
                      ) -> list[set[URIRef]]:
        """Each element: classes one of which must fit (rdfs:domain/range, one element each;
        schema:domainIncludes/rangeIncludes, together one). Superproperties' apply too."""
        found: list[set[URIRef]] = []
        seen: set[URIRef] = set()
        todo = [prop]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            home = self.home(current)
            if home is None:
                continue
            for expression in home.objects(current, rdfs_key):
                alternatives = self._alternatives(home, expression)
                if alternatives:
                    found.append(alternatives)
            includes = {c for c in home.objects(current, schema_key) if isinstance(c, URIRef)}
            if includes:
                found.append(includes)
            todo.extend(p for p in home.objects(current, RDFS.subPropertyOf)
                        if isinstance(p, URIRef))
        return found

    @cache  # noqa: B019 - one instance per test session
    def domains(self, prop: URIRef) -> list[set[URIRef]]:
        return self._requirements(prop, RDFS.domain, SCHEMA.domainIncludes)

    @cache  # noqa: B019
    def ranges(self, prop: URIRef) -> list[set[URIRef]]:
        return self._requirements(prop, RDFS.range, SCHEMA.rangeIncludes)

    def fits(self, types: Iterable[URIRef], wanted: set[URIRef]) -> bool:
        if wanted & _TOP:
            return True
        return any(self.superclasses(t) & wanted for t in types)

    def literal_fits(self, value: Literal, wanted: set[URIRef]) -> bool:
        datatype = value.datatype or (RDF.langString if value.language else XSD.string)
        for cls in wanted:
            if cls in (RDFS.Literal, *_TOP):
                return True
            if cls == datatype:
                return True
            if datatype in _SCHEMA_DATATYPES.get(cls, ()):
                return True
        return False

    def check(self, graph: rdflib.Graph) -> list[Problem]:
        problems: list[Problem] = []
        types: dict[rdflib.term.Node, set[URIRef]] = {}
        for s, o in graph.subject_objects(RDF.type):
            if isinstance(o, URIRef):
                types.setdefault(s, set()).add(o)

        def types_of(node: rdflib.term.Node) -> set[URIRef]:
            found = set(types.get(node, ()))
            if isinstance(node, URIRef) and self.is_individual(node):
                found |= {k for k in self.kinds(node) if isinstance(k, URIRef)}
            return found

        for s, p, o in graph:
            triple = (str(s), str(p), o.n3())
            if isinstance(s, BNode) or isinstance(o, BNode):
                problems.append(Problem(triple, "blank node"))
            assert isinstance(p, URIRef)
            if not self.is_property(p):
                problems.append(Problem(triple, f"{p} is not a property its vocabulary defines"))
                continue
            if p == RDF.type:
                if isinstance(o, URIRef) and not self.is_class(o):
                    problems.append(Problem(triple, f"{o} is not a class its vocabulary defines"))
                continue
            if isinstance(o, URIRef) and self.home(o) is not None and not (
                    self.is_individual(o) or self.is_class(o) or self.is_property(o)):
                problems.append(Problem(triple, f"{o} is not defined by its vocabulary"))
            subject_types = types_of(s)
            for wanted in self.domains(p):
                if not self.fits(subject_types, wanted):
                    problems.append(Problem(triple, "subject outside the domain "
                                            f"{sorted(map(str, wanted))} (its types: "
                                            f"{sorted(map(str, subject_types))})"))
            for wanted in self.ranges(p):
                if isinstance(o, Literal):
                    ok = self.literal_fits(o, wanted)
                else:
                    ok = self.fits(types_of(o), wanted) or bool(wanted & {SCHEMA.URL})
                if not ok:
                    problems.append(Problem(triple, "object outside the range "
                                            f"{sorted(map(str, wanted))}"))
        return problems
