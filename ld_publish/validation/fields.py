"""Record field paths (``contributors[2].name``) for the nodes of a record graph.

The mapping records the field each node came from (``RecordGraph.fields``), so for ld-publish's
own graphs the path is exact. A graph read from an RDF file has no such record; its nodes are
placed through the links that attach them to the work (a role's place in its ``oco:hasNext``
chain, the role that holds a person, the reference that cites a work), best effort.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..graph_index import RDF_TYPE, TripleIndex
from ..terms import Term

_SCHEMA = "http://schema.org/"
_PRO = "http://purl.org/spar/pro/"
_OCO_NEXT = "https://w3id.org/oc/ontology/hasNext"
_VENUE_TYPES = {
    _SCHEMA + "Periodical": "container", "http://purl.org/spar/fabio/Journal": "container",
    _SCHEMA + "PublicationVolume": "volume", "http://purl.org/spar/fabio/JournalVolume": "volume",
    _SCHEMA + "PublicationIssue": "issue", "http://purl.org/spar/fabio/JournalIssue": "issue",
    "http://www.w3.org/ns/prov#Entity": "source",
    "http://www.w3.org/ns/prov#Activity": "source",
    "http://www.w3.org/ns/prov#SoftwareAgent": "source",
}
# (predicate pointing at the node, where that puts it): None takes the holder's field,
# ".x" appends to the holder's field, "x" is a fixed field.
_ATTACHMENTS = (
    (_PRO + "isDocumentContextFor", "contributors"), (_PRO + "isHeldBy", None),
    (_SCHEMA + "author", "contributors"), (_SCHEMA + "affiliation", ".affiliations"),
    (_PRO + "relatesToOrganization", ".affiliations"),
    ("http://purl.org/vocab/frbr/core#part", "references"),
    ("http://purl.org/spar/biro/references", None), (_SCHEMA + "funder", ".funder"),
    ("http://purl.org/cerif/frapo/isAwardedBy", ".funder"),
    ("http://purl.org/cerif/frapo/isFundedBy", "funding"), (_SCHEMA + "funding", "funding"),
    (_SCHEMA + "publisher", ".publisher"), ("http://purl.org/dc/terms/publisher", ".publisher"),
    ("http://purl.org/spar/cito/cites", "references"), (_SCHEMA + "citation", "references"),
    (_SCHEMA + "editor", "editors"), (_SCHEMA + "translator", "translators"),
    (_SCHEMA + "identifier", ".identifiers"),
    ("http://purl.org/spar/datacite/hasIdentifier", ".identifiers"),
)


class FieldResolver:
    """Maps focus nodes of one record to field paths; caches per node."""

    def __init__(self, index: TripleIndex, root: str, known: Mapping[Term, str] | None = None
                 ) -> None:
        self.index = index
        self.root = root
        self.known = known or {}
        self._cache: dict[str, str] = {}

    def field(self, focus: Term, relative: str) -> str:
        prefix = self.prefix(focus)
        if not relative:
            return prefix or "record"
        return f"{prefix}.{relative}" if prefix else relative

    def prefix(self, node: Term, depth: int = 0) -> str:
        known = self.known.get(node)
        if known is not None:
            return known
        if node not in self._cache:
            self._cache[node] = self._prefix(node, depth)
        return self._cache[node]

    def _prefix(self, node: Term, depth: int) -> str:
        if node[0] == '"' or depth > 4:
            return ""
        if node[0] == "<" and node[1:-1] == self.root:
            return ""
        for cls in self.index.objects(node, RDF_TYPE):
            if cls[1:-1] in _VENUE_TYPES:
                return _VENUE_TYPES[cls[1:-1]]
        if self.index.subjects(node, _PRO + "isDocumentContextFor"):
            return f"contributors[{self._chain_position(node)}]"
        for predicate, suffix in _ATTACHMENTS:
            holders = self.index.subjects(node, predicate)
            if not holders:
                continue
            if suffix is None:
                return self.prefix(holders[0], depth + 1)
            if not suffix.startswith("."):
                return suffix
            parent = self.prefix(holders[0], depth + 1)
            return parent + suffix if parent else suffix[1:]
        return ""

    def _chain_position(self, role: Term) -> int:
        """1 + the number of roles before this one in its ``oco:hasNext`` chain."""
        position, seen = 1, {role}
        while True:
            previous = self.index.subjects(role, _OCO_NEXT)
            if len(previous) != 1 or previous[0] in seen:
                return position
            role = previous[0]
            seen.add(role)
            position += 1
