"""The documents of every minted IRI other than a record page: what the records say about it.

A resource's document holds the triples with the IRI as subject from every record graph that
mentions it (a journal shared by many records is described once, from all of them), plus the
``schema:name`` labels of the IRIs it points to, so the HTML can show names rather than bare
IRIs. An IRI that is only ever an object (no record describes it) gets the triples pointing at
it instead, so its document still says something about it.

Memory: nodes minted inside one record (``{base}work/KEY/…``, ``{base}graph/KEY``…) are
described by that record alone, so their documents are made as soon as the record is read
(:meth:`Resources.add` returns them); only the triples of nodes several records may share
(journals, people by identifier, organisations, identifiers, grants, venues) are held until the
end (:meth:`Resources.shared`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..graph import RecordGraph
from ..mapping.iris import segment
from ..mapping.namespaces import PREFIXES
from ..terms import Term, Triple, literal_parts
from ..writers.jsonld import JsonLdWriter
from ..writers.turtle import compact, to_turtle
from .html import alternates, esc, lang_attr, link, page
from .view import RDF_TYPE

_NAME = PREFIXES["schema"] + "name"
_NAME_TERM = f"<{_NAME}>"
_LABELS = (_NAME, PREFIXES["foaf"] + "name", PREFIXES["dcterms"] + "title",
           PREFIXES["rdfs"] + "label")


@dataclass(frozen=True, slots=True)
class Described:
    """One minted IRI and the triples of its document (sorted, no duplicates)."""

    iri: str
    terms: tuple[Triple, ...]


def local_test(graph: RecordGraph, base: str) -> Callable[[Term], bool]:
    """Whether a term is a node minted inside ``graph``'s record (``{base}work/KEY`` and
    below, the record's graph IRI and below): no other record can describe it."""
    work = f"<{base}work/{segment(graph.key)}"
    own = f"<{graph.name}"

    def is_local(term: Term) -> bool:
        return (term.startswith((work + "/", own + "/")) or term == work + ">"
                or term == own + ">")

    return is_local


class Resources:
    """Collects the documents of minted IRIs from record graphs, one record at a time."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._prefix = f"<{base}"
        # Each triple with how many records said it: a merged work's first graph is taken
        # back (:meth:`drop`) when the run ends.
        self._shared: dict[str, Counter[Triple]] = {}

    def add(self, graph: RecordGraph, page_iri: str) -> list[Described]:
        """Take ``graph``'s minted IRIs; return the documents of those only it can describe.
        ``page_iri`` (the record page) is not a resource."""
        ready, shared = self.split(graph, page_iri)
        self.take(shared)
        return ready

    def take(self, shared: Iterable[tuple[str, Iterable[Triple]]]) -> None:
        """Hold the triples of shared nodes until the end (what :meth:`split` left)."""
        for iri, triples in shared:
            self._shared.setdefault(iri, Counter()).update(triples)

    def drop(self, shared: Iterable[tuple[str, Iterable[Triple]]]) -> None:
        """Take back what :meth:`take` was given of one record (a merged work's first graph):
        a triple another record said too stays."""
        for iri, triples in shared:
            held = self._shared.get(iri)
            if held is None:
                continue
            held.subtract(triples)
            for triple in [t for t, n in held.items() if n <= 0]:
                del held[triple]
            if not held:
                del self._shared[iri]

    def split(self, graph: RecordGraph, page_iri: str
              ) -> tuple[list[Described], list[tuple[str, tuple[Triple, ...]]]]:
        """``graph``'s minted IRIs: the documents of those only it can describe, and the
        triples it says of shared ones, without holding anything (a cluster worker splits,
        the driver takes)."""
        index = graph.index()
        out, into = index.out, index.into
        is_local = local_test(graph, self.base)
        minted = sorted({t for triple in graph.terms for t in (triple[0], triple[2])
                         if t.startswith(self._prefix)})
        ready: list[Described] = []
        shared: list[tuple[str, tuple[Triple, ...]]] = []
        for term in minted:
            iri = term[1:-1]
            if iri == page_iri:
                continue
            triples = _about(term, out, into)
            if is_local(term):
                ready.append(Described(iri, tuple(sorted(triples))))
            else:
                shared.append((iri, tuple(triples)))
        return ready, shared

    def shared(self, skip: set[str]) -> Iterator[Described]:
        """The shared nodes' documents, in IRI order (``skip``: IRIs that are record pages);
        each is dropped from memory once made."""
        for iri in sorted(self._shared):
            triples = self._shared.pop(iri)
            if iri not in skip:
                yield Described(iri, tuple(sorted(triples)))


def _about(term: Term, out: dict[Term, dict[str, list[Term]]],
           into: dict[Term, dict[str, list[Term]]]) -> set[Triple]:
    props = out.get(term)
    triples: set[Triple] = set()
    if props:
        for predicate, objects in props.items():
            for obj in objects:
                triples.add((term, f"<{predicate}>", obj))
                if obj[0] == "<" and obj != term:
                    for name in out.get(obj, {}).get(_NAME, ()):
                        triples.add((obj, _NAME_TERM, name))
    else:
        for predicate, subjects in into.get(term, {}).items():
            triples.update((s, f"<{predicate}>", term) for s in subjects)
    return triples


def documents(described: Described, base: str, path: str, site_title: str
              ) -> dict[str, bytes]:
    """The four documents (by extension) of one resource."""
    graph = RecordGraph.from_terms("", described.iri, described.iri, described.terms)
    return {".html": resource_page(graph, base, path, site_title),
            ".ttl": to_turtle(graph),
            ".jsonld": JsonLdWriter().write(graph),
            ".nt": graph.ntriples()}


def label_of(graph: RecordGraph, term: Term) -> tuple[str, str | None] | None:
    props = graph.index().out.get(term, {})
    for predicate in _LABELS:
        values = sorted(literal_parts(v)[:2] for v in props.get(predicate, ()) if v[0] == '"')
        if values:
            return values[0]
    return None


def _value(graph: RecordGraph, term: Term) -> str:
    if term[0] == '"':
        value, lang, datatype = literal_parts(term)
        kind = "" if lang or datatype == PREFIXES["xsd"] + "string" else (
            f' <span class="datatype">({esc(compact(f"<{datatype}>").strip("<>"))})</span>')
        return f"<span{lang_attr(lang)}>{esc(value)}</span>{kind}"
    if term[0] != "<":
        return esc(term)
    iri = term[1:-1]
    short = compact(term)
    label = label_of(graph, term)
    if label is not None and term != f"<{graph.root}>":
        return (f"{link(iri, label[0])}" if not lang_attr(label[1]) else
                f"<span{lang_attr(label[1])}>{link(iri, label[0])}</span>")
    return link(iri, short if short[0] != "<" else iri)


def resource_page(graph: RecordGraph, base: str, path: str, site_title: str) -> bytes:
    """A table of the resource's properties: prefixed names, values linked to their IRIs."""
    root = f"<{graph.root}>"
    props = graph.index().out.get(root, {})
    label = label_of(graph, root)
    title, lang = label if label else (graph.root, None)
    rows: list[str] = []
    for predicate in sorted(props, key=lambda p: (p != RDF_TYPE, compact(f"<{p}>"), p)):
        name = compact(f"<{predicate}>")
        shown = "a (type)" if predicate == RDF_TYPE else (name if name[0] != "<" else predicate)
        values = "<br>\n".join(_value(graph, o) for o in sorted(props[predicate]))
        rows.append(f'<tr><th scope="row">{link(predicate, shown)}</th><td>{values}</td></tr>\n')
    incoming = [(s, p) for s, p, o in graph.terms if o == root]
    body = [f"<h1{lang_attr(lang)}>{esc(title)}</h1>\n",
            f'<p class="iri">{link(graph.root)}</p>\n']
    if rows:
        body.append('<table class="properties">\n<caption>What the records say</caption>\n'
                    '<thead><tr><th scope="col">Property</th><th scope="col">Value</th></tr>'
                    "</thead>\n<tbody>\n" + "".join(rows) + "</tbody>\n</table>\n")
    if incoming:
        body.append('<h2>Referred to by</h2>\n<ul>\n' + "".join(
            f"<li>{link(s[1:-1])} ({esc(compact(p))})</li>\n" for s, p in sorted(incoming))
                    + "</ul>\n")
    return page(title=title, title_lang=lang, base=base, site_title=site_title, head="",
                body="".join(body), documents=alternates(base, path))
