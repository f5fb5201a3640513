"""Provenance of a record graph: the source it was derived from and the software that made it.

No generation time is written unless ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds
convention): a timestamp would make two exports of the same input differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os

from .. import __version__
from ..model import Source
from ..terms import Term, literal
from .builder import GraphBuilder
from .iris import Minter
from .namespaces import DCTERMS, FOAF, OWL, PROV, RDF_TYPE, RDFS, XSD


def add_provenance(b: GraphBuilder, minter: Minter, graph: Term, root: Term,
                   source: Source) -> None:
    source_key = hashlib.sha256(f"{source.path}\n{source.position}".encode()).hexdigest()[:24]
    source_node = minter.shared("source", source_key)
    agent = minter.shared("agent", f"ld-publish-{__version__}")
    b.add(graph, RDF_TYPE, PROV.Entity)
    # Says which work the record is about, among the cited and related works in the graph.
    b.add(graph, FOAF.primaryTopic, root)
    b.add(graph, PROV.wasDerivedFrom, source_node)
    b.add(graph, PROV.wasAttributedTo, agent)
    b.add(source_node, RDF_TYPE, PROV.Entity)
    b.add(source_node, RDFS.label, b.plain(source.label(), "source"))
    b.add(source_node, DCTERMS.format, literal(source.format))
    if source.pointer:
        b.add(source_node, DCTERMS.identifier, b.plain(source.pointer, "source.pointer"))
    b.add(agent, RDF_TYPE, PROV.SoftwareAgent)
    b.add(agent, RDFS.label, literal(f"ld-publish {__version__}"))
    # owl:versionInfo rather than schema:softwareVersion: provenance is in every profile.
    b.add(agent, OWL.versionInfo, literal(__version__))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        stamp = dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        b.add(graph, PROV.generatedAtTime, literal(stamp, datatype=XSD.dateTime))
