"""Loader for any SPARQL 1.1 server, through SPARQL Update or the Graph Store Protocol."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path

import httpx
import pyoxigraph as ox

from ..errors import StoreError, UsageError
from ..graph import RecordGraph
from ..sparql_escape import sparql_term
from .base import (
    HASH_PREDICATE,
    META_GRAPH,
    PROBE_GRAPH,
    BatchRejected,
    LoaderOptions,
    loaders,
    replace_update,
    staging_name,
    stored_hashes_query,
)
from .http import HttpTransport, redact_url
from .profiles import Endpoints, StoreProfile, profiles
from .virtuoso import DEFAULT_CONNECTIONS, UPDATE_CHUNK, VirtuosoBulk, chunks, in_parallel

_JSON_RESULTS = "application/sparql-results+json"


class SparqlLoader:
    """Replaces graphs with one Update request per batch (``strategy="update"``), one Graph
    Store PUT per graph followed by one Update for the batch's hashes (``strategy="gsp"``), or
    one PUT per graph into a staging graph and one Update moving them all into place with their
    hashes (``strategy="staged"``).

    Both are idempotent: the request sets the graph to a given content whatever it held before,
    so sending it twice leaves the same store as sending it once (the retry argument).
    """

    def __init__(self, transport: HttpTransport, endpoints: Endpoints, strategy: str,
                 dataset_post: bool = False, connections: int = DEFAULT_CONNECTIONS) -> None:
        self.http = transport
        self.endpoints = endpoints
        self.strategy = strategy
        #: Whether a POST of N-Quads to the Graph Store URL (no graph parameter) adds them to
        #: the dataset, as the Oxigraph server's /store does: the bulk path.
        self.dataset_post = dataset_post
        #: Per-graph Graph Store requests in flight at once (staged replace, Virtuoso bulk).
        self.connections = connections
        #: Virtuoso's bulk path (set by the factory for the virtuoso profile).
        self.virtuoso_bulk: VirtuosoBulk | None = None
        self.target = redact_url(endpoints.update or endpoints.gsp or endpoints.query)
        if strategy in ("gsp", "staged") and not endpoints.gsp:
            raise UsageError("this store type needs a Graph Store URL", hint="give --gsp URL")
        if not endpoints.update:
            raise UsageError("this store type needs an update URL", hint="give --update URL")

    def query_json(self, query: str, what: str = "query", retry: bool = True
                   ) -> dict[str, object]:
        r = self.http.send("POST", self.endpoints.query, idempotent=retry, what=what,
                           data={"query": query}, headers={"Accept": _JSON_RESULTS})
        try:
            result: dict[str, object] = r.json()
        except ValueError:
            raise StoreError(f"query: {redact_url(self.endpoints.query)} did not answer "
                             "with SPARQL JSON results") from None
        return result

    def stored_hashes(self, names: Sequence[str]) -> dict[str, str]:
        if not names:
            return {}
        r = self.http.send("POST", self.endpoints.query, idempotent=True,
                           what="reading content hashes",
                           data={"query": stored_hashes_query(names)},
                           headers={"Accept": _JSON_RESULTS})
        try:
            solutions = ox.parse_query_results(r.content, ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError):
            raise StoreError(f"reading content hashes: {redact_url(self.endpoints.query)} "
                             "did not answer with SPARQL JSON results") from None
        found: dict[str, str] = {}
        assert isinstance(solutions, ox.QuerySolutions)
        for s in solutions:
            g, h = s["g"], s["h"]
            if g is not None and h is not None:
                found[g.value] = h.value
        return found

    def _update(self, text: str, what: str) -> None:
        assert self.endpoints.update
        self.http.send("POST", self.endpoints.update, idempotent=True, what=what,
                       content=text.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def _put(self, graph_name: str, body: bytes, what: str) -> None:
        assert self.endpoints.gsp
        self.http.send("PUT", self.endpoints.gsp, idempotent=True, what=what,
                       params={self.endpoints.gsp_graph_param: graph_name}, content=body,
                       headers={"Content-Type": "application/n-triples"})

    def replace(self, graphs: Sequence[RecordGraph]) -> None:
        if self.strategy == "update":
            self._update(replace_update(graphs), f"replacing {len(graphs)} graph(s)")
            return
        if self.strategy == "staged":
            # The PUT may fail half-way and leave what it parsed so far (Virtuoso does), so it
            # goes to a staging graph; the record's graph changes only by the MOVE. Several
            # PUTs are in flight at once: each costs Virtuoso more in per-request work than in
            # triples, and the graphs are independent until the MOVE. With a folder the
            # server reads, the batch is staged by its bulk loader instead (one file).
            bulk = self.virtuoso_bulk
            put = (bulk.stage(graphs) if bulk is not None and bulk.folder is not None
                   else graphs)
            failed = in_parallel(
                lambda g: self._put(staging_name(g), g.ntriples(), f"staging graph {g.name}"),
                put, self.connections)
            if failed:
                for g, _ in failed:
                    self._drop_quietly(staging_name(g))
                # The content's fault (refused, or 500) before a failing store's: a refusal
                # splits the batch, and the split finds out whether the store is failing.
                failed.sort(key=lambda f: not isinstance(f[1], BatchRejected))
                raise failed[0][1]
            # In chunks: Virtuoso refuses an update that compiles to too much SQL. Each MOVE
            # with its hash is a unit of its own there anyway (no transaction spans a request).
            for chunk in chunks(graphs, UPDATE_CHUNK):
                self._update(replace_update(chunk, move_from_staging=True),
                             f"moving {len(chunk)} staged graph(s) into place")
            return
        for g in graphs:
            self._put(g.name, g.ntriples(), f"replacing graph {g.name}")
        # Hashes go last: if the run dies before this, the graphs are reloaded next time.
        self._update(replace_update(graphs, with_data=False), "recording content hashes")

    def _present(self, names: Sequence[str]) -> set[str]:
        """Which of ``names`` the store holds content or a hash of."""
        values = " ".join(sparql_term(n) for n in names)
        meta, pred = sparql_term(META_GRAPH), sparql_term(HASH_PREDICATE)
        query = (f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} "
                 f"{{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ GRAPH {meta} {{ ?g {pred} ?h }} }} }}")
        rows = self.query_json(query).get("results", {})
        bindings = rows.get("bindings", []) if isinstance(rows, dict) else []
        return {row["g"]["value"] for row in bindings if "g" in row}

    def bulk_lookup(self, names: Sequence[str]) -> tuple[dict[str, str], set[str] | None]:
        """The stored hashes of ``names`` and, for Virtuoso, which of them the store holds
        anything of, in one query per chunk (else None: :meth:`bulk_add` asks)."""
        if self.virtuoso_bulk is not None:
            return self.virtuoso_bulk.lookup(names)
        return self.stored_hashes(names), None

    def bulk_add(self, graphs: Sequence[RecordGraph], held: set[str] | None = None
                 ) -> list[RecordGraph]:
        """Graphs new to the store in one N-Quads POST to the dataset, then their hashes;
        returns the others, for :meth:`replace`. Stores without a dataset POST take none.
        ``held``: the names the store holds content or a hash of, when already looked up.

        Sending the POST twice adds nothing more (no blank nodes go this way: a graph with one
        is left for :meth:`replace`), so it is retried like the other requests.
        """
        if self.virtuoso_bulk is not None:
            return self.virtuoso_bulk.add(graphs, held)
        if not self.dataset_post or not graphs:
            return list(graphs)
        present = self._present([g.name for g in graphs]) if held is None else held
        new = [g for g in graphs if g.name not in present and not g.has_blank_nodes]
        if new:
            assert self.endpoints.gsp
            self.http.send("POST", self.endpoints.gsp, idempotent=True,
                           what=f"bulk loading {len(new)} graph(s)",
                           content=b"".join(g.nquads() for g in new),
                           headers={"Content-Type": "application/n-quads"})
            self._update(replace_update(new, with_data=False), "recording content hashes")
        added = {g.name for g in new}
        return [g for g in graphs if g.name not in added]

    def probe(self) -> None:
        self._update(f"DROP SILENT GRAPH {sparql_term(PROBE_GRAPH)}",
                     "an update with no records in it")

    def _drop_quietly(self, graph_name: str) -> None:
        # A leftover staging graph is harmless: the next PUT of that content replaces it.
        with contextlib.suppress(StoreError):
            self._update(f"DROP SILENT GRAPH {sparql_term(graph_name)}",
                         "dropping a staging graph")

    def close(self) -> None:
        self.http.client.close()


def make_client(options: LoaderOptions, profile: StoreProfile) -> httpx.Client:
    auth: httpx.Auth | None = None
    if options.user:
        if options.password is None:
            raise UsageError("--user given without a password",
                             hint="set the password in LD_PUBLISH_PASSWORD (or --password-env "
                                  "NAME) or give --password-file PATH")
        auth = (httpx.DigestAuth(options.user, options.password) if profile.digest_auth
                else httpx.BasicAuth(options.user, options.password))
    return httpx.Client(timeout=httpx.Timeout(options.timeout), auth=auth,
                        headers={"User-Agent": "ld-publish"})


def sparql_loader(options: LoaderOptions, client: httpx.Client | None = None) -> SparqlLoader:
    if not options.endpoint and not (options.update_url or options.gsp_url):
        raise UsageError("no SPARQL endpoint given", hint="give --endpoint URL")
    profile = profiles.get(options.store_type)
    base = options.endpoint or options.update_url or options.gsp_url or ""
    ep = profile.endpoints(base, authenticated=bool(options.user))
    ep = Endpoints(query=options.query_url or (ep.query if options.endpoint else base),
                   update=options.update_url or ep.update,
                   gsp=options.gsp_url or ep.gsp, gsp_graph_param=ep.gsp_graph_param)
    strategy = profile.strategy
    if profile.name == "generic" and options.gsp_url and not options.update_url:
        strategy = "gsp"
    transport = HttpTransport(client or make_client(options, profile), retries=options.retries,
                              backoff=options.backoff, is_rejection=profile.is_rejection,
                              secrets=(options.password,) if options.password else ())
    loader = SparqlLoader(transport, ep, strategy,
                          dataset_post=profile.name == "oxigraph-server" and not options.gsp_url,
                          connections=options.connections)
    if profile.name == "virtuoso":
        folder = Path(options.bulk_dir) if options.bulk_dir else None
        if folder is not None and not folder.is_dir():
            raise UsageError(f"--bulk-dir {folder}: no such folder")
        loader.virtuoso_bulk = VirtuosoBulk(loader, folder, options.bulk_dir_server,
                                            options.connections)
    elif options.bulk_dir:
        raise UsageError("--bulk-dir is for --store-type virtuoso",
                         hint="other stores bulk load over HTTP; leave --bulk-dir out")
    return loader


loaders.register("sparql", sparql_loader, aliases=("http",))
