"""The dataset's description (VoID and DCAT), the sitemap and robots.txt.

The dataset is the union of the published record graphs, as ``dataset.nq.gz`` holds them.
``void:triples`` counts its quads (a triple stated in two record graphs counts twice, as the
dump holds it twice); ``void:entities`` the distinct IRIs that are subjects; the class
partitions the distinct subjects of each class, the property partitions the quads of each
property.

Memory: counts per class and property, and the subjects several records may share (DOIs,
journals, people); a record's own nodes are counted as its graph is read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from ..graph import RecordGraph
from ..mapping.namespaces import PREFIXES
from ..terms import Term, Triple, iri, literal

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
_DCT = PREFIXES["dcterms"]
_RDF_TYPE = f"<{PREFIXES['rdf']}type>"
_INTEGER = iri(PREFIXES["xsd"] + "integer")
DATASET_PATH = "dataset"  # the dataset's IRI after the base
DUMP = "dataset.nq.gz"
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


class DatasetStats:
    """Counts over every published record graph, fed one graph at a time."""

    def __init__(self) -> None:
        self.quads = 0
        self.properties: Counter[str] = Counter()
        self.local_classes: Counter[str] = Counter()
        self.local_entities = 0
        # Shared subject -> its classes, each with how many graphs gave it (under "": how
        # many graphs have the subject), so that a merged work's first graph can be taken back.
        self.shared: dict[Term, Counter[Term]] = {}

    def add(self, graph: RecordGraph, is_local: Callable[[Term], bool]) -> None:
        self._count(graph, is_local, 1)

    def remove(self, graph: RecordGraph, is_local: Callable[[Term], bool]) -> None:
        """Take back what :meth:`add` counted of ``graph`` (a merged work's first graph)."""
        self._count(graph, is_local, -1)

    def _count(self, graph: RecordGraph, is_local: Callable[[Term], bool], sign: int) -> None:
        self.quads += sign * len(graph.terms)
        out = graph.index().out
        properties: Counter[str] = Counter()
        local_classes: Counter[str] = Counter()
        for subject, props in out.items():
            for predicate, objects in props.items():
                properties[predicate] += len(objects)
            if subject[0] != "<":
                continue
            classes = props.get(PREFIXES["rdf"] + "type", [])
            if is_local(subject):
                self.local_entities += sign
                local_classes.update(classes)
                continue
            held = self.shared.setdefault(subject, Counter())
            kinds = {*classes, ""}
            if sign > 0:
                held.update(kinds)
                continue
            held.subtract(kinds)
            held += Counter()  # drops what no graph gives any more
            if not held:
                del self.shared[subject]
        if sign > 0:
            self.properties.update(properties)
            self.local_classes.update(local_classes)
        else:
            self.properties -= properties  # (only positive counts stay)
            self.local_classes -= local_classes

    @property
    def entities(self) -> int:
        return self.local_entities + len(self.shared)

    def classes(self) -> Counter[str]:
        counts = Counter(self.local_classes)
        for classes in self.shared.values():
            counts.update(cls for cls in classes if cls)
        return counts


def void_terms(stats: DatasetStats, base: str, title: str, license_iri: str | None,
               example: str | None) -> list[Triple]:
    """The VoID and DCAT description of the site's dataset, as triples."""
    ds = iri(base + DATASET_PATH)
    dump = iri(base + DUMP)
    triples: list[Triple] = []

    def add(s: Term, p: str, o: Term) -> None:
        triples.append((s, iri(p), o))

    add(ds, PREFIXES["rdf"] + "type", iri(VOID + "Dataset"))
    add(ds, PREFIXES["rdf"] + "type", iri(DCAT + "Dataset"))
    add(ds, _DCT + "title", literal(title))
    add(ds, PREFIXES["schema"] + "name", literal(title))
    if license_iri:
        add(ds, _DCT + "license", iri(license_iri))
    add(ds, VOID + "uriSpace", literal(base))
    add(ds, VOID + "sparqlEndpoint", iri(base + "sparql"))
    add(ds, VOID + "dataDump", dump)
    add(ds, VOID + "feature", iri("http://www.w3.org/ns/formats/N-Quads"))
    add(ds, DCAT + "landingPage", iri(base))
    if example:
        add(ds, VOID + "exampleResource", iri(example))
    add(ds, VOID + "triples", literal(str(stats.quads), datatype=_INTEGER))
    add(ds, VOID + "entities", literal(str(stats.entities), datatype=_INTEGER))
    classes = stats.classes()
    add(ds, VOID + "classes", literal(str(len(classes)), datatype=_INTEGER))
    add(ds, VOID + "properties", literal(str(len(stats.properties)), datatype=_INTEGER))
    for n, (cls, count) in enumerate(sorted(classes.items()), 1):
        part = iri(f"{base}{DATASET_PATH}#class-{n}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", cls)
        add(part, VOID + "entities", literal(str(count), datatype=_INTEGER))
    for n, (prop, count) in enumerate(sorted(stats.properties.items()), 1):
        part = iri(f"{base}{DATASET_PATH}#property-{n}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", iri(prop))
        add(part, VOID + "triples", literal(str(count), datatype=_INTEGER))
    for name, url, media, what in (
            ("nquads", base + DUMP, "application/n-quads", "The whole dataset as gzipped N-Quads"),
            ("sparql", base + "sparql", "application/sparql-results+json",
             "SPARQL 1.1 endpoint")):
        dist = iri(f"{base}{DATASET_PATH}#{name}")
        add(ds, DCAT + "distribution", dist)
        add(dist, PREFIXES["rdf"] + "type", iri(DCAT + "Distribution"))
        add(dist, _DCT + "title", literal(what))
        add(dist, DCAT + ("downloadURL" if name == "nquads" else "accessURL"), iri(url))
        add(dist, DCAT + "mediaType", iri(f"https://www.iana.org/assignments/media-types/{media}"))
        if license_iri:
            add(dist, _DCT + "license", iri(license_iri))
    return triples


#: The most URLs one sitemap file may list (sitemaps.org); more go to numbered files.
SITEMAP_URLS = 50_000


def sitemaps(urls: list[str], base: str, per_file: int = SITEMAP_URLS) -> dict[str, bytes]:
    """``sitemap.xml`` (sitemaps.org 0.9) listing the record pages; past ``per_file`` pages it
    is an index of ``sitemap-1.xml``, ``sitemap-2.xml``, …"""
    if len(urls) <= per_file:
        return {"sitemap.xml": _urlset(urls)}
    files = {f"sitemap-{n}.xml": _urlset(urls[i:i + per_file])
             for n, i in enumerate(range(0, len(urls), per_file), 1)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<sitemap><loc>{xml_escape(_uri(base + name))}</loc></sitemap>"
              for name in files]
    lines.append("</sitemapindex>")
    return {"sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8"), **files}


def _uri(iri: str) -> str:
    # Sitemaps take URIs: an IRI's non-ASCII characters percent-encoded, escapes kept.
    return quote(iri, safe=_URI_SAFE)


def _urlset(urls: list[str]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{xml_escape(_uri(url))}</loc></url>" for url in urls]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(base: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n".encode()
