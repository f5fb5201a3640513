"""References (BiRO entries with their text, CiTO links to DOI-identified works, the cited work
with its journal, volume, issue and pages) and related works ("See also", corrections,
supplements, preprints) as typed relations.

A reference entry's IRI is keyed by what it cites: its DOI, else a hash of its normalised text,
so inserting a reference renames no other one. Its place in the list is its
``fabio:hasSequenceIdentifier`` (domain ``frbr:Endeavour``, which a BiRO reference is; OCO's
``oco:hasNext`` is for roles only, its domain and range are ``pro:RoleInTime``).
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import IdentifierError
from ..identifiers import is_valid_iri
from ..model import Container, DateValue, Notice, Pages, Reference, RelatedItem, WorkType
from ..terms import Term, iri, iri_value, literal
from .builder import GraphBuilder, Object, Subject
from .classes import classes_of
from .ids import add_identifiers
from .iris import Minter, digest, doi_node, normalized
from .namespaces import (
    BIRO,
    C4O,
    CITO,
    DCTERMS,
    FABIO,
    FRBR,
    PROV,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    XSD,
)
from .venue import add_container, add_pages, add_volume_and_issue

# "(In Russ.)"-style notes in reference lists name the language of the cited work.
_LANGUAGE_NOTES = {"russ": "ru", "ukr": "uk", "engl": "en", "germ": "de", "fr": "fr",
                   "chin": "zh", "kaz": "kk", "bel": "be", "span": "es"}

#: What a cited work of each type is published in.
_CONTAINER_TYPES = {
    WorkType.JOURNAL_ARTICLE: WorkType.JOURNAL, WorkType.REVIEW: WorkType.JOURNAL,
    WorkType.EDITORIAL: WorkType.JOURNAL, WorkType.BOOK_CHAPTER: WorkType.BOOK,
    WorkType.PROCEEDINGS_ARTICLE: WorkType.PROCEEDINGS, WorkType.BLOG_POST: WorkType.BLOG,
}

#: relation type -> (SPAR/DC property, Schema.org property or None)
RELATIONS: dict[str, tuple[Term, Term | None]] = {
    "see-also": (DCTERMS.relation, None),
    "is-related-to": (DCTERMS.relation, None),
    "is-supplemented-by": (DCTERMS.relation, None),
    "is-supplement-to": (DCTERMS.relation, None),
    "is-correction-of": (CITO.corrects, None),
    "is-corrected-by": (CITO.isCorrectedBy, None),
    "is-retraction-of": (CITO.retracts, None),
    "is-retracted-by": (CITO.isRetractedBy, None),
    "is-review-of": (CITO.reviews, SCHEMA.itemReviewed),
    "is-reviewed-by": (CITO.isReviewedBy, None),
    "is-preprint-of": (DCTERMS.isVersionOf, None),
    "has-preprint": (DCTERMS.hasVersion, None),
    "is-version-of": (DCTERMS.isVersionOf, None),
    "has-version": (DCTERMS.hasVersion, None),
    "is-part-of": (DCTERMS.isPartOf, SCHEMA.isPartOf),
    "has-part": (DCTERMS.hasPart, SCHEMA.hasPart),
    "references": (DCTERMS.references, SCHEMA.citation),
    "is-referenced-by": (DCTERMS.isReferencedBy, None),
    "is-identical-to": (SCHEMA.sameAs, SCHEMA.sameAs),
    "is-derived-from": (PROV.wasDerivedFrom, SCHEMA.isBasedOn),
    "is-source-of": (DCTERMS.relation, None),
}


def _language_of(note: str | None) -> str | None:
    if not note:
        return None
    word = note.lower().removeprefix("in ").strip(" .()")
    return _LANGUAGE_NOTES.get(word)


def render_reference(ref: Reference) -> str:
    """A readable citation from parsed parts, for sources that give no reference text."""
    parts: list[str] = []
    if ref.authors:
        parts.append(", ".join(ref.authors))
    if ref.year:
        parts.append(f"({ref.year})")
    for value in (ref.title, ref.container_title):
        if value:
            parts.append(value.rstrip(".") + ".")
    if ref.volume:
        parts.append(ref.volume + (f"({ref.issue})" if ref.issue else ""))
    if ref.pages:
        parts.append(ref.pages)
    if ref.doi:
        parts.append("https://doi.org/" + ref.doi.value)
    elif ref.url:
        parts.append(ref.url)
    return " ".join(parts) or f"reference {ref.position}"


def add_references(b: GraphBuilder, minter: Minter, work: Term,
                   references: tuple[Reference, ...]) -> None:
    entries: list[Term] = []
    cited_nodes: list[Term] = []
    used: set[str] = set()
    for ref in sorted(references, key=lambda r: r.position):
        field = f"references[{ref.position}]"
        ref = _checked_doi(b, ref, field)
        text = ref.raw or render_reference(ref)
        key = digest("doi:" + ref.doi.value if ref.doi else "text:" + normalized(text))
        slot, n = key, 1
        while slot in used:  # the same reference listed twice
            n += 1
            slot = f"{key}-{n}"
        used.add(slot)
        entry = minter.local("reference", slot)
        b.field_of(entry, field)
        entries.append(entry)
        b.spar(entry, RDF_TYPE, BIRO.BibliographicReference)
        b.spar(work, FRBR.part, entry)
        b.spar(entry, C4O.hasContent, b.plain(text, f"{field}.raw"))
        b.spar(entry, FABIO.hasSequenceIdentifier, literal(str(ref.position)))
        if ref.key:
            b.spar(entry, RDFS.label, b.plain(ref.key, f"{field}.key"))
        if ref.language_note and not _language_of(ref.language_note):
            b.spar(entry, RDFS.comment, b.plain(ref.language_note, f"{field}.language_note"))
        cited = _cited_work(b, minter, ref, entry, field)
        if cited is None:
            b.schema(work, SCHEMA.citation, b.plain(text, f"{field}.raw"))
            continue
        cited_nodes.append(cited)
        b.spar(entry, BIRO.references, cited)
        b.schema(work, SCHEMA.citation, cited)
        if ref.doi:
            b.spar(work, CITO.cites, cited)
    b.ordered(work, FRBR.part, entries)
    b.ordered(work, SCHEMA.citation, cited_nodes)


def _checked_doi(b: GraphBuilder, ref: Reference, field: str) -> Reference:
    """The reference without its DOI when the DOI is malformed (reported, text kept)."""
    if ref.doi is None:
        return ref
    try:
        doi_node(ref.doi.value)
    except IdentifierError as exc:
        b.notices.append(Notice(field=f"{field}.doi", value=ref.doi.value,
                                message=f"{exc.message}; the reference is kept without it",
                                hint=exc.hint))
        return replace(ref, doi=None)
    return ref


def _cited_work(b: GraphBuilder, minter: Minter, ref: Reference, entry: Term,
                field: str) -> Term | None:
    has_parts = any((ref.title, ref.container_title, ref.year, ref.url, ref.identifiers))
    if ref.doi:
        node = doi_node(ref.doi.value)
    elif has_parts or ref.raw:
        node = iri(iri_value(entry) + "/work")
    else:
        return None
    b.field_of(node, field)
    schema_cls, fabio_cls = classes_of(ref.type or WorkType.OTHER)
    b.type(node, schema=schema_cls if ref.type else SCHEMA.CreativeWork,
           spar=(FABIO.Expression,) + ((fabio_cls,) if ref.type else ()))
    if ref.title:
        title = b.plain(ref.title, f"{field}.title")
        b.both(node, SCHEMA.name, DCTERMS.title, title)
    year = _year(ref.year)
    if year is not None:
        value = literal(str(year.year), datatype=XSD.gYear)
        b.both(node, SCHEMA.datePublished, FABIO.hasPublicationYear, value)
    if ref.container_title:
        container = Container(ref.container_title, _container_type(ref))
        add_container(b, minter, node, container, ref.volume, ref.issue, year, field)
    else:
        add_volume_and_issue(b, node, ref.volume, ref.issue, field)
    if ref.pages:
        add_pages(b, node, Pages.from_text(ref.pages), field,
                  schema_cls if ref.type else SCHEMA.CreativeWork)
    language = _language_of(ref.language_note)
    if language:
        b.both(node, SCHEMA.inLanguage, DCTERMS.language, literal(language))
    if ref.url and ref.url.startswith(("http://", "https://")) and is_valid_iri(ref.url):
        b.schema(node, SCHEMA.url, iri(ref.url))
    if ref.identifiers:
        add_identifiers(b, minter, node, ref.identifiers, field)
    return node


def _year(text: str | None) -> DateValue | None:
    if text and text[:4].isascii() and text[:4].isdigit():
        return DateValue(int(text[:4]))
    return None


def _container_type(ref: Reference) -> WorkType:
    if ref.type in _CONTAINER_TYPES:
        return _CONTAINER_TYPES[ref.type]
    if ref.type is None and (ref.volume or ref.issue):
        return WorkType.JOURNAL  # "Title, 12(3)": a periodical
    return WorkType.OTHER


def add_related(b: GraphBuilder, minter: Minter, work: Term,
                related: tuple[RelatedItem, ...], work_class: Term) -> None:
    for number, item in enumerate(related, 1):
        field = f"related[{number}]"
        node = _related_node(b, minter, item, field)
        b.field_of(node, field)
        spar_prop, schema_prop = RELATIONS[item.relation]
        if schema_prop == SCHEMA.itemReviewed and work_class != SCHEMA.Review:
            schema_prop = None  # its domain is Review: only a review names what it reviews
        if iri_value(spar_prop).startswith("http://schema.org/"):
            b.schema(work, spar_prop, node)
        else:
            b.spar(work, spar_prop, node)
        if schema_prop is not None and schema_prop != spar_prop:
            b.schema(work, schema_prop, node)
        # Schema.org has no term for most of these relations; describing the node in Schema.org
        # terms anyway would leave it unlinked in a Schema.org-only graph.
        in_schema = schema_prop is not None
        say = b.schema if in_schema else _nowhere
        b.type(node, schema=SCHEMA.CreativeWork if in_schema else None, spar=(FABIO.Expression,))
        if item.citation:
            b.spar(node, DCTERMS.bibliographicCitation, b.plain(item.citation,
                                                                f"{field}.citation"))
        if item.title:
            title = b.plain(item.title, f"{field}.title")
            say(node, SCHEMA.name, title)
            b.spar(node, DCTERMS.title, title)
        for author in item.authors:
            say(node, SCHEMA.creditText, b.plain(author, f"{field}.authors"))
        if item.year and item.year.isascii() and item.year.isdigit() and len(item.year) == 4:
            year = literal(item.year, datatype=XSD.gYear)
            say(node, SCHEMA.datePublished, year)
            b.spar(node, FABIO.hasPublicationYear, year)
        described_by = b if in_schema else b.spar_only()
        if item.container_title:
            container = Container(item.container_title, WorkType.JOURNAL)
            add_container(described_by, minter, node, container, None, item.issue,
                          _year(item.year), field)
        elif item.issue:
            add_volume_and_issue(described_by, node, None, item.issue, field)
        others = tuple(i for i in item.identifiers if i.scheme != "doi")
        if others:
            add_identifiers(described_by, minter, node, others, field)


def _nowhere(s: Subject, p: Term, o: Object) -> None:
    """Drops a triple (a Schema.org statement about a node Schema.org cannot link)."""


def _related_node(b: GraphBuilder, minter: Minter, item: RelatedItem, field: str) -> Term:
    for ident in item.identifiers:
        if ident.scheme == "doi":
            try:
                return doi_node(ident.value)
            except IdentifierError:
                b.notices.append(Notice(field=f"{field}.identifiers.doi", value=ident.value,
                                        message="related DOI is malformed; a local IRI is used",
                                        hint="correct the DOI in the source"))
        if ident.scheme == "url" and is_valid_iri(ident.value):
            return iri(ident.value)
    key = item.citation or item.title or "|".join(item.authors) or item.relation
    return minter.local("related", digest(normalized(key)))
