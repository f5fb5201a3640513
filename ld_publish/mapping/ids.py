"""Identifiers as entities: ``schema:identifier`` → ``schema:PropertyValue`` and
``datacite:hasIdentifier`` → ``datacite:Identifier`` with its scheme and literal value.

One node carries both descriptions, so the two vocabularies talk about the same identifier. The
node's IRI is its scheme and value (``{base}id/orcid/0000-0001-9665-5666``), so every record that
has the identifier describes the same node alike. Schemes are the DataCite ontology's own
individuals where it has one; only schemes it lacks (EDN, eLibrary author ids) are minted.
"""

from __future__ import annotations

from ..identifiers import canonical
from ..model import Identifier, Notice
from ..terms import Term, literal
from .builder import GraphBuilder, Subject
from .iris import Minter
from .namespaces import DATACITE, LITERAL, RDF_TYPE, RDFS, SCHEMA

#: record scheme (and ISSN qualifier) -> DataCite ontology individual (local name)
DATACITE_SCHEMES: dict[str, str] = {
    "doi": "doi", "orcid": "orcid", "issn": "issn", "issn/electronic": "eissn",
    "isbn": "isbn", "pmid": "pmid", "pmcid": "pmcid", "url": "url", "arxiv": "arxiv",
    "handle": "handle", "isni": "isni", "viaf": "viaf", "urn": "urn", "purl": "purl",
    "ark": "ark", "lsid": "lsid", "upc": "upc", "ean13": "ean13", "researcherid": "researcherid",
    "ror": "ror", "crossref-funder": "fundref", "local": "local-resource-identifier-scheme",
}

#: Human-readable names for schema:propertyID, as registries call themselves.
SCHEME_LABELS = {
    "doi": "DOI", "orcid": "ORCID", "issn": "ISSN", "isbn": "ISBN", "edn": "EDN",
    "elibrary": "eLibrary author id", "researcherid": "ResearcherID", "scopus": "Scopus Author ID",
    "pmid": "PMID", "pmcid": "PMCID", "ror": "ROR", "isni": "ISNI", "arxiv": "arXiv",
    "crossref-funder": "Crossref Funder ID", "url": "URL", "handle": "Handle",
    "local": "local identifier", "spin": "eLibrary SPIN code",
}


def scheme_key(ident: Identifier) -> str:
    """The scheme an identifier is filed under: an electronic ISSN is DataCite's ``eissn``."""
    if ident.scheme == "issn" and ident.qualifier == "electronic":
        return "issn/electronic"
    return ident.scheme


def scheme_node(b: GraphBuilder, minter: Minter, key: str) -> Term:
    known = DATACITE_SCHEMES.get(key)
    if known is not None:
        return DATACITE[known]
    node = minter.scheme(key)
    # A minted scheme is described in every record graph that uses it, so each graph stands
    # alone.
    b.spar(node, RDF_TYPE, DATACITE.IdentifierScheme)
    b.spar(node, RDFS.label, literal(SCHEME_LABELS.get(key, key)))
    return node


def add_identifiers(b: GraphBuilder, minter: Minter, subject: Subject,
                    identifiers: tuple[Identifier, ...], field: str) -> None:
    """Describe each identifier of ``subject``; ``field`` is the subject's record field. One
    that is not valid for its scheme (a record built in code, not read) is left out, noted."""
    for ident in identifiers:
        key = scheme_key(ident)
        path = f"{field}.identifiers.{ident.scheme}" if field else f"identifiers.{ident.scheme}"
        if canonical(ident.scheme, ident.value) is None:
            b.notices.append(Notice(
                path, f"{ident.scheme} identifier {ident.value!r} is not valid for its scheme; "
                "not published", ident.value, "correct the identifier in the record",
                "violation"))
            continue
        node = minter.identifier(DATACITE_SCHEMES.get(key, key), ident.value)
        b.field_of(node, path)
        value = b.plain(ident.value, path)
        b.type(node, schema=SCHEMA.PropertyValue, spar=(DATACITE.Identifier,))
        b.schema(subject, SCHEMA.identifier, node)
        b.schema(node, SCHEMA.propertyID, literal(SCHEME_LABELS.get(ident.scheme, ident.scheme)))
        b.schema(node, SCHEMA.value, value)
        b.spar(subject, DATACITE.hasIdentifier, node)
        b.spar(node, DATACITE.usesIdentifierScheme, scheme_node(b, minter, key))
        b.spar(node, LITERAL.hasLiteralValue, value)
        if ident.qualifier and key == ident.scheme:  # not already said by the scheme (eissn)
            b.add(node, RDFS.comment, b.plain(ident.qualifier, path))
