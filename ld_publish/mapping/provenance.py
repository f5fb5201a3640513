"""Provenance of a record graph (PROV-O): what it was derived from, the activity and the software
that made it, and its licence.

The source is published by its content hash and file name only: no folder, absolute or
relative, ever reaches the data, and the same file exported from another folder or machine
gives the same IRIs. No time is written unless ``SOURCE_DATE_EPOCH`` is set (the
reproducible-builds convention): a timestamp would make two exports of the same input differ.
"""

from __future__ import annotations

import datetime as dt
import os

from .. import __version__
from ..model import Source
from ..terms import Term, iri, iri_value, literal
from .builder import GraphBuilder
from .iris import Minter, digest, segment
from .namespaces import DCTERMS, FOAF, OWL, PROV, RDF_TYPE, RDFS, XSD


def source_nodes(minter: Minter, source: Source) -> tuple[Term, Term]:
    """(the record within its source, the source file): content-addressed IRIs."""
    # Without a digest (a record built in code) the file name stands in for the content.
    content = source.digest or digest("name:" + source.name, 64)
    file = minter.shared("source", content[:32])
    record = iri(f"{iri_value(file)}/{segment(source.pointer or str(source.position))}")
    return record, file


def add_provenance(b: GraphBuilder, minter: Minter, graph: Term, root: Term,
                   sources: tuple[Source, ...], license_iri: str | None = None) -> None:
    """``sources``: the record's source and, for a record merged from several, the others
    (each named; the graph was derived from all of them)."""
    nodes = [source_nodes(minter, source) for source in sources]
    agent = minter.shared("agent", f"ld-publish-{__version__}")
    activity = iri(iri_value(graph) + "/generation")
    b.add(graph, RDF_TYPE, PROV.Entity)
    b.add(graph, RDF_TYPE, FOAF.Document)
    # Says which work the record is about, among the cited and related works in the graph.
    b.add(graph, FOAF.primaryTopic, root)
    for record, _ in nodes:
        b.add(graph, PROV.wasDerivedFrom, record)
    b.add(graph, PROV.wasGeneratedBy, activity)
    b.add(graph, PROV.wasAttributedTo, agent)
    if license_iri:
        b.add(graph, DCTERMS.license, iri(license_iri))

    for source, (record, file) in zip(sources, nodes, strict=True):
        b.add(record, RDF_TYPE, PROV.Entity)
        b.add(record, DCTERMS.isPartOf, file)
        b.add(record, DCTERMS.identifier,
              b.plain(source.pointer or f"record {source.position}", "source.pointer"))
        b.add(file, RDF_TYPE, PROV.Entity)
        b.add(file, DCTERMS.title, b.plain(source.name, "source.name"))
        if source.digest:
            b.add(file, DCTERMS.identifier, literal("sha256:" + source.digest))
        b.add(file, RDFS.comment, literal(f"read by the ld-publish {source.format} reader"))

    b.add(activity, RDF_TYPE, PROV.Activity)
    for record, _ in nodes:
        b.add(activity, PROV.used, record)
    b.add(activity, PROV.wasAssociatedWith, agent)
    b.add(agent, RDF_TYPE, PROV.SoftwareAgent)
    b.add(agent, RDFS.label, literal(f"ld-publish {__version__}"))
    # owl:versionInfo rather than schema:softwareVersion: provenance is in every profile.
    b.add(agent, OWL.versionInfo, literal(__version__))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        stamp = dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        moment = literal(stamp, datatype=XSD.dateTime)
        b.add(graph, PROV.generatedAtTime, moment)
        b.add(activity, PROV.endedAtTime, moment)
