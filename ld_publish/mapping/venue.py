"""Where a work is published: journal → volume → issue (Schema.org and FRBR/FaBiO part-of chains),
or a book, proceedings, blog or series for other work types."""

from __future__ import annotations

from ..model import Container, Work, WorkType
from ..terms import Term, iri, iri_value
from .agents import add_organization
from .builder import GraphBuilder
from .classes import classes_of
from .ids import add_identifiers
from .iris import Minter, doi_node, segment, slug
from .namespaces import DCTERMS, FABIO, FRBR, PRISM, SCHEMA


def container_node(minter: Minter, container: Container) -> Term:
    """Shared across records: by ISSN (print first), ISBN, DOI, else by title."""
    by_scheme = {i.scheme: i for i in sorted(container.identifiers,
                                             key=lambda i: (i.qualifier != "print", i.value))}
    if "doi" in by_scheme:
        return doi_node(by_scheme["doi"].value)
    for scheme in ("issn", "isbn"):
        if scheme in by_scheme:
            return minter.shared("venue", scheme, by_scheme[scheme].value)
    return minter.shared("venue", "title", slug(container.title or "untitled"))


def add_venue(b: GraphBuilder, minter: Minter, work_node: Term, work: Work) -> None:
    container = work.container
    if container is None:
        if work.volume:
            b.spar(work_node, PRISM.volume, b.plain(work.volume, "volume"))
        if work.issue:
            b.spar(work_node, PRISM.issueIdentifier, b.plain(work.issue, "issue"))
        return
    venue = container_node(minter, container)
    schema_cls, fabio_cls = classes_of(container.type)
    b.type(venue, schema=schema_cls, spar=(fabio_cls,))
    if container.title:
        title = b.plain(container.title, "container.title")
        b.both(venue, SCHEMA.name, DCTERMS.title, title)
    if container.short_title:
        short = b.plain(container.short_title, "container.short_title")
        b.both(venue, SCHEMA.alternateName, FABIO.hasShortTitle, short)
    for ident in container.identifiers:
        if ident.scheme == "issn":
            b.schema(venue, SCHEMA.issn, b.plain(ident.value, "container.identifiers.issn"))
            prop = PRISM.eIssn if ident.qualifier == "electronic" else PRISM.issn
            b.spar(venue, prop, b.plain(ident.value, "container.identifiers.issn"))
        elif ident.scheme == "isbn":
            b.schema(venue, SCHEMA.isbn, b.plain(ident.value, "container.identifiers.isbn"))
    if container.identifiers:
        add_identifiers(b, minter, venue, container.identifiers, "container")
    if container.publisher:
        org = add_organization(b, minter, container.publisher, "container.publisher",
                               "container", "publisher")
        b.both(venue, SCHEMA.publisher, DCTERMS.publisher, org)

    if container.type is not WorkType.JOURNAL:
        b.both(work_node, SCHEMA.isPartOf, FRBR.partOf, venue)
        if work.volume:
            b.spar(work_node, PRISM.volume, b.plain(work.volume, "volume"))
            b.schema(work_node, SCHEMA.position, b.plain(work.volume, "volume"))
        if work.issue:
            b.spar(work_node, PRISM.issueIdentifier, b.plain(work.issue, "issue"))
        return

    parent = venue
    if work.volume:
        volume = iri(f"{iri_value(venue)}/volume/{segment(work.volume)}")
        b.type(volume, schema=SCHEMA.PublicationVolume, spar=(FABIO.JournalVolume,))
        number = b.plain(work.volume, "volume")
        b.both(volume, SCHEMA.volumeNumber, FABIO.hasSequenceIdentifier, number)
        b.both(volume, SCHEMA.isPartOf, FRBR.partOf, venue)
        parent = volume
    if work.issue:
        # Without a volume the issue number repeats every year, so the year joins the key.
        year = work.date("published") or work.date("issued") or work.date("published-print")
        issue_key = work.issue if work.volume or year is None else f"{year.year}-{work.issue}"
        issue = iri(f"{iri_value(parent)}/issue/{segment(issue_key)}")
        b.type(issue, schema=SCHEMA.PublicationIssue, spar=(FABIO.JournalIssue,))
        number = b.plain(work.issue, "issue")
        b.both(issue, SCHEMA.issueNumber, FABIO.hasSequenceIdentifier, number)
        if year is not None and not work.volume:
            b.schema(issue, SCHEMA.datePublished, b.date(type(year)(year.year)))
            b.spar(issue, PRISM.publicationDate, b.date(type(year)(year.year)))
        b.both(issue, SCHEMA.isPartOf, FRBR.partOf, parent)
        parent = issue
    b.both(work_node, SCHEMA.isPartOf, FRBR.partOf, parent)
