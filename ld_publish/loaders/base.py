"""What a loader is: something that replaces named graphs in one store, a batch at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from ..errors import StoreError
from ..graph import RecordGraph
from ..registry import Registry
from ..sparql_escape import sparql_term

#: The bookkeeping graph: one triple per loaded record graph, ``<g> HASH "sha256:..."``.
META_GRAPH = "urn:ld-publish:meta"
HASH_PREDICATE = "urn:ld-publish:contentHash"

#: Called with a record the store refused and the store's reason; the rest of the load goes on.
Quarantine = Callable[[RecordGraph, str], None]


class BatchRejected(StoreError):
    """The store refused a request because of its content (4xx, or a syntax error report).

    Unlike other store errors this one is attributable to the records in the request, so the run
    splits the batch to find the record responsible instead of stopping.
    """


class RequestFailed(StoreError):
    """The store answered 500 to every attempt at a request.

    Either the store is failing, or it fails on something in the request (a server bug that
    one record's content triggers). The run tells the two apart with :meth:`Loader.probe`, a
    request holding no records: if that works too, the batch is split like a refused one.
    """


#: A graph no record uses, so that dropping it is an update that changes nothing.
PROBE_GRAPH = "urn:ld-publish:probe"


def hash_literal(graph: RecordGraph) -> str:
    return f"sha256:{graph.content_hash}"


@runtime_checkable
class Loader(Protocol):
    """Replaces named graphs in one store.

    ``target`` identifies the store (a path or URL without credentials) for the journal.
    ``stored_hashes`` returns the content hashes the store's bookkeeping graph holds for the
    given graph names. ``replace`` makes each graph hold exactly the batch's triples and records
    their hashes; it raises :class:`BatchRejected` when the store refuses the content and
    :class:`StoreError` for anything else. ``probe`` sends an update that changes nothing and
    raises :class:`StoreError` if the store does not take it.
    """

    target: str

    def stored_hashes(self, names: Sequence[str]) -> dict[str, str]: ...

    def replace(self, graphs: Sequence[RecordGraph]) -> None: ...

    def probe(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class LoaderOptions:
    """Everything a loader factory may need; each loader uses the fields that concern it."""

    store_path: str = "output/store"
    endpoint: str | None = None
    gsp_url: str | None = None
    update_url: str | None = None
    query_url: str | None = None
    store_type: str = "generic"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    #: Per-graph HTTP requests in flight at once (Virtuoso's staged replace and bulk POSTs).
    connections: int = 4
    #: ``--bulk`` into Virtuoso: a folder this machine writes and the server reads, where each
    #: batch goes as an N-Quads file for the server's bulk loader; and the folder's path as the
    #: server sees it, when that differs.
    bulk_dir: str | None = None
    bulk_dir_server: str | None = None


LoaderFactory = Callable[..., Loader]

#: Loader factories by name: ``factory(options, client=None) -> Loader``.
loaders: Registry[LoaderFactory] = Registry("loader", "ld_publish.loaders")


def _body_triples(graph: RecordGraph, index: int) -> Iterable[ox.Triple]:
    """The graph's triples with blank nodes relabelled per graph.

    SPARQL Update forbids one blank node label in two INSERT DATA operations of one request;
    record graphs label their list nodes independently, so labels are made unique per batch
    position. Relabelling does not change the graph.
    """
    def fix(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
            ) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"r{index}x{term.value}")
        return term
    for t in graph.triples:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            yield ox.Triple(fix(t.subject), t.predicate, fix(t.object))  # type: ignore[arg-type]
        else:
            yield t


def staging_name(graph: RecordGraph) -> str:
    """Where a staged replace puts the new content before moving it over the record's graph."""
    # The graph's name is in it: two records with the same content in one batch would
    # otherwise share a staging graph, the first MOVE would take it and leave the second
    # graph empty under a hash that claims the content.
    key = hashlib.sha256(f"{graph.name}\n{graph.content_hash}".encode()).hexdigest()
    return f"urn:ld-publish:staging:{key}"


def replace_update(graphs: Sequence[RecordGraph], *, with_data: bool = True,
                   move_from_staging: bool = False) -> str:
    """The SPARQL Update that replaces every graph of the batch and records its hash.

    Graph names and hashes pass :func:`sparql_term`; triple bodies are pyoxigraph's N-Triples.
    With ``with_data=False`` only the bookkeeping part is produced (for stores where the data
    went by Graph Store PUT); with ``move_from_staging`` each graph is replaced by a MOVE from
    its staging graph.
    """
    meta, pred = sparql_term(META_GRAPH), sparql_term(HASH_PREDICATE)
    ops: list[str] = []
    for i, g in enumerate(graphs):
        name = sparql_term(g.name)
        if move_from_staging:
            ops.append(f"MOVE SILENT GRAPH {sparql_term(staging_name(g))} TO GRAPH {name}")
        elif with_data:
            body = (ox.serialize(_body_triples(g, i), format=ox.RdfFormat.N_TRIPLES)
                    or b"").decode()
            ops.append(f"DROP SILENT GRAPH {name}")
            ops.append(f"INSERT DATA {{ GRAPH {name} {{\n{body}}} }}")
        ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ {name} {pred} ?h }} }}")
    hashes = " .\n".join(f"{sparql_term(g.name)} {pred} {sparql_term(ox.Literal(hash_literal(g)))}"
                         for g in graphs)
    ops.append(f"INSERT DATA {{ GRAPH {meta} {{\n{hashes} }} }}")
    return " ;\n".join(ops)


def stored_hashes_query(names: Sequence[str]) -> str:
    meta, pred = sparql_term(META_GRAPH), sparql_term(HASH_PREDICATE)
    values = " ".join(sparql_term(n) for n in names)
    return (f"SELECT ?g ?h WHERE {{ GRAPH {meta} {{ ?g {pred} ?h }} "
            f"VALUES ?g {{ {values} }} }}")
