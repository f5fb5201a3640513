"""Virtuoso's fast ways to add graphs new to the store (``load --bulk``).

Virtuoso's Graph Store endpoint takes one graph per request and refuses N-Quads, and its
Update requests are slow for many graphs at once, so a first load graph by graph spends most of
its time on per-request work. Two faster ways, both *not* transactional (a killed run leaves
graphs with content and no hash, which the next run sees as held and replaces):

* with a folder the server can read (``--bulk-dir``): each batch is written there as one
  N-Quads file and Virtuoso's own bulk loader reads it (``ld_dir`` + ``rdf_loader_run``, called
  over SPARQL as ``sql:`` procedures by the authenticated user), then a ``checkpoint`` makes it
  durable, because ``rdf_loader_run`` does not write the transaction log;
* otherwise one Graph Store POST per graph, several in flight at once.

Either way the hashes are written after the content, and only for graphs the store then holds
in full: anything else is handed back to the loader's atomic replace. Through the bulk loader
they go as a second file, registered only once the content's file is loaded in full and made
durable by a checkpoint (so no crash can leave a hash claiming content not there); should that
file not load in full, as ``INSERT DATA``.

Per batch the store is asked once per :data:`LOOKUP_CHUNK` names for both the stored hashes
and which graphs it holds anything of (``lookup``): Virtuoso spends far more time compiling a
long ``VALUES`` block than answering it, and each request costs it ~20-30 ms anyway.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from ..errors import StoreError
from ..graph import RecordGraph
from ..sparql_escape import sparql_term
from .base import (
    HASH_PREDICATE,
    META_GRAPH,
    BatchRejected,
    RequestFailed,
    hash_literal,
    staging_name,
)

if TYPE_CHECKING:
    from .sparql import SparqlLoader

#: Requests in flight at once for per-graph Graph Store requests. Measured on Virtuoso 7.2
#: (bench/bench_load.py): one at a time leaves the server waiting on each round trip.
DEFAULT_CONNECTIONS = 4
#: ``ld_dir`` wants a graph for triples outside any; record N-Quads have none, so none land here.
BULK_DEFAULT_GRAPH = "urn:ld-publish:bulk-default"
#: Names per lookup query: Virtuoso compiles a VALUES block of thousands of IRIs slowly (2,048
#: names took ~1 s, 8 queries of 256 about half that; bench/bench_load.py, shared machine).
LOOKUP_CHUNK = 256

#: Graphs a replace stages through the bulk loader at least (fewer go by Graph Store PUTs): a
#: bulk-loader run with its checkpoint costs a few hundred milliseconds, what four PUTs in flight
#: take for ~50 graphs; measured (bench/bench_load.py, loaded machine) 512 graphs staged by one
#: file 1.7x faster than by PUTs, 64 graphs 3x slower.
STAGE_MIN_GRAPHS = 256

#: Graphs per Update request: Virtuoso refuses one that compiles to over 10,000 lines of SQL
#: (about 2,000 hash deletions, fewer MOVEs).
UPDATE_CHUNK = 128

T = TypeVar("T")


def in_parallel(fn: Callable[[T], None], items: Sequence[T], connections: int
                ) -> list[tuple[T, StoreError]]:
    """Call ``fn`` on every item, ``connections`` at a time; the items that failed, with why.

    Every call runs to its end before this returns, so no request is still in flight when the
    caller acts on a failure.
    """
    def attempt(item: T) -> tuple[T, StoreError] | None:
        try:
            fn(item)
        except StoreError as e:
            return item, e
        return None

    if connections <= 1 or len(items) <= 1:
        results = [attempt(item) for item in items]
    else:
        with ThreadPoolExecutor(min(connections, len(items))) as pool:
            results = list(pool.map(attempt, items))
    return [r for r in results if r is not None]


class VirtuosoBulk:
    """Adds graphs new to a Virtuoso store: through its bulk loader when ``folder`` is given
    (a folder this machine writes and the server reads, at ``server_folder`` on its side),
    else by concurrent Graph Store POSTs."""

    def __init__(self, loader: SparqlLoader, folder: Path | None = None,
                 server_folder: str | None = None,
                 connections: int = DEFAULT_CONNECTIONS) -> None:
        self.loader = loader
        self.folder = folder
        self.server_folder = server_folder or (str(folder.resolve()) if folder else None)
        self.connections = connections
        self.stage_min_graphs = STAGE_MIN_GRAPHS

    def lookup(self, names: Sequence[str]) -> tuple[dict[str, str], set[str]]:
        """The hashes the store holds for ``names``, and which of them it holds content or a
        hash of: one query per :data:`LOOKUP_CHUNK` names instead of one for each."""
        meta, pred = sparql_term(META_GRAPH), sparql_term(HASH_PREDICATE)
        hashes: dict[str, str] = {}
        held: set[str] = set()
        for chunk in chunks(names, LOOKUP_CHUNK):
            values = " ".join(sparql_term(n) for n in chunk)
            answer = self.loader.query_json(
                f"SELECT ?g ?h WHERE {{ VALUES ?g {{ {values} }} OPTIONAL {{ GRAPH {meta} "
                f"{{ ?g {pred} ?h }} }} FILTER (bound(?h) || EXISTS {{ GRAPH ?g "
                f"{{ ?s ?p ?o }} }}) }}", what="reading content hashes and held graphs")
            rows = answer.get("results", {})
            for row in rows.get("bindings", []) if isinstance(rows, dict) else []:
                if "g" not in row:
                    continue
                held.add(row["g"]["value"])
                if "h" in row:
                    hashes[row["g"]["value"]] = row["h"]["value"]
        return hashes, held

    def add(self, graphs: Sequence[RecordGraph], held: set[str] | None = None
            ) -> list[RecordGraph]:
        """Add the graphs new to the store; return the others, for the atomic replace.
        ``held``: the names the store holds content or a hash of (from :meth:`lookup`), when
        known; else they are looked up."""
        if not graphs:
            return []
        present = held if held is not None else self.lookup([g.name for g in graphs])[1]
        # Bulk loaders keep blank node labels per file, so two graphs labelling a node alike
        # would share it: such graphs take the replace path, which relabels them.
        new = [g for g in graphs if g.name not in present and not g.has_blank_nodes]
        if not new:
            return list(graphs)
        if self.folder is not None:
            # All or nothing: a file the bulk loader stopped on may be partly loaded, and the
            # atomic replace overwrites whatever it left (and isolates a refused record).
            if not self._bulk_loader(b"".join(g.nquads() for g in new), "bulk file"):
                return list(graphs)
            added = list(new)
            # The hashes too, as a file of their own: registered only now that the content's
            # file is loaded in full and checkpointed, so whatever stops it half-way (or
            # later, a server crash) leaves content without hash, never the reverse.
            hashed = self._bulk_loader(hashes_nquads(new), "hashes file", suffix="-hashes")
        else:
            # A POST answered 2xx stored its whole body; one that failed may have stored part
            # of it, and is left to the replace.
            failed = in_parallel(self._post, new, self.connections)
            stopping = [e for _, e in failed if not isinstance(e, BatchRejected | RequestFailed)]
            if stopping:
                raise stopping[0]
            refused = {g.name for g, _ in failed}
            added = [g for g in new if g.name not in refused]
            hashed = False
        # After the content, so a hash never claims content the store does not hold. The
        # graphs are new (no hash to delete), and Virtuoso refuses an update that compiles to
        # more than 10,000 lines of SQL, so the hashes go in chunks of plain INSERT DATA
        # (also after a hashes file the bulk loader did not read in full: a triple inserted
        # twice is there once).
        if not hashed:
            for chunk in chunks(added, UPDATE_CHUNK):
                self.loader._update(hashes_insert(chunk), "recording content hashes")
        done = {g.name for g in added}
        return [g for g in graphs if g.name not in done]

    def stage(self, graphs: Sequence[RecordGraph]) -> list[RecordGraph]:
        """Put each graph's content into its staging graph through the bulk loader, for the
        atomic replace's MOVE, when there are :attr:`stage_min_graphs` or more; the graphs it
        did not stage are returned, for a Graph Store PUT each.

        Graphs with blank nodes are not staged this way (the bulk loader would let two share a
        node), nor any when the file did not load in full: a staging graph the loader left
        half-filled is overwritten by the PUT, so nothing of it reaches a record's graph.
        """
        assert self.folder is not None
        plain = [g for g in graphs if not g.has_blank_nodes]
        if len(plain) < self.stage_min_graphs or not self._bulk_loader(
                b"".join(g.nquads_in(staging_name(g)) for g in plain), "staging file"):
            return list(graphs)
        return [g for g in graphs if g.has_blank_nodes]

    def _post(self, graph: RecordGraph) -> None:
        # POST adds; the graph is new and has no blank nodes, so sending it twice adds
        # nothing more and a retry is harmless.
        endpoints = self.loader.endpoints
        assert endpoints.gsp
        self.loader.http.send("POST", endpoints.gsp, idempotent=True,
                              what=f"bulk adding graph {graph.name}",
                              params={endpoints.gsp_graph_param: graph.name},
                              content=graph.ntriples(),
                              headers={"Content-Type": "application/n-triples"})

    def _call(self, procedure: str, *args: str, what: str, retry: bool = True) -> None:
        """Run a Virtuoso SQL procedure through SPARQL (``sql:`` calls DB.DBA procedures; the
        user needs EXECUTE on them, and ``checkpoint`` needs dba)."""
        values = ", ".join(_literal(a) for a in args)
        query = f"PREFIX sql: <sql:>\nSELECT ({procedure}({values})) WHERE {{ }}"
        # On a connection of its own, as a precaution: rdf_loader_run switches its session to
        # repeatable reads without the transaction log and does not switch it back; should
        # Virtuoso keep that session for the next requests of a keep-alive connection, the
        # load's later updates would go unlogged. (Not observed; closing costs one connect.)
        self.loader.http.send("POST", self.loader.endpoints.query, idempotent=retry, what=what,
                              data={"query": query},
                              headers={"Accept": "application/sparql-results+json",
                                       "Connection": "close"})

    def _value(self, query: str, var: str, *, what: str) -> str | None:
        answer = self.loader.query_json(query, what=what)
        rows = answer.get("results", {})
        for row in rows.get("bindings", []) if isinstance(rows, dict) else []:
            if var in row:
                return str(row[var]["value"])
        return None

    def _bulk_loader(self, quads: bytes, kind: str, suffix: str = "") -> bool:
        """Whether the server's bulk loader read all of ``quads`` (N-Quads), written as one
        file (``kind`` names it in messages; the hashes' file, ``suffix`` "-hashes", goes
        where the content's was seen, so it is not looked for)."""
        assert self.folder is not None and self.server_folder is not None
        name = f"ld-publish-{uuid.uuid4().hex}{suffix}.nq"
        local = self.folder / name
        hashes = suffix == "-hashes"
        try:
            local.write_bytes(quads)
        except OSError as e:
            raise StoreError(f"cannot write the bulk file {local}: {e.strerror or e}",
                             hint="--bulk-dir must be a folder this machine can write") from None
        seen_as = server_path(self.server_folder, name)
        try:
            # The server must see this very file: a wrong --bulk-dir-server would otherwise
            # load nothing and leave every graph to the slow path without a word. (The hashes
            # file goes where the content's file was seen.)
            size = None if hashes else self._value(
                f"SELECT (bif:file_stat({_literal(seen_as)}, 1) AS ?size) WHERE {{ }}", "size",
                what="looking for the bulk file")
            if not hashes and size != str(local.stat().st_size):
                raise StoreError(
                    f"the server does not see the bulk file {local} at {seen_as}",
                    hint="give --bulk-dir a folder the server can read, and --bulk-dir-server "
                         "PATH when the server sees it under another path")
            # ld_dir registers the file, rdf_loader_run loads what is registered (also files
            # others registered and left pending), checkpoint makes it durable: the loader
            # writes no transaction log, so without it a server crash would lose the content
            # while its hashes (registered and loaded after it, or logged) were kept.
            try:
                self._call("sql:ld_dir", self.server_folder, name, BULK_DEFAULT_GRAPH,
                           what=f"registering the {kind} (ld_dir)")
            except StoreError as e:
                if "FA003" not in e.message:
                    raise
                raise StoreError(e.message, hint=f"allow {self.server_folder} in the server's "
                                 "virtuoso.ini (DirsAllowed) and restart it") from None
            self._call("sql:rdf_loader_run",
                       what=f"running the bulk loader (rdf_loader_run) on the {kind}")
            self._call("bif:exec", "checkpoint", what=f"checkpoint after loading the {kind}")
            return self._loaded_in_full(name)
        finally:
            with contextlib.suppress(OSError):
                local.unlink()

    def _loaded_in_full(self, name: str) -> bool:
        """Whether DB.DBA.load_list says the file was read to its end without error.

        SPARQL cannot select from an SQL table, so the check is an SQL statement run by
        ``exec`` that signals (a 500 naming the SQL state) when the file's row says otherwise
        or is missing; ``name`` is ours (a UUID), so it is safe in the SQL text.
        """
        row = f"DB.DBA.load_list where ll_file like '%/{name}'"
        checks = (f"select signal('LDP01', concat('bulk loader: ', coalesce(ll_error, "
                  f"'not finished'))) from {row} and (ll_state <> 2 or ll_error is not null)",
                  f"select signal('LDP02', concat('bulk loader: no record of the file (', "
                  f"cast(n as varchar), ' rows)')) from (select count(*) as n from {row}) c "
                  "where n <> 1")
        for check in checks:
            try:
                self._call("bif:exec", check, what="checking the bulk load", retry=False)
            except StoreError as e:
                if "LDP0" not in e.message:
                    raise
                return False
        return True


def hashes_nquads(graphs: Sequence[RecordGraph]) -> bytes:
    """The hashes of ``graphs`` as N-Quads in the bookkeeping graph."""
    meta, pred = ox.NamedNode(META_GRAPH), ox.NamedNode(HASH_PREDICATE)
    return ox.serialize([ox.Quad(ox.NamedNode(g.name), pred, ox.Literal(hash_literal(g)), meta)
                         for g in graphs], format=ox.RdfFormat.N_QUADS) or b""


def hashes_insert(graphs: Sequence[RecordGraph]) -> str:
    """The Update adding the hashes of graphs that have none yet."""
    meta, pred = sparql_term(META_GRAPH), sparql_term(HASH_PREDICATE)
    rows = " .\n".join(f"{sparql_term(g.name)} {pred} {sparql_term(ox.Literal(hash_literal(g)))}"
                       for g in graphs)
    return f"INSERT DATA {{ GRAPH {meta} {{\n{rows} }} }}"


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _literal(text: str) -> str:
    return sparql_term(ox.Literal(text))


def server_path(folder: str, name: str) -> str:
    """A file's path as the server sees it (servers run on POSIX systems)."""
    return str(PurePosixPath(folder) / name)
