"""Published RDF read back as record graphs: what ``validate`` checks and ``load`` loads.

A Turtle, N-Triples or JSON-LD document is one graph; N-Quads and TriG hold one graph per named
graph (an export's ``dataset.nq``: one per record), and their default graph, if it has triples,
is one more. Parsing is pyoxigraph's, strict, and never fetches anything: a JSON-LD document
whose ``@context`` is remote is refused, as no network is used at run time.

Quads of a named graph must come together (as ``export`` writes them): graphs are streamed one at
a time, so a file of any size is read with the memory of its largest graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO

import pyoxigraph as ox

from .errors import InputError, Location, UsageError
from .formats import JSON_LD, N_QUADS, N_TRIPLES, TURTLE, RdfFormat, rdf_formats
from .graph import RecordGraph
from .sources import InputSource

__all__ = ["detect_rdf", "find_root", "read_graphs"]

_TURTLE_START = re.compile(rb"^\s*(?:@prefix|@base|PREFIX\s|BASE\s|<[^>\s]*>\s*(?:a\s|<|[\w-]*:))",
                           re.IGNORECASE)
_NT_LINE = re.compile(rb"^\s*(?:<[^>\s]*>|_:\S+)\s+<[^>\s]*>\s+"
                      rb"(?:<[^>\s]*>|_:\S+|\"(?:[^\"\\]|\\.)*\"(?:@[A-Za-z0-9-]+|\^\^<[^>\s]*>)?)"
                      rb"(\s+(?:<[^>\s]*>|_:\S+))?\s*\.\s*$")


def detect_rdf(source: InputSource) -> RdfFormat | None:
    """The RDF format of ``source``, or ``None`` when it is not RDF (but a record format).

    By extension first. A ``.jsonld``/``.json`` document is RDF only when its context is given
    inline: a JSON-LD record pointing at a remote context (``"https://schema.org"``) is what the
    ``schema-org`` reader reads, and cannot be parsed as RDF without fetching it. Without a
    telling extension, the first line decides (N-Triples, N-Quads, Turtle).
    """
    name = source.name.lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    head = source.head()
    if extension in ("jsonld", "json"):
        return JSON_LD if _inline_json_ld(head) else None
    for _, fmt in rdf_formats.items():
        if extension == fmt.extension:
            return fmt
    if extension in ("json", "xml", "bib", "ris", "txt", "yaml", "yml", "jsonl"):
        return None
    first = next((line for line in head.splitlines() if line.strip()
                  and not line.lstrip().startswith(b"#")), b"")
    match = _NT_LINE.match(first)
    if match:
        return N_QUADS if match.group(1) else N_TRIPLES
    if _TURTLE_START.match(first):
        return TURTLE
    return None


def _inline_json_ld(head: bytes) -> bool:
    text = head.decode("utf-8", "replace").lstrip("\ufeff").lstrip()
    if not text.startswith(("{", "[")):
        return False
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # More than the head: judge by what the head shows.
        return '"@context": {' in text.replace('"@context":{', '"@context": {')
    documents = data if isinstance(data, list) else [data]
    contexts = [d.get("@context") for d in documents if isinstance(d, dict)]
    return bool(contexts) and all(isinstance(c, dict) for c in contexts)


def read_graphs(source: InputSource, fmt: RdfFormat) -> Iterator[RecordGraph]:
    """Record graphs of ``source``: one per named graph (N-Quads, TriG), else one."""
    where = Location(file=source.label)
    stream = source.open()
    try:
        yield from _graphs(stream, fmt, source.label)
    except SyntaxError as exc:
        raise InputError(f"{source.label} is not valid {fmt.label}: {exc}", where=where,
                         hint=f"check the file is {fmt.label}; a JSON-LD @context must be "
                              "given inline (nothing is fetched)") from None
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"cannot read {source.label}: {exc}", where=where) from None
    finally:
        stream.close()


def _graphs(stream: IO[bytes], fmt: RdfFormat, label: str) -> Iterator[RecordGraph]:
    quads = ox.parse(stream, format=ox.RdfFormat.from_media_type(fmt.media_type))
    if not fmt.supports_datasets:
        triples = [q.triple for q in quads]
        yield _record_graph(label, label, triples, label)
        return
    seen: set[str] = set()
    current: str | None = None
    triples = []
    for quad in quads:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if name != current:
            if current is not None:
                yield _record_graph(current or label, current or label, triples, label)
            if name in seen:
                raise SyntaxError(f"the quads of graph <{name or 'default'}> are not together; "
                                  "sort the file by graph (export writes it so)")
            seen.add(name)
            current, triples = name, []
        triples.append(quad.triple)
    if current is not None:
        yield _record_graph(current or label, current or label, triples, label)


def _record_graph(key: str, name: str, triples: list[ox.Triple], label: str) -> RecordGraph:
    graph = RecordGraph.build(key=key, name=name, root="", triples=triples, source_label=label)
    root = find_root(graph)
    return RecordGraph(graph.key, graph.name, root, graph.terms, graph.source_label)


_PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
# What only the work a record describes has (cited works have none of these).
_DESCRIBED = ("http://purl.org/spar/pro/isDocumentContextFor", "http://schema.org/author",
              "http://purl.org/spar/cito/cites", "http://purl.org/vocab/frbr/core#part",
              "http://schema.org/headline", "http://prismstandard.org/namespaces/basic/2.0/doi")


def find_root(graph: RecordGraph) -> str:
    """The work the graph is about, for messages: its foaf:primaryTopic, else the node with the
    most of what a described work has; ``""`` when nothing looks like one."""
    index = graph.index()
    topics = index.objects_of(_PRIMARY_TOPIC)
    if len(topics) == 1 and topics[0][0] == "<":
        return topics[0][1:-1]
    best, score = "", 0
    for node, by in index.out.items():
        hits = sum(1 for p in _DESCRIBED if p in by)
        if node[0] == "<" and hits > score:
            best, score = node[1:-1], hits
    return best


def rdf_format(name: str) -> RdfFormat | None:
    """An RDF format by name or alias (``--from turtle``), else ``None``."""
    try:
        return rdf_formats.get(name)
    except UsageError:
        return None
