"""The mapping entry point: one :class:`~ld_publish.model.Work` → one :class:`RecordGraph`.

This is the only place that knows both the record model and RDF. docs/mapping.md states every
field → triple, the IRI rules and the author-order model.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IdentifierError, RecordError, UsageError
from ..graph import RecordGraph
from ..identifiers import is_valid_iri
from ..model import DateValue, Notice, Work
from ..terms import Term, iri, iri_value
from .agents import add_contributors, add_organization
from .builder import _SURROGATE_RE, GraphBuilder, Profile
from .citations import add_references, add_related
from .classes import PAGED, classes_of
from .funding import add_funding
from .ids import add_identifiers
from .iris import DEFAULT_BASE, Minter, check_base, doi_node
from .namespaces import DCTERMS, FABIO, FOAF, PRISM, SCHEMA
from .provenance import add_provenance
from .venue import add_container, add_pages, add_volume_and_issue


@dataclass(frozen=True, slots=True)
class MappingOptions:
    base: str = DEFAULT_BASE
    profile: Profile = Profile.BOTH
    license: str | None = None  # the published graphs' licence (an IRI), --license

    def __post_init__(self) -> None:
        check_base(self.base)
        if self.license is not None and not is_valid_iri(self.license):
            raise UsageError(f"--license {self.license!r} is not an IRI",
                             hint="give the licence's URL, e.g. "
                                  "https://creativecommons.org/publicdomain/zero/1.0/")


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
    # foaf:Document too: it is the domain of pro:isDocumentContextFor, which links the roles.
    b.type(node, schema=schema_cls, spar=(fabio_cls, FABIO.Expression, FOAF.Document))
    _titles(b, node, work)
    _dates(b, node, work)
    if work.language:
        lang = b.plain(work.language, "language")
        b.both(node, SCHEMA.inLanguage, DCTERMS.language, lang)
    if work.identifiers:
        add_identifiers(b, minter, node, work.identifiers, "")
        for ident in work.identifiers:
            if ident.scheme == "doi":
                b.spar(node, PRISM.doi, b.plain(ident.value, "identifiers.doi"))
    add_contributors(b, minter, node, work.contributors)
    if work.container is not None:
        add_container(b, minter, node, work.container, work.volume, work.issue,
                      _issue_year(work), "")
    else:
        add_volume_and_issue(b, node, work.volume, work.issue, "")
    if work.pages:
        add_pages(b, node, work.pages, "", schema_cls)
    if work.article_number:
        number = b.plain(work.article_number, "article_number")
        b.spar(node, FABIO.hasElectronicArticleIdentifier, number)
        if not work.pages and schema_cls in PAGED:
            b.schema(node, SCHEMA.pagination, number)
    add_funding(b, minter, node, work.funding)
    add_references(b, minter, node, work.references)
    add_related(b, minter, node, work.related, schema_cls)
    _licences_and_subjects(b, minter, node, work)
    add_provenance(b, minter, graph_name, node, (work.source, *work.merged_from),
                   options.license)

    graph = RecordGraph.from_terms(work.key, iri_value(graph_name), iri_value(node), b.triples,
                                   work.source.label(), b.fields, b.order)
    return MappedRecord(graph, tuple(b.notices))


def _titles(b: GraphBuilder, node: Term, work: Work) -> None:
    if work.title:
        title = b.text(work.title, "title")
        b.schema(node, SCHEMA.name, title)
        b.both(node, SCHEMA.headline, DCTERMS.title, title)
    for index, subtitle in enumerate(work.subtitles, 1):
        field = f"subtitles[{index}]"
        b.schema(node, SCHEMA.alternativeHeadline, b.text(subtitle, field))
        # fabio:hasSubtitle's range is xsd:string: no language tag (Schema.org keeps it).
        b.spar(node, FABIO.hasSubtitle, b.plain(subtitle.value, field))
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
                # fabio:hasDateReceived's range is xsd:dateTime; a day alone goes through
                # dcterms:dateSubmitted, whose range (any literal) holds it.
                if event.value.time is not None:
                    b.spar(node, FABIO.hasDateReceived, value)
                else:
                    b.spar(node, DCTERMS.dateSubmitted, value)
            case "accepted":
                b.spar(node, DCTERMS.dateAccepted, value)
            case "revised":
                b.spar(node, DCTERMS.modified, value)
            case "published-print" | "collection":
                b.spar(node, DCTERMS.issued, value)
            case "published-online" | "available":
                b.spar(node, DCTERMS.available, value)
            case "created":
                b.both(node, SCHEMA.dateCreated, DCTERMS.created, value)
            case "updated":
                b.both(node, SCHEMA.dateModified, DCTERMS.modified, value)
            case _:
                pass  # published / issued: already the publication date above


def _issue_year(work: Work) -> DateValue | None:
    return work.date("published") or work.date("issued") or work.date("published-print")


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
        # schema:about takes a Thing; a subject heading given as text is a keyword.
        b.both(node, SCHEMA.keywords, DCTERMS.subject, b.plain(subject, f"subjects[{index}]"))
    if work.publisher:
        org = add_organization(b, minter, work.publisher, "publisher")
        b.both(node, SCHEMA.publisher, DCTERMS.publisher, org)
    if work.url:
        if is_valid_iri(work.url):
            b.schema(node, SCHEMA.url, iri(work.url))
        else:
            b.notices.append(Notice(field="url", value=work.url, message="URL is not an IRI",
                                    hint="percent-encode spaces and quotes in the URL"))
