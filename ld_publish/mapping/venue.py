"""Where a work is published: journal → volume → issue (Schema.org and FRBR/FaBiO part-of chains),
or a book, proceedings, blog or series for other work types. The record's own work and every
cited work with a container go through the same code, so a cited article's journal is the same
typed, shared node as when an article of that journal is published."""

from __future__ import annotations

from ..model import Container, DateValue, Pages, WorkType
from ..terms import Term, iri, iri_value
from .agents import add_organization
from .builder import GraphBuilder
from .classes import PAGED, classes_of
from .ids import add_identifiers
from .iris import Minter, doi_node, segment, slug
from .namespaces import DCTERMS, FABIO, FRBR, PRISM, SCHEMA


def container_node(minter: Minter, container: Container) -> Term:
    """Shared across records: by ISSN (print first), ISBN, DOI, else by normalised title."""
    by_scheme = {i.scheme: i for i in sorted(container.identifiers,
                                             key=lambda i: (i.qualifier != "print", i.value))}
    if "doi" in by_scheme:
        return doi_node(by_scheme["doi"].value)
    for scheme in ("issn", "isbn"):
        if scheme in by_scheme:
            return minter.shared("venue", scheme, by_scheme[scheme].value)
    return minter.shared("venue", "title", slug(container.title or "untitled"))


def add_container(b: GraphBuilder, minter: Minter, node: Term, container: Container,
                  volume: str | None, issue: str | None, year: DateValue | None,
                  field: str) -> None:
    """``node`` is part of ``container`` (through its volume and issue for a journal).

    ``field`` is the record field of the work (``""`` for the record's own work, else e.g.
    ``references[3]``), so messages name ``references[3].container.title``.
    """
    prefix = f"{field}." if field else ""
    venue = container_node(minter, container)
    b.field_of(venue, prefix + "container")
    schema_cls, fabio_cls = classes_of(container.type)
    b.type(venue, schema=schema_cls, spar=(fabio_cls,))
    if container.title:
        title = b.plain(container.title, prefix + "container.title")
        b.both(venue, SCHEMA.name, DCTERMS.title, title)
    if container.short_title:
        short = b.plain(container.short_title, prefix + "container.short_title")
        b.both(venue, SCHEMA.alternateName, FABIO.hasShortTitle, short)
    for ident in container.identifiers:
        path = prefix + "container.identifiers." + ident.scheme
        if ident.scheme == "issn":
            b.schema(venue, SCHEMA.issn, b.plain(ident.value, path))
            prop = PRISM.eIssn if ident.qualifier == "electronic" else PRISM.issn
            b.spar(venue, prop, b.plain(ident.value, path))
        elif ident.scheme == "isbn":
            b.schema(venue, SCHEMA.isbn, b.plain(ident.value, path))
            b.spar(venue, PRISM.isbn, b.plain(ident.value, path))
    if container.identifiers:
        add_identifiers(b, minter, venue, container.identifiers, prefix + "container")
    if container.publisher:
        org = add_organization(b, minter, container.publisher, prefix + "container.publisher")
        b.both(venue, SCHEMA.publisher, DCTERMS.publisher, org)

    if container.type is not WorkType.JOURNAL:
        b.both(node, SCHEMA.isPartOf, FRBR.partOf, venue)
        if volume:
            b.spar(node, PRISM.volume, b.plain(volume, prefix + "volume"))
        if issue:
            b.spar(node, PRISM.issueIdentifier, b.plain(issue, prefix + "issue"))
        return

    parent = venue
    if volume:
        volume_node = iri(f"{iri_value(venue)}/volume/{segment(volume)}")
        b.field_of(volume_node, prefix + "volume")
        b.type(volume_node, schema=SCHEMA.PublicationVolume, spar=(FABIO.JournalVolume,))
        number = b.plain(volume, prefix + "volume")
        b.both(volume_node, SCHEMA.volumeNumber, FABIO.hasSequenceIdentifier, number)
        b.both(volume_node, SCHEMA.isPartOf, FRBR.partOf, venue)
        b.spar(node, PRISM.volume, number)
        parent = volume_node
    if issue:
        # Without a volume the issue number repeats every year, so the year joins the key.
        issue_key = issue if volume or year is None else f"{year.year}-{issue}"
        issue_node = iri(f"{iri_value(parent)}/issue/{segment(issue_key)}")
        b.field_of(issue_node, prefix + "issue")
        b.type(issue_node, schema=SCHEMA.PublicationIssue, spar=(FABIO.JournalIssue,))
        number = b.plain(issue, prefix + "issue")
        b.both(issue_node, SCHEMA.issueNumber, FABIO.hasSequenceIdentifier, number)
        b.spar(node, PRISM.issueIdentifier, number)
        if year is not None and not volume:
            b.schema(issue_node, SCHEMA.datePublished, b.date(DateValue(year.year)))
            b.spar(issue_node, PRISM.publicationDate, b.date(DateValue(year.year)))
        b.both(issue_node, SCHEMA.isPartOf, FRBR.partOf, parent)
        parent = issue_node
    b.both(node, SCHEMA.isPartOf, FRBR.partOf, parent)


def add_volume_and_issue(b: GraphBuilder, node: Term, volume: str | None, issue: str | None,
                         field: str) -> None:
    """Volume and issue of a work with no container to hang them on."""
    prefix = f"{field}." if field else ""
    if volume:
        b.spar(node, PRISM.volume, b.plain(volume, prefix + "volume"))
    if issue:
        b.spar(node, PRISM.issueIdentifier, b.plain(issue, prefix + "issue"))


def add_pages(b: GraphBuilder, node: Term, pages: Pages, field: str, schema_class: Term) -> None:
    """Pages in PRISM, and in Schema.org where the work's class has them (articles and
    chapters: a book or a thesis has no page range in Schema.org)."""
    prefix = f"{field}." if field else ""
    say = b.schema if schema_class in PAGED else _nowhere
    say(node, SCHEMA.pagination, b.plain(pages.text, prefix + "pages"))
    b.spar(node, PRISM.pageRange, b.plain(pages.text, prefix + "pages"))
    if pages.first:
        say(node, SCHEMA.pageStart, b.plain(pages.first, prefix + "pages.first"))
        b.spar(node, PRISM.startingPage, b.plain(pages.first, prefix + "pages.first"))
    if pages.last:
        say(node, SCHEMA.pageEnd, b.plain(pages.last, prefix + "pages.last"))
        b.spar(node, PRISM.endingPage, b.plain(pages.last, prefix + "pages.last"))


def _nowhere(s: Term, p: Term, o: Term) -> None:
    """Drops a Schema.org statement whose subject is outside the property's domain."""
