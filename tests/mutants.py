"""Broken variants ("mutants") of the seed's published graph, each with one defect a consumer
would be hurt by. ``test_mutants.py`` validates every one as published RDF and counts how many
the shapes catch (the README quotes the score).

Each mutant is a function of the seed graph (rdflib, the exported Turtle) and the nodes it is
made of (:class:`Seed`); it changes the graph in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import rdflib
from rdflib import RDF, XSD, BNode, Literal, URIRef

SCHEMA = rdflib.Namespace("http://schema.org/")
FABIO = rdflib.Namespace("http://purl.org/spar/fabio/")
CITO = rdflib.Namespace("http://purl.org/spar/cito/")
PRO = rdflib.Namespace("http://purl.org/spar/pro/")
OCO = rdflib.Namespace("https://w3id.org/oc/ontology/")
PRISM = rdflib.Namespace("http://prismstandard.org/namespaces/basic/2.0/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
DATACITE = rdflib.Namespace("http://purl.org/spar/datacite/")
LITERAL = rdflib.Namespace("http://www.essepuntato.it/2010/06/literalreification/")
BIRO = rdflib.Namespace("http://purl.org/spar/biro/")
C4O = rdflib.Namespace("http://purl.org/spar/c4o/")
FRBR = rdflib.Namespace("http://purl.org/vocab/frbr/core#")
FRAPO = rdflib.Namespace("http://purl.org/cerif/frapo/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")

ORCID = "https://orcid.org/0000-0001-9665-5666"


@dataclass
class Seed:
    """The nodes of the seed graph the mutants change."""

    g: rdflib.Graph
    work: URIRef
    roles: list[URIRef]  # in byline order
    people: list[URIRef]
    entries: list[URIRef]  # reference entries, in list order

    @classmethod
    def of(cls, g: rdflib.Graph) -> Seed:
        work = next(s for s in g.subjects(PRISM.doi, None))
        assert isinstance(work, URIRef)
        roles = list(g.objects(work, PRO.isDocumentContextFor))
        first = next(r for r in roles if not list(g.subjects(OCO.hasNext, r)))
        ordered = [first]
        while (following := g.value(ordered[-1], OCO.hasNext)) is not None:
            ordered.append(following)
        people = [g.value(r, PRO.isHeldBy) for r in ordered]
        entries = sorted(g.objects(work, FRBR.part),
                         key=lambda e: int(g.value(e, FABIO.hasSequenceIdentifier)))
        return cls(g, work, ordered, people, entries)  # type: ignore[arg-type]

    def rename(self, old: URIRef, new: URIRef) -> None:
        for s, p, o in list(self.g):
            if old in (s, o):
                self.g.remove((s, p, o))
                self.g.add((new if s == old else s, p, new if o == old else o))

    def set(self, s: URIRef | BNode, p: URIRef, *values: rdflib.term.Node) -> None:
        self.g.remove((s, p, None))
        for value in values:
            self.g.add((s, p, value))

    def drop(self, s: URIRef | None, p: URIRef | None, o: rdflib.term.Node | None = None) -> None:
        self.g.remove((s, p, o))

    def drop_all(self, s: URIRef, *predicates: URIRef) -> None:
        for p in predicates:
            self.g.remove((s, p, None))

    def retag(self, p: URIRef, *more: URIRef, language: str | None) -> None:
        """The work's values of ``p`` (and ``more``) with another language tag (None: none)."""
        for prop in (p, *more):
            for value in list(self.g.objects(self.work, prop)):
                self.g.remove((self.work, prop, value))
                self.g.add((self.work, prop, Literal(str(value), lang=language)))

    def title(self) -> str:
        return str(self.g.value(self.work, DCTERMS.title))

    def doi_identifier(self) -> URIRef:
        return next(i for i in self.g.objects(self.work, DATACITE.hasIdentifier)
                    if (i, DATACITE.usesIdentifierScheme, DATACITE.doi) in self.g)

    def orcid_identifier(self) -> URIRef:
        return next(i for i in self.g.subjects(DATACITE.usesIdentifierScheme, DATACITE.orcid))

    def journal(self) -> URIRef:
        return next(s for s in self.g.subjects(RDF.type, SCHEMA.Periodical))

    def issue(self) -> URIRef:
        return next(s for s in self.g.subjects(RDF.type, SCHEMA.PublicationIssue)
                    if (self.work, SCHEMA.isPartOf, s) in self.g)

    def grant(self) -> URIRef:
        return next(self.g.objects(self.work, SCHEMA.funding))

    def source_file(self) -> URIRef:
        return next(s for s in self.g.subjects(DCTERMS.title, None)
                    if (s, RDF.type, PROV.Entity) in self.g)


Mutant = Callable[[Seed], None]


def _two_titles(s: Seed) -> None:
    for p in (DCTERMS.title, SCHEMA.headline, SCHEMA.name):
        s.g.add((s.work, p, Literal("A quite different title", lang="en")))


def _two_plain_titles(s: Seed) -> None:
    s.retag(DCTERMS.title, language=None)
    s.g.add((s.work, DCTERMS.title, Literal("A second title without a language")))


def _received_after_accepted(s: Seed) -> None:
    received = s.g.value(s.work, FABIO.hasDateReceived)
    accepted = s.g.value(s.work, DCTERMS.dateAccepted)
    s.set(s.work, FABIO.hasDateReceived, accepted)
    s.set(s.work, DCTERMS.dateAccepted, received)


def _cycle(s: Seed) -> None:
    s.g.add((s.roles[-1], OCO.hasNext, s.roles[0]))


def _person_without_name(s: Seed) -> None:
    s.drop_all(s.people[0], SCHEMA.name, FOAF.name, SCHEMA.givenName, SCHEMA.familyName,
               FOAF.givenName, FOAF.familyName)


def _types_removed(s: Seed) -> None:
    s.drop(s.work, RDF.type)


def _untyped_author(s: Seed) -> None:
    s.drop(s.people[1], RDF.type)


#: name -> mutant. Names say the defect as a consumer would report it.
MUTANTS: dict[str, Mutant] = {
    # -- titles and texts
    "title removed": lambda s: s.drop_all(s.work, DCTERMS.title, SCHEMA.name, SCHEMA.headline),
    "two different titles in one language": _two_titles,
    "two titles without a language": _two_plain_titles,
    "title is an IRI, not text": lambda s: s.set(s.work, DCTERMS.title,
                                                 URIRef("http://example.org/title")),
    "title tagged with a language that does not exist": lambda s: s.retag(DCTERMS.title,
                                                                          language="xx"),
    "abstract tagged 'english'": lambda s: s.retag(DCTERMS.abstract, language="english"),
    "title lost its language tag": lambda s: s.retag(DCTERMS.title, SCHEMA.name, SCHEMA.headline,
                                                     language=None),
    # -- types
    "the work's types removed": _types_removed,
    "the work typed as a person": lambda s: s.set(s.work, RDF.type, SCHEMA.Person),
    # -- DOI
    "DOI IRI malformed": lambda s: s.rename(s.work, URIRef("https://doi.org/11.17976/x")),
    "DOI IRI with no DOI in it": lambda s: s.rename(s.work, URIRef("https://doi.org/jpps")),
    "prism:doi disagrees with the DOI IRI": lambda s: s.set(s.work, PRISM.doi,
                                                            Literal("10.1000/other")),
    "DOI identifier literal disagrees": lambda s: s.set(
        s.doi_identifier(), LITERAL.hasLiteralValue, Literal("10.17976/jpps/2025.02.06")),
    "prism:doi is not a DOI": lambda s: s.set(s.work, PRISM.doi, Literal("doi:10.1/x")),
    "two prism:doi values": lambda s: s.g.add((s.work, PRISM.doi, Literal("10.1000/second"))),
    "Schema.org DOI value is not a DOI": lambda s: s.set(
        s.doi_identifier(), SCHEMA.value, Literal("not-a-doi")),
    # -- ORCID
    "ORCID IRI with a broken check digit": lambda s: s.rename(
        URIRef(ORCID), URIRef(ORCID[:-1] + "7")),
    "ORCID IRI truncated": lambda s: s.rename(URIRef(ORCID), URIRef(ORCID[:-5])),
    "ORCID IRI over http": lambda s: s.rename(URIRef(ORCID),
                                              URIRef(ORCID.replace("https", "http"))),
    "ORCID identifier literal with a broken check digit": lambda s: s.set(
        s.orcid_identifier(), LITERAL.hasLiteralValue, Literal("0000-0001-9665-5667")),
    # -- authors
    "schema:author is a literal": lambda s: s.g.add((s.work, SCHEMA.author,
                                                     Literal("Sebentzov A.B."))),
    "schema:author is a blank node": lambda s: s.g.add((s.work, SCHEMA.author, BNode("x"))),
    "an author without a type": _untyped_author,
    "a person without a name": _person_without_name,
    "a person's name is empty": lambda s: s.set(s.people[0], SCHEMA.name, Literal("")),
    "author order runs in a circle": _cycle,
    "author order has a gap (chain broken)": lambda s: s.drop(s.roles[0], OCO.hasNext),
    "a role points back at itself": lambda s: s.g.add((s.roles[0], OCO.hasNext, s.roles[0])),
    "a role held by two people": lambda s: s.g.add((s.roles[0], PRO.isHeldBy, s.people[1])),
    "a role without its kind": lambda s: s.drop(s.roles[1], PRO.withRole),
    "a role that belongs to no work": lambda s: s.drop(s.work, PRO.isDocumentContextFor,
                                                       s.roles[1]),
    "an e-mail that is not one": lambda s: s.set(s.people[0], SCHEMA.email,
                                                 Literal("asebentsov at gmail")),
    "an affiliation given as text": lambda s: s.set(s.people[0], SCHEMA.affiliation,
                                                    Literal("Institute of Geography")),
    # -- citations and references
    "cito:cites a literal": lambda s: s.g.add((s.work, CITO.cites, Literal("Agnew 2013"))),
    "cito:cites a blank node": lambda s: s.g.add((s.work, CITO.cites, BNode("cited"))),
    "cito:cites a malformed DOI IRI": lambda s: s.g.add((s.work, CITO.cites,
                                                         URIRef("https://doi.org/abc"))),
    "a reference without its text": lambda s: s.drop(s.entries[0], C4O.hasContent),
    "a reference position that is not a number": lambda s: s.set(
        s.entries[0], FABIO.hasSequenceIdentifier, Literal("first")),
    "a reference with two positions": lambda s: s.g.add(
        (s.entries[0], FABIO.hasSequenceIdentifier, Literal("41"))),
    "a reference cites a literal": lambda s: s.set(s.entries[0], BIRO.references,
                                                   Literal("Agnew")),
    # -- dates
    "received after accepted": _received_after_accepted,
    "an impossible acceptance date": lambda s: s.set(
        s.work, DCTERMS.dateAccepted, Literal("2025-13-45", datatype=XSD.date)),
    "received date typed xsd:date": lambda s: s.set(
        s.work, FABIO.hasDateReceived, Literal("2024-08-14", datatype=XSD.date)),
    "two publication dates": lambda s: s.g.add(
        (s.work, PRISM.publicationDate, Literal("2024", datatype=XSD.gYear))),
    "publication year that is not a year": lambda s: s.set(
        s.work, FABIO.hasPublicationYear, Literal("20x5", datatype=XSD.gYear)),
    "February 30": lambda s: s.set(s.work, SCHEMA.datePublished,
                                   Literal("2025-02-30", datatype=XSD.date)),
    # -- venue and identifiers
    "an ISSN with a wrong check digit": lambda s: s.g.add((s.journal(), SCHEMA.issn,
                                                           Literal("1026-9488"))),
    "an issue without its number": lambda s: s.drop_all(s.issue(), SCHEMA.issueNumber,
                                                         FABIO.hasSequenceIdentifier),
    "an issue in two journals": lambda s: s.g.add((s.issue(), SCHEMA.isPartOf,
                                                   URIRef("http://example.org/other"))),
    "an identifier without a scheme": lambda s: s.drop(s.doi_identifier(),
                                                       DATACITE.usesIdentifierScheme),
    # -- funding and provenance
    "schema:funding is a literal": lambda s: s.g.add((s.work, SCHEMA.funding,
                                                      Literal("state assignment"))),
    "an empty award number": lambda s: s.set(s.grant(), FRAPO.hasGrantNumber, Literal("")),
    "a source named with its folder": lambda s: s.set(s.source_file(), DCTERMS.title,
                                                      Literal("/home/editor/seed.txt")),
    "an invalid generation time": lambda s: s.g.add(
        (next(s.g.subjects(PROV.wasGeneratedBy, None)), PROV.generatedAtTime,
         Literal("yesterday", datatype=XSD.dateTime))),
}

#: Mutants the shapes do not make fail, and why: each is a finding, not a violation.
NOT_VIOLATIONS = {
    # A source may know an abstract's language and not its title's: a warning.
    "title lost its language tag",
}
