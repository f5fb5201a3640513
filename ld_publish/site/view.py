"""What a record's landing page shows, read from the record graph and nothing else.

Writers see only graphs, so the page says what the RDF says: an author missing from the graph
is missing from the page too, and a test of the graph is a test of the page. Author order comes
from the PRO roles' ``oco:hasNext`` chain (RDF keeps no order among a property's values; see
docs/mapping.md), references are ordered by ``fabio:hasSequenceIdentifier``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..graph import RecordGraph
from ..mapping.namespaces import PREFIXES
from ..terms import Term, literal_parts

S = PREFIXES["schema"]
DCT = PREFIXES["dcterms"]
FABIO = PREFIXES["fabio"]
PRISM = PREFIXES["prism"]
PRO = PREFIXES["pro"]
FOAF = PREFIXES["foaf"]
RDF_TYPE = PREFIXES["rdf"] + "type"
DOI_PREFIX = "https://doi.org/"
ORCID_PREFIX = "https://orcid.org/"


@dataclass(frozen=True, slots=True)
class Text:
    """A literal's text and language tag (``None`` when untagged)."""

    value: str
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    iri: str
    orcid: str | None  # the ORCID IRI
    affiliations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    number: str
    text: str
    cited: str | None  # the cited work's IRI
    doi: str | None  # the cited DOI IRI


@dataclass(frozen=True, slots=True)
class Related:
    text: str
    iri: str


@dataclass(frozen=True, slots=True)
class Grant:
    name: str
    numbers: tuple[str, ...]
    funders: tuple[str, ...]
    description: str


@dataclass(slots=True)
class RecordView:
    """The parts of one record a page shows (all strings are plain text, not yet escaped)."""

    iri: str  # the work's IRI (its DOI IRI where it has one)
    title: Text | None = None
    subtitles: tuple[Text, ...] = ()
    authors: tuple[Author, ...] = ()
    journal: str | None = None
    journal_iri: str | None = None
    issn: tuple[str, ...] = ()
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    pagination: str | None = None
    published: str | None = None
    received: str | None = None
    accepted: str | None = None
    available: str | None = None
    doi: str | None = None  # the bare DOI
    abstracts: tuple[Text, ...] = ()
    languages: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    publisher: str | None = None
    licenses: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()
    funders: tuple[str, ...] = ()  # funders named without a grant
    references: tuple[Reference, ...] = ()
    related: tuple[Related, ...] = ()
    types: tuple[str, ...] = ()

    @property
    def doi_iri(self) -> str | None:
        return DOI_PREFIX + self.doi if self.doi else None


class _Reader:
    def __init__(self, graph: RecordGraph) -> None:
        self.out = graph.index().out

    def objects(self, node: Term, *predicates: str) -> list[Term]:
        props = self.out.get(node, {})
        found: list[Term] = []
        for predicate in predicates:
            for term in props.get(predicate, ()):
                if term not in found:
                    found.append(term)
        return found

    def iris(self, node: Term, *predicates: str) -> list[Term]:
        return sorted(t for t in self.objects(node, *predicates) if t[0] == "<")

    def texts(self, node: Term, *predicates: str) -> list[Text]:
        found: list[Text] = []
        for term in self.objects(node, *predicates):
            if term[0] == '"':
                value, lang, _ = literal_parts(term)
                text = Text(value, lang)
                if all(t.value != value for t in found):
                    found.append(text)
        return found

    def text(self, node: Term, *predicates: str) -> str | None:
        # Several values of one property: the sorted first, so every run shows the same.
        for predicate in predicates:
            values = sorted(t.value for t in self.texts(node, predicate))
            if values:
                return values[0]
        return None

    def name(self, node: Term) -> str | None:
        return self.text(node, S + "name", FOAF + "name", DCT + "title",
                         PREFIXES["rdfs"] + "label")

    def types(self, node: Term) -> list[str]:
        return sorted(t[1:-1] for t in self.objects(node, RDF_TYPE) if t[0] == "<")


def record_view(graph: RecordGraph) -> RecordView:
    """The page's view of ``graph`` (see the module docs)."""
    r = _Reader(graph)
    work = f"<{graph.root}>"
    titles = r.texts(work, S + "name", DCT + "title", S + "headline")
    view = RecordView(graph.root, titles[0] if titles else None)
    view.types = tuple(r.types(work))
    view.subtitles = tuple(r.texts(work, S + "alternativeHeadline", FABIO + "hasSubtitle",
                                   DCT + "alternative"))
    view.authors = _authors(r, work)
    _venue(r, work, view)
    view.first_page = r.text(work, S + "pageStart", PRISM + "startingPage")
    view.last_page = r.text(work, S + "pageEnd", PRISM + "endingPage")
    view.pagination = r.text(work, S + "pagination", PRISM + "pageRange")
    view.published = r.text(work, S + "datePublished", PRISM + "publicationDate",
                             DCT + "issued", DCT + "available")
    view.received = r.text(work, FABIO + "hasDateReceived", DCT + "dateSubmitted")
    view.accepted = r.text(work, DCT + "dateAccepted")
    view.available = r.text(work, DCT + "available")
    view.doi = r.text(work, PRISM + "doi") or (
        graph.root[len(DOI_PREFIX):] if graph.root.startswith(DOI_PREFIX) else None)
    view.abstracts = tuple(r.texts(work, S + "abstract", DCT + "abstract"))
    view.languages = tuple(sorted({t.value for t in r.texts(work, S + "inLanguage",
                                                             DCT + "language")}))
    view.keywords = tuple(sorted({t.value for t in r.texts(work, S + "keywords",
                                                            PRISM + "keyword")}))
    publishers = r.iris(work, S + "publisher", DCT + "publisher")
    view.publisher = r.name(publishers[0]) if publishers else None
    view.licenses = tuple(t[1:-1] for t in r.iris(work, S + "license", DCT + "license"))
    grants = sorted(set(r.iris(work, S + "funding")) | {
        g for g in r.iris(work, PREFIXES["frapo"] + "isFundedBy")
        if PREFIXES["frapo"] + "Grant" in r.types(g)})
    view.grants = tuple(_grant(r, g) for g in grants)
    named = {f for g in view.grants for f in g.funders}
    view.funders = tuple(sorted({name for f in r.iris(work, S + "funder") if (
        name := r.name(f)) and name not in named}))
    view.references = _references(r, work)
    view.related = tuple(sorted(
        (Related(r.text(n, DCT + "bibliographicCitation") or r.name(n) or n[1:-1], n[1:-1])
         for n in r.iris(work, DCT + "relation", S + "isRelatedTo")),
        key=lambda item: (item.text, item.iri)))
    return view


def _authors(r: _Reader, work: Term) -> tuple[Author, ...]:
    roles = [role for role in r.iris(work, PRO + "isDocumentContextFor")
             if f"<{PRO}author>" in r.objects(role, PRO + "withRole")]
    people: list[tuple[Term, list[Term]]] = []
    if roles:
        following = {n for role in roles for n in r.objects(role, PREFIXES["oco"] + "hasNext")}
        starts = [role for role in roles if role not in following]
        seen: set[Term] = set()
        # Each chain from its start, then any role the chains missed (a broken chain shows
        # its authors rather than losing them).
        for start in starts + roles:
            role: Term | None = start
            while role is not None and role not in seen and role in roles:
                seen.add(role)
                held = r.iris(role, PRO + "isHeldBy")
                if held:
                    people.append((held[0], r.iris(role, PRO + "relatesToOrganization")))
                nexts = r.iris(role, PREFIXES["oco"] + "hasNext")
                role = nexts[0] if nexts else None
    else:  # a Schema.org-only graph states no order: by name, so every run agrees
        people = sorted(((p, []) for p in r.iris(work, S + "author", DCT + "creator")),
                        key=lambda item: (r.name(item[0]) or "", item[0]))
    authors = []
    for person, role_orgs in people:
        orgs = role_orgs or r.iris(person, S + "affiliation")
        orcid = person[1:-1] if person.startswith(f"<{ORCID_PREFIX}") else None
        authors.append(Author(r.name(person) or person[1:-1], person[1:-1], orcid,
                              tuple(name for o in orgs if (name := r.name(o)))))
    return tuple(authors)


def _venue(r: _Reader, work: Term, view: RecordView) -> None:
    # Up the isPartOf chain: issue, volume, periodical (any may be missing).
    node, seen = work, {work}
    while True:
        parents = r.iris(node, S + "isPartOf", PREFIXES["frbr"] + "partOf")
        if not parents or parents[0] in seen:
            break
        node = parents[0]
        seen.add(node)
        types = r.types(node)
        if S + "PublicationIssue" in types or FABIO + "JournalIssue" in types:
            view.issue = view.issue or r.text(node, S + "issueNumber",
                                              FABIO + "hasSequenceIdentifier")
        elif S + "PublicationVolume" in types or FABIO + "JournalVolume" in types:
            view.volume = view.volume or r.text(node, S + "volumeNumber",
                                                FABIO + "hasSequenceIdentifier")
        else:
            view.journal = r.name(node)
            view.journal_iri = node[1:-1]
            view.issn = tuple(sorted({t.value for t in r.texts(
                node, S + "issn", PRISM + "issn", PRISM + "eIssn")}))
            break
    view.volume = view.volume or r.text(work, PRISM + "volume")
    view.issue = view.issue or r.text(work, PRISM + "issueIdentifier")


def _grant(r: _Reader, grant: Term) -> Grant:
    numbers = sorted({t.value for t in r.texts(grant, PREFIXES["frapo"] + "hasGrantNumber",
                                                S + "identifier")})
    funders = sorted({name for f in r.iris(grant, S + "funder", PREFIXES["frapo"] + "isAwardedBy",
                                           PREFIXES["frapo"] + "hasFunder")
                      if (name := r.name(f))})
    return Grant(r.name(grant) or "", tuple(numbers), tuple(funders),
                 r.text(grant, S + "description", DCT + "description") or "")


def _references(r: _Reader, work: Term) -> tuple[Reference, ...]:
    entries = [e for e in r.iris(work, PREFIXES["frbr"] + "part")
               if PREFIXES["biro"] + "BibliographicReference" in r.types(e)]
    found = []
    for entry in entries:
        number = r.text(entry, FABIO + "hasSequenceIdentifier") or ""
        cited = r.iris(entry, PREFIXES["biro"] + "references")
        cited_iri = cited[0][1:-1] if cited else None
        text = r.text(entry, PREFIXES["c4o"] + "hasContent") or (
            r.name(cited[0]) if cited else None) or ""
        doi = cited_iri if cited_iri and cited_iri.startswith(DOI_PREFIX) else None
        found.append(Reference(number, text, cited_iri, doi))
    if not entries:  # a Schema.org-only graph: the cited works, in no stated order
        for cited_term in r.iris(work, S + "citation"):
            iri = cited_term[1:-1]
            found.append(Reference("", r.name(cited_term) or iri, iri,
                                   iri if iri.startswith(DOI_PREFIX) else None))
    found.sort(key=lambda ref: (_number(ref.number), ref.number, ref.text))
    return tuple(found)


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 12 else 10**12
