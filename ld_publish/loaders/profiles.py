"""Where each kind of SPARQL server keeps its endpoints, and how it wants graphs replaced.

A profile turns the one ``--endpoint`` the user gives into query, update and Graph Store URLs;
``--gsp``/``--update``/``--query`` given explicitly win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import httpx

from ..registry import Registry
from .http import RejectionRule, default_rejection

Strategy = Literal["update", "gsp", "staged"]


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str | None
    gsp: str | None
    gsp_graph_param: str


@dataclass(frozen=True)
class StoreProfile:
    name: str
    #: How graphs are replaced; see docs/decisions/0003-loading.md for why per store.
    strategy: Strategy
    digest_auth: bool = False
    is_rejection: RejectionRule = default_rejection

    def endpoints(self, endpoint: str, *, authenticated: bool) -> Endpoints:
        base = endpoint.rstrip("/")
        return Endpoints(query=base, update=base, gsp=None, gsp_graph_param="graph")


class OxigraphServerProfile(StoreProfile):
    def endpoints(self, endpoint: str, *, authenticated: bool) -> Endpoints:
        base = re.sub(r"/(query|update|store)$", "", endpoint.rstrip("/"))
        return Endpoints(f"{base}/query", f"{base}/update", f"{base}/store", "graph")


def _virtuoso_rejection(response: httpx.Response) -> bool:
    # Virtuoso reports a parse error in the body as 500 with an SQL state; that is the
    # content's fault (bisect), not a server fault (retry).
    if default_rejection(response):
        return True
    return response.status_code == 500 and bool(
        re.search(r"\b(37000|22023|22007|SP0\d\d|RDF\w\w\d)\b", response.text))


class VirtuosoProfile(StoreProfile):
    def endpoints(self, endpoint: str, *, authenticated: bool) -> Endpoints:
        base = re.sub(r"/(sparql|sparql-auth|sparql-graph-crud(-auth)?)$", "",
                      endpoint.rstrip("/"))
        suffix = "-auth" if authenticated else ""
        return Endpoints(f"{base}/sparql{suffix}", f"{base}/sparql{suffix}",
                         f"{base}/sparql-graph-crud{suffix}", "graph-uri")


class FusekiProfile(StoreProfile):
    def endpoints(self, endpoint: str, *, authenticated: bool) -> Endpoints:
        base = re.sub(r"/(sparql|query|update|data|get)$", "", endpoint.rstrip("/"))
        return Endpoints(f"{base}/query", f"{base}/update", f"{base}/data", "graph")


class GraphDBProfile(StoreProfile):
    def endpoints(self, endpoint: str, *, authenticated: bool) -> Endpoints:
        base = re.sub(r"/(statements|rdf-graphs/service)$", "", endpoint.rstrip("/"))
        return Endpoints(base, f"{base}/statements", f"{base}/rdf-graphs/service", "graph")


profiles: Registry[StoreProfile] = Registry("store type")
profiles.register("generic", StoreProfile("generic", "update"))
# Oxigraph, Fuseki (TDB2) and GraphDB run one Update request as one transaction, so a batch of
# DROP+INSERT pairs replaces many graphs atomically in one round trip.
profiles.register("oxigraph-server", OxigraphServerProfile("oxigraph-server", "update"),
                  aliases=("oxigraph",))
profiles.register("fuseki", FusekiProfile("fuseki", "update"))
profiles.register("graphdb", GraphDBProfile("graphdb", "update"))
# Virtuoso commits each operation of an Update request on its own (a failure after the DROP
# leaves the graph empty), and a Graph Store PUT whose body breaks half-way leaves the graph
# holding the part before the break. So new content is PUT into a staging graph and MOVEd.
profiles.register("virtuoso", VirtuosoProfile("virtuoso", "staged", digest_auth=True,
                                              is_rejection=_virtuoso_rejection))
