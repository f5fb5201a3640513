"""N-Triples, N-Quads (straight from the record's terms) and TriG (pyoxigraph's serializer).
Turtle has its own writer (:mod:`.turtle`)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..formats import N_QUADS, N_TRIPLES, TRIG, RdfFormat
from ..graph import RecordGraph
from ..mapping.namespaces import PREFIXES
from .base import writers


@dataclass(frozen=True)
class OxigraphWriter:
    format: RdfFormat
    ox_format: ox.RdfFormat
    named_graph: bool = False

    def write(self, graph: RecordGraph) -> bytes:
        if self.ox_format == ox.RdfFormat.N_QUADS:
            return graph.nquads()
        if self.ox_format == ox.RdfFormat.N_TRIPLES:
            return graph.ntriples()
        data = graph.quads() if self.named_graph else graph.triples
        prefixes = PREFIXES if self.ox_format == ox.RdfFormat.TRIG else None
        out = ox.serialize(data, format=self.ox_format, prefixes=prefixes)
        assert out is not None
        return out


for _writer in (
    OxigraphWriter(N_TRIPLES, ox.RdfFormat.N_TRIPLES),
    OxigraphWriter(N_QUADS, ox.RdfFormat.N_QUADS, named_graph=True),
    OxigraphWriter(TRIG, ox.RdfFormat.TRIG, named_graph=True),
):
    writers.register(_writer.format.name, _writer, _writer.format.aliases)
