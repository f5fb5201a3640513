"""The mapping entry point: one :class:`~ld_publish.model.Work` → one :class:`RecordGraph`.

This is the only place that knows both the record model and RDF. See
``../shared/design/MAPPING.md`` and ``docs/decisions/`` for the crosswalk and where it departs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IdentifierError, RecordError
from ..graph import RecordGraph
from ..identifiers import is_valid_iri
from ..model import DateValue, Notice, Work
from ..terms import Term, iri, iri_value
from .agents import add_contributors, add_organization
from .builder import _SURROGATE_RE, GraphBuilder, Profile
from .citations import add_references, add_related
from .classes import classes_of
from .funding import add_funding
from .ids import add_identifiers
from .iris import DEFAULT_BASE, Minter, check_base, doi_node
from .namespaces import DCTERMS, FABIO, PRISM, SCHEMA
from .provenance import add_provenance
from .venue import add_venue


@dataclass(frozen=True, slots=True)
class MappingOptions:
    base: str = DEFAULT_BASE
    profile: Profile = Profile.BOTH

    def __post_init__(self) -> None:
        check_base(self.base)


@dataclass(frozen=True, slots=True)
class MappedRecord:
    """The graph of one record and what the mapping noticed on the way."""

    graph: RecordGraph
    notices: tuple[Notice, ...]


# Which record date feeds schema:datePublished / prism:publicationDate, in order of preference.
_PUBLISHED_ORDER = ("published", "published-online", "published-print", "issued", "collection")


def work_node(work: Work, minter: Minter) -> Term:
    if work.doi:
        try:
            return doi_node(work.doi)
        except IdentifierError as exc:
            raise RecordError(str(exc.message), hint=exc.hint) from None
    return iri(minter.record)


def map_work(work: Work, options: MappingOptions | None = None) -> MappedRecord:
    """Map one record. Raises :class:`RecordError` for values no RDF syntax can carry."""
    options = options or MappingOptions()
    if _SURROGATE_RE.search(work.key):
        raise RecordError("field key contains an unpaired UTF-16 surrogate, which no IRI or "
                          "file name can hold",
                          hint="fix the text encoding of the source (\\ud800-\\udfff "
                               "escapes must come in pairs)")
    minter = Minter(options.base, work.key)
    b = GraphBuilder(options.profile, work.source.label())
    node = work_node(work, minter)
    graph_name = minter.graph(work.key)

    schema_cls, fabio_cls = classes_of(work.type)
    b.type(node, schema=schema_cls, spar=(fabio_cls, FABIO.Expression))
    _titles(b, node, work)
    _dates(b, node, work)
    if work.language:
        lang = b.plain(work.language, "language")
        b.both(node, SCHEMA.inLanguage, DCTERMS.language, lang)
    if work.identifiers:
        add_identifiers(b, minter, node, work.identifiers)
        for ident in work.identifiers:
            if ident.scheme == "doi":
                b.spar(node, PRISM.doi, b.plain(ident.value, "identifiers.doi"))
    add_contributors(b, minter, node, work.contributors)
    add_venue(b, minter, node, work)
    _pages(b, node, work)
    add_funding(b, minter, node, work.funding)
    add_references(b, minter, node, work.references)
    add_related(b, minter, node, work.related)
    _licences_and_subjects(b, minter, node, work)
    add_provenance(b, minter, graph_name, node, work.source)

    graph = RecordGraph.from_terms(work.key, iri_value(graph_name), iri_value(node), b.triples,
                              work.source.label())
    return MappedRecord(graph, tuple(b.notices))


def _titles(b: GraphBuilder, node: Term, work: Work) -> None:
    if work.title:
        title = b.text(work.title, "title")
        b.schema(node, SCHEMA.name, title)
        b.both(node, SCHEMA.headline, DCTERMS.title, title)
    b.texts(node, work.subtitles, "subtitles", SCHEMA.alternativeHeadline, FABIO.hasSubtitle)
    b.texts(node, work.translated_titles, "translated_titles", SCHEMA.alternativeHeadline,
            DCTERMS.alternative)
    b.texts(node, work.abstracts, "abstracts", SCHEMA.abstract, DCTERMS.abstract)
    if work.citation:
        b.spar(node, DCTERMS.bibliographicCitation, b.plain(work.citation, "citation"))
    if work.version:
        b.schema(node, SCHEMA.version, b.plain(work.version, "version"))
        b.spar(node, PRISM.versionIdentifier, b.plain(work.version, "version"))


def _dates(b: GraphBuilder, node: Term, work: Work) -> None:
    published: DateValue | None = next(
        (d for kind in _PUBLISHED_ORDER if (d := work.date(kind)) is not None), None)
    if published is not None:
        b.schema(node, SCHEMA.datePublished, b.date(published))
        b.spar(node, PRISM.publicationDate, b.date(published))
        b.spar(node, FABIO.hasPublicationYear, b.date(DateValue(published.year)))
    for event in work.dates:
        value = b.date(event.value)
        match event.kind:
            case "received":
                b.spar(node, FABIO.hasDateReceived, value)
            case "accepted":
                b.spar(node, DCTERMS.dateAccepted, value)
            case "revised":
                b.spar(node, DCTERMS.modified, value)
            case "published-print" | "collection":
                b.spar(node, PRISM.coverDate, value)
            case "published-online" | "available":
                b.spar(node, DCTERMS.available, value)
            case "created":
                b.both(node, SCHEMA.dateCreated, DCTERMS.created, value)
            case "updated":
                b.both(node, SCHEMA.dateModified, DCTERMS.modified, value)
            case _:
                pass  # published / issued: already the publication date above


def _pages(b: GraphBuilder, node: Term, work: Work) -> None:
    if work.pages:
        pages = work.pages
        b.schema(node, SCHEMA.pagination, b.plain(pages.text, "pages"))
        b.spar(node, PRISM.pageRange, b.plain(pages.text, "pages"))
        if pages.first:
            b.schema(node, SCHEMA.pageStart, b.plain(pages.first, "pages.first"))
            b.spar(node, PRISM.startingPage, b.plain(pages.first, "pages.first"))
        if pages.last:
            b.schema(node, SCHEMA.pageEnd, b.plain(pages.last, "pages.last"))
            b.spar(node, PRISM.endingPage, b.plain(pages.last, "pages.last"))
    if work.article_number:
        number = b.plain(work.article_number, "article_number")
        b.spar(node, FABIO.hasElectronicArticleIdentifier, number)
        if not work.pages:
            b.schema(node, SCHEMA.pagination, number)


def _licences_and_subjects(b: GraphBuilder, minter: Minter, node: Term,
                           work: Work) -> None:
    for index, licence in enumerate(work.licenses, 1):
        if is_valid_iri(licence.url):
            target = iri(licence.url)
            b.both(node, SCHEMA.license, DCTERMS.license, target)
        else:
            b.notices.append(Notice(field=f"licenses[{index}].url", value=licence.url,
                                    message="licence is not an IRI; kept as text",
                                    hint="give the licence as a URL"))
            b.schema(node, SCHEMA.license, b.plain(licence.url, f"licenses[{index}].url"))
    b.texts(node, work.keywords, "keywords", SCHEMA.keywords, PRISM.keyword)
    for index, subject in enumerate(work.subjects, 1):
        b.both(node, SCHEMA.about, DCTERMS.subject, b.plain(subject, f"subjects[{index}]"))
    if work.publisher:
        org = add_organization(b, minter, work.publisher, "publisher", "publisher")
        b.both(node, SCHEMA.publisher, DCTERMS.publisher, org)
    if work.url:
        if is_valid_iri(work.url):
            b.schema(node, SCHEMA.url, iri(work.url))
        else:
            b.notices.append(Notice(field="url", value=work.url, message="URL is not an IRI",
                                    hint="percent-encode spaces and quotes in the URL"))
