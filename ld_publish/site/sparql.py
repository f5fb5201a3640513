"""The SPARQL 1.1 Protocol at ``/sparql``: read-only queries answered in-process by pyoxigraph.

The dataset a query sees is the published one: the record graphs. The default graph is their
union and they are the named graphs; the bookkeeping graph and staging graphs (IRIs under
``urn:ld-publish:``) are left out everywhere, also when a request names them in ``FROM`` or
``default-graph-uri``. ``default-graph-uri``/``named-graph-uri`` replace the query's own
``FROM``/``FROM NAMED``, as the protocol says.

Bounds: a query has ``timeout`` seconds and ``max_bytes`` of serialised results; past either it
gets 503 and its evaluation is stopped at the next chunk it writes. A query that computes for
long without writing cannot be interrupted (pyoxigraph has no cancellation), so it keeps its
worker until it ends, and at most ``workers`` queries run at once: the pages keep being served
whatever the endpoint is asked. ``SERVICE`` is refused, since pyoxigraph would send the request
from this machine to any address a client names.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, cast
from urllib.parse import parse_qs

import pyoxigraph as ox

from .negotiate import negotiate
from .response import Response, text

__all__ = ["Endpoint", "ProtocolRequest", "is_published", "parse_request"]

BOOKKEEPING_PREFIX = "urn:ld-publish:"
MAX_REQUEST_BYTES = 1 << 20

SOLUTION_FORMATS: tuple[tuple[str, ox.QueryResultsFormat], ...] = (
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    # Generic names some clients send; listed last so they never win a tie.
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/xml", ox.QueryResultsFormat.XML),
)
GRAPH_FORMATS: tuple[tuple[str, ox.RdfFormat], ...] = (
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
)
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>|#[^\n]*)\s*)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
READ_ONLY = ("this endpoint is read-only: SPARQL Update is not accepted (the site is published "
             "from the store; change it with `ld-publish load`)")


def is_published(graph: str) -> bool:
    return not graph.startswith(BOOKKEEPING_PREFIX)


@dataclass
class ProtocolRequest:
    query: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def _params(data: str) -> dict[str, list[str]]:
    return parse_qs(data, keep_blank_values=True, errors="strict", max_num_fields=1000)


def parse_request(method: str, query_string: str, content_type: str | None,
                  body: bytes) -> ProtocolRequest | Response | None:
    """The protocol request in an HTTP request, an error answer, or ``None`` for a GET with
    no query (answered with the query form)."""
    try:
        url_params = _params(query_string)
        if method == "POST":
            ctype = (content_type or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return text(400, READ_ONLY)
            if ctype == "application/sparql-query":
                params = dict(url_params)
                params["query"] = [body.decode("utf-8")]
            elif ctype == "application/x-www-form-urlencoded":
                params = {**url_params, **_params(body.decode("utf-8"))}
            else:
                return text(415, "a query is POSTed as application/sparql-query or "
                                 "application/x-www-form-urlencoded (query=...)")
        else:
            params = url_params
    except (UnicodeDecodeError, ValueError) as e:
        return text(400, f"the request cannot be read: {e}")
    if "update" in params:
        return text(400, READ_ONLY)
    queries = params.get("query", [])
    if not queries:
        if method == "POST":
            return text(400, "no query given: send query=... or an application/sparql-query "
                             "body")
        return None
    if len(queries) > 1:
        return text(400, "give one query parameter, not several")
    return ProtocolRequest(queries[0], params.get("default-graph-uri", []),
                           params.get("named-graph-uri", []))


def _unescape(query: str) -> str:
    # SPARQL applies \u escapes before parsing, so a keyword can hide behind them.
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)


def _walk(node: Any, found: Callable[[Any], bool]) -> bool:
    if found(node):
        return True
    if isinstance(node, dict):
        return any(_walk(v, found) for v in node.values())
    if isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        return any(_walk(v, found) for v in node)
    return False


def uses_service(query: str) -> bool:
    """Whether the query calls ``SERVICE``; when in doubt (the word is there and rdflib cannot
    parse the query) it is taken to."""
    plain = _unescape(query)
    if "service" not in plain.lower():
        return False
    from rdflib.plugins.sparql.parser import parseQuery
    try:
        tree = parseQuery(plain)
    except Exception:  # rdflib raises its parser's own exception types
        return True
    return _walk(tree, lambda n: getattr(n, "name", None) == "ServiceGraphPattern")


def dataset_clause(query: str) -> tuple[list[str], list[str]] | None:
    """The query's ``FROM`` and ``FROM NAMED`` graphs, or ``None`` when it names none (or
    they cannot be read, in which case the published dataset is used)."""
    if not re.search(r"\bfrom\b", _unescape(query), re.I):
        return None
    from rdflib.plugins.sparql import prepareQuery
    try:
        clauses = prepareQuery(_unescape(query)).algebra.get("datasetClause") or []
    except Exception:  # rdflib raises its parser's own exception types
        return None
    default = [str(c["default"]) for c in clauses if "default" in c]
    named = [str(c["named"]) for c in clauses if "named" in c]
    return (default, named) if default or named else None


class _Stopped(OSError):
    """Raised from the result sink to end a serialisation that ran out of time or room."""


class _Sink(io.RawIOBase):
    def __init__(self, limit: int, cancelled: threading.Event) -> None:
        self.buffer = io.BytesIO()
        self.limit = limit
        self.cancelled = cancelled

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.cancelled.is_set():
            raise _Stopped("cancelled")
        if self.buffer.tell() + len(data) > self.limit:
            raise _Stopped("too large")
        return self.buffer.write(data)


def _media(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


class Endpoint:
    """Answers protocol requests over one store; safe to call from many threads."""

    def __init__(self, store: ox.Store, timeout: float = 30.0, max_bytes: int = 64 << 20,
                 workers: int = 2) -> None:
        self.store = store
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.slots = threading.BoundedSemaphore(workers)
        every = list(store.named_graphs())
        self.graphs: list[ox.NamedNode | ox.BlankNode] = [
            g for g in every if not (isinstance(g, ox.NamedNode) and not is_published(g.value))]
        # Naming every graph costs a few microseconds per graph and query; a store with no
        # bookkeeping graph and nothing in its default graph (the site's dump in memory) can
        # use the store's own union instead, which is the same dataset.
        default_empty = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                             None) is None
        self.union = len(self.graphs) == len(every) and default_empty

    def _dataset(self, request: ProtocolRequest) -> dict[str, Any]:
        """The dataset arguments of ``Store.query`` for ``request``."""
        chosen: tuple[list[str], list[str]] | None
        if request.default_graphs or request.named_graphs:
            chosen = (request.default_graphs, request.named_graphs)
        else:
            chosen = dataset_clause(request.query)
        if chosen is None:
            if self.union:
                return {"use_default_graph_as_union": True}
            return {"default_graph": list(self.graphs), "named_graphs": list(self.graphs)}
        default, named = chosen
        return {"default_graph": [ox.NamedNode(g) for g in default if is_published(g)],
                "named_graphs": [ox.NamedNode(g) for g in named if is_published(g)]}

    def answer(self, request: ProtocolRequest, accept: str | None) -> Response:
        if uses_service(request.query):
            return text(400, "SERVICE (federated query) is not allowed on this endpoint")
        if not self.slots.acquire(timeout=self.timeout):
            return text(503, "the endpoint is busy with other queries; try again later",
                        ("Retry-After", "10"))
        cancelled = threading.Event()
        outcome: list[Response] = []

        def work() -> None:
            try:
                outcome.append(self._evaluate(request, accept, cancelled))
            finally:
                self.slots.release()

        worker = threading.Thread(target=work, name="sparql-query", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive() or not outcome:
            cancelled.set()
            return text(503, f"the query did not finish in {self.timeout:g} s; narrow it "
                             "(LIMIT, more specific patterns)")
        return outcome[0]

    def _evaluate(self, request: ProtocolRequest, accept: str | None,
                  cancelled: threading.Event) -> Response:
        try:
            dataset = self._dataset(request)
        except ValueError as e:
            return text(400, f"a graph IRI is not valid: {e}")
        try:
            result = self.store.query(request.query, **dataset)
        except SyntaxError as e:
            if _UPDATE.match(request.query):
                return text(400, READ_ONLY)
            return text(400, f"the query is not valid SPARQL: {e}")
        except (OSError, ValueError) as e:
            return text(500, f"the query failed: {e}")
        offers: tuple[tuple[str, Any], ...] = (
            GRAPH_FORMATS if isinstance(result, ox.QueryTriples) else SOLUTION_FORMATS)
        chosen = negotiate(accept, [media for media, _ in offers])
        if chosen is None:
            listed = ", ".join(dict.fromkeys(media for media, _ in offers))
            return text(406, f"none of the Accept header's types can be given for this "
                             f"query; available: {listed}", ("Vary", "Accept"))
        fmt = dict(offers)[chosen]
        sink = _Sink(self.max_bytes, cancelled)
        try:
            result.serialize(cast(IO[bytes], sink), format=fmt)
        except _Stopped as e:
            if str(e) == "cancelled":
                return text(503, "the query was stopped")
            return text(503, f"the results are larger than {self.max_bytes:,} bytes; narrow "
                             "the query (LIMIT)")
        except (OSError, SyntaxError, ValueError) as e:
            return text(500, f"the query failed while its results were written: {e}")
        return Response(200, [("Content-Type", _media(chosen)), ("Vary", "Accept")],
                        sink.buffer.getvalue())
