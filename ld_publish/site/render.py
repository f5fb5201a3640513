"""One record's site documents: its page and the documents of the nodes minted inside it.

Rendering is most of a site build's time, and needs only the record and the path its files
go to. The path depends on the run, though: a path an earlier record took (compared without
case) sends an IRI to its fallback path (:func:`~.paths.file_path`). So ``site --cluster``
renders on the workers (:class:`Render`) at the paths the record would get in a run of its
own, and the driver (:class:`~.build._Build`), which gives out the paths in input order, keeps
a document only if its path is the one it was rendered for and renders it again otherwise
(two IRIs whose paths differ only in case: rare). The output is the local run's, byte for
byte.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..graph import RecordGraph
from ..mapping.iris import segment
from ..pipeline import Outcome
from ..terms import Triple
from ..writers.jsonld import JsonLdWriter
from ..writers.turtle import to_turtle
from . import describe
from .index import Listing, listing
from .landing import landing_page
from .paths import file_path, normalize
from .view import record_view

#: Names the site itself uses at the top of the folder; no IRI's documents may take them.
RESERVED = ("index", "void", "sitemap", "robots", "site", "dataset", "report", "nginx", "_")


@dataclass(frozen=True, slots=True)
class Look:
    """What a site's pages show besides the records (the same on every worker)."""

    base: str
    title: str
    license: str | None


def page_iri(base: str, graph: RecordGraph) -> str:
    return f"{base}work/{segment(graph.key)}"


def record_documents(graph: RecordGraph, look: Look, path: str
                     ) -> tuple[dict[str, bytes], Listing]:
    """The record page's documents (by extension) at ``path``, and its front-page line."""
    page = page_iri(look.base, graph)
    view = record_view(graph)
    jsonld = JsonLdWriter().write(graph)
    html = landing_page(view, base=look.base, path=path, page_url=page,
                        site_title=look.title, jsonld=jsonld, license_iri=look.license)
    return ({".html": html, ".ttl": to_turtle(graph), ".jsonld": jsonld,
             ".nt": graph.ntriples()}, listing(view, page))


@dataclass(frozen=True, slots=True)
class Guess:
    """Documents rendered for ``path``."""

    path: str
    documents: dict[str, bytes]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A published record as a worker rendered it (see the module docs)."""

    outcome: Outcome  # with its graph; without the record and N-Quads (the graph has them)
    page: Guess
    listing: Listing
    local: tuple[tuple[describe.Described, Guess], ...]  # nodes minted inside the record
    shared: tuple[tuple[str, tuple[Triple, ...]], ...]  # what it says of shared nodes


@dataclass(frozen=True, slots=True)
class Render:
    """A cluster worker's rendering of a published record (picklable: it is sent along)."""

    look: Look

    def __call__(self, outcome: Outcome) -> Rendered:
        graph = outcome.graph
        assert graph is not None
        base = self.look.base
        taken = set(RESERVED)
        page = page_iri(base, graph)
        path = file_path(normalize(page[len(base):]), taken)
        documents, line = record_documents(graph, self.look, path)
        ready, shared = describe.Resources(base).split(graph, page)
        local = []
        for described in ready:
            where = file_path(normalize(described.iri[len(base):]), taken)
            local.append((described, Guess(where, describe.documents(
                described, base, where, self.look.title))))
        return Rendered(replace(outcome, nquads=None, record=None), Guess(path, documents),
                        line, tuple(local), tuple(shared))
