"""Best-effort record field paths (``contributors[2].name``) for the nodes of a record graph.

Local IRIs mirror the record's structure (``.../work/<key>/author/2/id/orcid``), so most nodes
map by their IRI. Shared nodes (people by ORCID or eLibrary id, organisations, journals, cited
DOIs) map through the links that attach them to the record.
"""

from __future__ import annotations

import re

from ..graph_index import RDF_TYPE, TripleIndex
from ..terms import Term

_LOCAL = re.compile(r"/work/[^/]+/(.+)$")
_ROLES = {"author": "contributors", "editor": "editors", "translator": "translators",
          "contributor": "contributors"}
_COLLECTIONS = {"reference": "references", "funding": "funding", "grant": "awards",
                "affiliation": "affiliations", "related": "related", "id": "identifiers"}
_DROPPED = {"agent", "work", "address"}

_SCHEMA = "http://schema.org/"
_PRO = "http://purl.org/spar/pro/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_VENUE_TYPES = {
    _SCHEMA + "Periodical": "container", "http://purl.org/spar/fabio/Journal": "container",
    _SCHEMA + "PublicationVolume": "volume", "http://purl.org/spar/fabio/JournalVolume": "volume",
    _SCHEMA + "PublicationIssue": "issue", "http://purl.org/spar/fabio/JournalIssue": "issue",
    "http://www.w3.org/ns/prov#Entity": "source",
    "http://www.w3.org/ns/prov#SoftwareAgent": "source",
}
# (predicate pointing at the node, where that puts it): None takes the holder's field,
# ".x" appends to the holder's field, "x" is a fixed field.
_ATTACHMENTS = (
    (_PRO + "isHeldBy", None), (_SCHEMA + "affiliation", ".affiliations"),
    (_PRO + "relatesToOrganization", ".affiliations"),
    ("http://purl.org/spar/biro/references", None), (_SCHEMA + "funder", ".funder"),
    ("http://purl.org/cerif/frapo/isAwardedBy", ".funder"),
    ("http://purl.org/cerif/frapo/isFundedBy", "funding"),
    (_SCHEMA + "publisher", ".publisher"), ("http://purl.org/dc/terms/publisher", ".publisher"),
    ("http://purl.org/spar/cito/cites", "references"), (_SCHEMA + "citation", "references"),
    (_SCHEMA + "editor", "editors"), (_SCHEMA + "translator", "translators"),
)


class FieldResolver:
    """Maps focus nodes of one record to field paths; caches per node."""

    def __init__(self, index: TripleIndex, root: str) -> None:
        self.index = index
        self.root = root
        self._cache: dict[str, str] = {}

    def field(self, focus: Term, relative: str) -> str:
        prefix = self.prefix(focus)
        if not relative:
            return prefix or "record"
        return f"{prefix}.{relative}" if prefix else relative

    def prefix(self, node: Term, depth: int = 0) -> str:
        if node not in self._cache:
            self._cache[node] = self._prefix(node, depth)
        return self._cache[node]

    def _prefix(self, node: Term, depth: int) -> str:
        if node[0] == '"' or depth > 4:
            return ""
        if node[0] == "<":
            value = node[1:-1]
            if value == self.root:
                return ""
            match = _LOCAL.search(value)
            if match:
                return _from_segments(match.group(1).split("/"))
        for cls in self.index.objects(node, RDF_TYPE):
            if cls[1:-1] in _VENUE_TYPES:
                return _VENUE_TYPES[cls[1:-1]]
        position = self._author_list_position(node)
        if position:
            return f"contributors[{position}]"
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

    def _author_list_position(self, node: Term) -> int:
        # schema:author is an RDF list; walk back from the cell holding the node to the head.
        cells = self.index.subjects(node, _RDF + "first")
        if not cells:
            return 0
        cell: Term = cells[0]
        position = 1
        while True:
            previous = self.index.subjects(cell, _RDF + "rest")
            if not previous:
                break
            cell = previous[0]
            position += 1
        return position if self.index.subjects(cell, _SCHEMA + "author") else 0


def _from_segments(segments: list[str]) -> str:
    out = ""
    i = 0
    while i < len(segments):
        seg = segments[i]
        following = segments[i + 1] if i + 1 < len(segments) else None
        if seg in _ROLES and following and following.isdigit():
            out = _join(out, f"{_ROLES[seg]}[{following}]")
            i += 2
        elif seg == "id" and following:
            out = _join(out, f"identifiers.{following.split('-')[0]}")
            i += 2
        elif seg in _COLLECTIONS and following and following.split("-")[0].isdigit():
            out = _join(out, f"{_COLLECTIONS[seg]}[{following.split('-')[0]}]")
            i += 2
        elif seg in _DROPPED:
            i += 1
        else:
            out = _join(out, seg)
            i += 1
    return out


def _join(head: str, tail: str) -> str:
    return f"{head}.{tail}" if head else tail
