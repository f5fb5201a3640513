"""Identifiers as entities: ``schema:identifier`` → ``schema:PropertyValue`` and
``datacite:hasIdentifier`` → ``datacite:Identifier`` with its scheme and literal value.

One node carries both descriptions, so the two vocabularies talk about the same identifier.
"""

from __future__ import annotations

from ..model import Identifier
from ..terms import Term, literal
from .builder import GraphBuilder, Subject
from .iris import Minter
from .namespaces import DATACITE, LITERAL, RDF_TYPE, RDFS, SCHEMA

# Schemes the DataCite ontology names; the others get a local scheme IRI under the base.
DATACITE_SCHEMES = frozenset({
    "doi", "orcid", "issn", "isbn", "pmid", "pmcid", "url", "arxiv", "handle", "isni",
    "viaf", "urn", "purl", "ark", "lsid", "upc", "ean13",
})

# Human-readable names for schema:propertyID, as registries call themselves.
SCHEME_LABELS = {
    "doi": "DOI", "orcid": "ORCID", "issn": "ISSN", "isbn": "ISBN", "edn": "EDN",
    "elibrary": "eLibrary author id", "researcherid": "ResearcherID", "scopus": "Scopus Author ID",
    "pmid": "PMID", "pmcid": "PMCID", "ror": "ROR", "isni": "ISNI", "arxiv": "arXiv",
    "crossref-funder": "Crossref Funder ID", "url": "URL", "handle": "Handle",
}


def scheme_node(b: GraphBuilder, minter: Minter, scheme: str) -> Term:
    if scheme in DATACITE_SCHEMES:
        return DATACITE[scheme]
    node = minter.scheme(scheme)
    # A local scheme is described in every record graph that uses it, so each graph stands alone.
    b.spar(node, RDF_TYPE, DATACITE.IdentifierScheme)
    b.spar(node, RDFS.label, literal(SCHEME_LABELS.get(scheme, scheme)))
    return node


def add_identifiers(b: GraphBuilder, minter: Minter, subject: Subject,
                    identifiers: tuple[Identifier, ...], *path: str | int) -> None:
    """Describe each identifier of ``subject``; ``path`` places the nodes under the record."""
    seen: dict[str, int] = {}
    for ident in identifiers:
        seen[ident.scheme] = seen.get(ident.scheme, 0) + 1
        suffix = ident.scheme if seen[ident.scheme] == 1 else f"{ident.scheme}-{seen[ident.scheme]}"
        node = minter.local(*path, "id", suffix)
        field = f"{'.'.join(str(p) for p in path) or 'work'}.identifiers.{ident.scheme}"
        value = b.plain(ident.value, field)
        b.type(node, schema=SCHEMA.PropertyValue, spar=(DATACITE.Identifier,))
        b.schema(subject, SCHEMA.identifier, node)
        b.schema(node, SCHEMA.propertyID, literal(SCHEME_LABELS.get(ident.scheme,
                                                                       ident.scheme)))
        b.schema(node, SCHEMA.value, value)
        b.spar(subject, DATACITE.hasIdentifier, node)
        b.spar(node, DATACITE.usesIdentifierScheme, scheme_node(b, minter, ident.scheme))
        b.spar(node, LITERAL.hasLiteralValue, value)
        if ident.qualifier:
            b.add(node, RDFS.comment, b.plain(ident.qualifier, field))
