"""RDF serialisation formats as values: name, aliases, media type, file extension."""

from __future__ import annotations

from dataclasses import dataclass

from .registry import Registry


@dataclass(frozen=True, slots=True)
class RdfFormat:
    name: str
    label: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    supports_datasets: bool = False


TURTLE = RdfFormat("turtle", "Turtle", "text/turtle", "ttl", ("ttl",))
JSON_LD = RdfFormat("jsonld", "JSON-LD", "application/ld+json", "jsonld", ("json-ld",))
N_TRIPLES = RdfFormat("ntriples", "N-Triples", "application/n-triples", "nt", ("nt", "n-triples"))
N_QUADS = RdfFormat("nquads", "N-Quads", "application/n-quads", "nq", ("nq", "n-quads"),
                    supports_datasets=True)
TRIG = RdfFormat("trig", "TriG", "application/trig", "trig", (), supports_datasets=True)

rdf_formats: Registry[RdfFormat] = Registry("RDF format")
for _fmt in (TURTLE, JSON_LD, N_TRIPLES, N_QUADS, TRIG):
    rdf_formats.register(_fmt.name, _fmt, _fmt.aliases)
