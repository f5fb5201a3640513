"""The record graph: what writers and loaders see. One named graph per record.

Triples are pyoxigraph terms, kept sorted in N-Triples order so that every serialisation of the
same record is byte-identical across runs and machines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from .graph_index import TripleIndex


@dataclass(frozen=True)
class RecordGraph:
    """The triples of one record, the IRI of its named graph and of its root node (the work)."""

    key: str
    name: str
    root: str
    triples: tuple[ox.Triple, ...]
    source_label: str = ""
    _nquads: list[bytes] = field(default_factory=list, repr=False, compare=False)
    _index: list[TripleIndex] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def build(cls, key: str, name: str, root: str, triples: Iterable[ox.Triple],
              source_label: str = "") -> RecordGraph:
        unique = {str(t): t for t in triples}
        ordered = tuple(unique[k] for k in sorted(unique))
        return cls(key, name, root, ordered, source_label)

    def __getstate__(self) -> dict[str, object]:
        # Caches are rebuilt where they are needed; pickling them to another process (the
        # load path sends graphs back from workers) would only cost time.
        state = dict(self.__dict__)
        state["_nquads"], state["_index"] = [], []
        return state

    def index(self) -> TripleIndex:
        """The triples by subject and by object, built on first use and kept."""
        if not self._index:
            self._index.append(TripleIndex(self.triples))
        return self._index[0]

    def __len__(self) -> int:
        return len(self.triples)

    @property
    def graph_name(self) -> ox.NamedNode:
        return ox.NamedNode(self.name)

    def quads(self) -> Iterator[ox.Quad]:
        g = self.graph_name
        for t in self.triples:
            yield ox.Quad(t.subject, t.predicate, t.object, g)

    def ntriples(self) -> bytes:
        data = ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None  # serialize returns bytes when no output is given
        return data

    def nquads(self) -> bytes:
        if not self._nquads:
            # N-Triples lines with the graph name put before the final " ." are N-Quads, and
            # much cheaper than building a Quad per triple. A literal's line breaks are escaped
            # in N-Triples, so " .\n" only ends lines.
            self._nquads.append(self.ntriples().replace(b" .\n", f" <{self.name}> .\n".encode()))
        return self._nquads[0]

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical N-Triples; equal hash means equal graph for our output.

        Blank nodes only occur inside RDF lists and are labelled deterministically by the
        mapping, so the sorted N-Triples are a canonical form of the graph.
        """
        return hashlib.sha256(self.ntriples()).hexdigest()
