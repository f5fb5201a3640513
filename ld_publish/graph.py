"""The record graph: what writers and loaders see. One named graph per record.

Triples are kept as N-Triples term strings (see :mod:`ld_publish.terms`), sorted in N-Triples
order so that every serialisation of the same record is byte-identical across runs and machines.
pyoxigraph terms are made from them only when an API needs them (``triples``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .graph_index import TripleIndex
from .terms import Term, Triple


@dataclass(frozen=True)
class RecordGraph:
    """The triples of one record, the IRI of its named graph and of its root node (the work)."""

    key: str
    name: str
    root: str
    terms: tuple[Triple, ...]
    source_label: str = ""
    #: What the mapping knows and RDF does not say directly, for reports and writers only:
    #: the record field each node came from (``contributors[2]``), and the order of values
    #: that have one (``(subject, predicate IRI) -> objects``: authors, references).
    fields: Mapping[Term, str] = field(default_factory=dict, repr=False, compare=False)
    order: Mapping[tuple[Term, str], tuple[Term, ...]] = field(default_factory=dict, repr=False,
                                                               compare=False)
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_terms(cls, key: str, name: str, root: str, terms: Iterable[Triple],
                   source_label: str = "", fields: Mapping[Term, str] | None = None,
                   order: Mapping[tuple[Term, str], tuple[Term, ...]] | None = None
                   ) -> RecordGraph:
        """From N-Triples term strings (what the mapping makes); duplicates are dropped.

        Sorting the (s, p, o) tuples gives the order of the N-Triples lines: no term is a
        prefix of another term in the same position except where the line continues with a
        space, which sorts before every character a term can continue with.
        """
        return cls(key, name, root, tuple(sorted(set(terms))), source_label, fields or {},
                   order or {})

    @classmethod
    def build(cls, key: str, name: str, root: str, triples: Iterable[ox.Triple],
              source_label: str = "") -> RecordGraph:
        """From pyoxigraph triples (parsed N-Quads, tests)."""
        return cls.from_terms(key, name, root, ((str(t.subject), str(t.predicate), str(t.object))
                                                for t in triples), source_label)

    def __getstate__(self) -> dict[str, object]:
        # Caches are rebuilt where they are needed; pickling them to another process (the
        # load path sends graphs back from workers) would only cost time.
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def index(self) -> TripleIndex:
        """The triples by subject and by object, built on first use and kept."""
        index = self._cache.get("index")
        if index is None:
            index = self._cache["index"] = TripleIndex(self.terms)
        assert isinstance(index, TripleIndex)
        return index

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def triples(self) -> tuple[ox.Triple, ...]:
        """The triples as pyoxigraph terms, parsed from the N-Triples on first use."""
        triples = self._cache.get("triples")
        if triples is None:
            triples = self._cache["triples"] = tuple(
                q.triple for q in ox.parse(self.ntriples(), format=ox.RdfFormat.N_TRIPLES))
        assert isinstance(triples, tuple)
        return triples

    @property
    def has_blank_nodes(self) -> bool:
        """Whether any triple has a blank node (the mapping makes none; foreign N-Quads may)."""
        return any(s.startswith("_:") or o.startswith("_:") for s, _p, o in self.terms)

    @property
    def graph_name(self) -> ox.NamedNode:
        return ox.NamedNode(self.name)

    def quads(self) -> Iterator[ox.Quad]:
        g = self.graph_name
        for t in self.triples:
            yield ox.Quad(t.subject, t.predicate, t.object, g)

    def ntriples(self) -> bytes:
        data = self._cache.get("ntriples")
        if data is None:
            data = self._cache["ntriples"] = "".join(
                [f"{s} {p} {o} .\n" for s, p, o in self.terms]).encode("utf-8")
        assert isinstance(data, bytes)
        return data

    def nquads(self) -> bytes:
        data = self._cache.get("nquads")
        if data is None:
            end = f" <{self.name}> .\n"
            data = self._cache["nquads"] = "".join(
                [f"{s} {p} {o}{end}" for s, p, o in self.terms]).encode("utf-8")
        assert isinstance(data, bytes)
        return data

    def nquads_in(self, name: str) -> bytes:
        """The triples as N-Quads in graph ``name`` instead of their own (a staging graph)."""
        end = f" <{name}> .\n"
        return "".join([f"{s} {p} {o}{end}" for s, p, o in self.terms]).encode("utf-8")

    @property
    def content_hash(self) -> str:
        """SHA-256 of the canonical N-Triples; equal hash means equal graph for our output.

        The mapping makes no blank nodes, so the sorted N-Triples are a canonical form of the
        graph.
        """
        return hashlib.sha256(self.ntriples()).hexdigest()
