"""Running a SPARQL query against the embedded store or an endpoint, and printing the results:
solutions as a table, CSV, TSV or SPARQL JSON; graphs (CONSTRUCT, DESCRIBE) as Turtle,
N-Triples or JSON-LD.

On the embedded store the default graph is the union of the record graphs, the bookkeeping
graphs (``urn:ld-publish:*``) left out, so ``?w schema:author ?p`` works without ``GRAPH``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from .errors import StoreError, UsageError
from .loaders.embedded import open_store
from .loaders.http import HttpTransport, redact_url
from .locations import local_path

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: Result formats for solutions and booleans, and for graphs; "table" is each kind's readable
#: default (a grid for solutions, Turtle for graphs).
SOLUTION_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                 "jsonld": ox.RdfFormat.JSON_LD}
FORMATS = (*SOLUTION_FORMATS, *GRAPH_FORMATS)
_PREFIXES = {"schema": "http://schema.org/", "fabio": "http://purl.org/spar/fabio/",
             "cito": "http://purl.org/spar/cito/", "pro": "http://purl.org/spar/pro/",
             "prism": "http://prismstandard.org/namespaces/basic/2.0/",
             "dcterms": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
             "xsd": "http://www.w3.org/2001/XMLSchema#"}


def union_default_graph(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]:
    """The graphs a query's default graph is made of: the store's own default graph and every
    named graph but ld-publish's bookkeeping graphs."""
    graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += [g for g in store.named_graphs()
               if not (isinstance(g, ox.NamedNode) and g.value.startswith("urn:ld-publish:"))]
    return graphs


@dataclass
class Solutions:
    variables: list[str]
    rows: list[dict[str, Term]]


@dataclass
class Answer:
    """A SELECT's solutions, an ASK's boolean, or a CONSTRUCT/DESCRIBE's triples."""

    solutions: Solutions | None = None
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None

    def summary(self) -> str:
        """One line for stderr: how much came back."""
        if self.boolean is not None:
            return f"answer: {str(self.boolean).lower()}"
        if self.triples is not None:
            return f"{len(self.triples):,} triple(s)"
        count = len(self.solutions.rows) if self.solutions is not None else 0
        return f"{count:,} solution(s)"


def _bnode(value: str) -> ox.BlankNode:
    # Some stores (Virtuoso: "nodeID://b10001") use labels that are not valid N-Triples.
    return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", value))


def term_from_json(binding: dict[str, Any]) -> Term:
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return _bnode(value)
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        if lang:
            return ox.Literal(value, language=lang)
        datatype = binding.get("datatype")
        return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)
    if kind == "triple":
        v = binding["value"]
        return ox.Triple(term_from_json(v["subject"]), term_from_json(v["predicate"]),  # type: ignore[arg-type]
                         term_from_json(v["object"]))
    raise ValueError(f"unknown term type {kind!r}")


def parse_json_results(data: bytes) -> Answer:
    """SPARQL 1.1 JSON results, tolerant of store quirks (blank node labels, typed-literal)."""
    doc = json.loads(data)
    if "boolean" in doc:
        return Answer(boolean=bool(doc["boolean"]))
    variables = list(doc.get("head", {}).get("vars", []))
    rows = [{k: term_from_json(v) for k, v in b.items()}
            for b in doc.get("results", {}).get("bindings", [])]
    return Answer(solutions=Solutions(variables, rows))


def query_store(path: str | Path, query: str) -> Answer:
    path = local_path(str(path), "--store")  # a file:// URL names a folder; s3:// none
    if not Path(path).exists():
        raise UsageError(f"no store at {path}", hint="load data first or give --store PATH")
    store = open_store(path)
    try:
        result = store.query(query, default_graph=union_default_graph(store))
    except SyntaxError as e:
        raise UsageError(f"the query is not valid SPARQL: {e}") from None
    except OSError as e:
        raise StoreError(f"the query failed: {e}") from None
    if isinstance(result, ox.QueryBoolean):
        return Answer(boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return Answer(triples=list(result))
    variables = [v.value for v in result.variables]
    rows = [{v: s[v] for v in variables if s[v] is not None} for s in result]
    return Answer(solutions=Solutions(variables, rows))  # type: ignore[arg-type]


def query_endpoint(transport: HttpTransport, url: str, query: str,
                   params: dict[str, str] | None = None) -> Answer:
    r = transport.send("POST", url, idempotent=True, what="query", data={"query": query},
                       params=params or {},
                       headers={"Accept": "application/sparql-results+json, "
                                          "application/n-triples;q=0.9, text/plain;q=0.5"})
    ctype = r.headers.get("content-type", "").split(";")[0].strip()
    try:
        if "json" in ctype:
            return parse_json_results(r.content)
        triples = [q.triple for q in ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)]
        return Answer(triples=triples)
    except (SyntaxError, ValueError, KeyError) as e:
        raise StoreError(f"query: cannot read the answer of {redact_url(url)} "
                         f"({ctype or 'no content type'}): {e}") from None


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def format_answer(answer: Answer, fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError(f"unknown result format {fmt!r}", hint=f"choose one of {FORMATS}")
    if answer.triples is not None:
        if fmt in ("csv", "tsv", "json"):
            raise UsageError(f"--format {fmt} is for SELECT and ASK; a CONSTRUCT or DESCRIBE "
                             "gives a graph", hint="use --format turtle, ntriples or jsonld")
        rdf_format = GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)
        prefixes = _PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
        return (ox.serialize(answer.triples, format=rdf_format, prefixes=prefixes)
                or b"").decode()
    if fmt in GRAPH_FORMATS:
        raise UsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; this query gives "
                         "solutions", hint="use --format table, csv, tsv or json")
    if answer.boolean is not None:
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": answer.boolean}) + "\n"
        return ("true" if answer.boolean else "false") + "\n"
    assert answer.solutions is not None
    sol = answer.solutions
    if fmt == "json":
        return json.dumps({"head": {"vars": sol.variables},
                           "results": {"bindings": [
                               {k: _json_term(v) for k, v in row.items()}
                               for row in sol.rows]}}, ensure_ascii=False, indent=1) + "\n"
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in sol.variables)]
        lines += ["\t".join(str(row[v]) if v in row else "" for v in sol.variables)
                  for row in sol.rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(sol.variables)
        for row in sol.rows:
            writer.writerow([_cell(row.get(v)) for v in sol.variables])
        return buf.getvalue()
    return _table(sol.variables, [[_cell(row.get(v)) for v in sol.variables] for row in sol.rows])


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _table(headers: Sequence[str], rows: list[list[str]]) -> str:
    # Control characters would break the grid (and could drive a terminal); show them escaped.
    def clean(s: str) -> str:
        return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)
    cells = [[clean(c) for c in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [line, "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
           line]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
            for r in cells]
    out.append(line)
    out.append(f"{len(rows)} row(s)")
    return "\n".join(out) + "\n"


def make_transport(client: httpx.Client, retries: int, secrets: tuple[str, ...]) -> HttpTransport:
    return HttpTransport(client, retries=retries, secrets=secrets)
