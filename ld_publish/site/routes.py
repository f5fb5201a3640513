"""What the site answers at each path: the layout contract of docs/decisions/0007-publishing.md.

A record page (``{base}work/KEY``) is answered 200 with the negotiated document, ``Vary:
Accept`` and ``Content-Location``; every other minted IRI with 303 See Other to the negotiated
document; a document (``P.ttl``) or any other file of the site with 200 and its media type;
``/sparql`` by the SPARQL endpoint. Redirects and ``Content-Location`` are relative to the
request, so a site built for ``https://journal.example/`` can be previewed on loopback.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from .files import BadPath, content_type, decode_path, site_file
from .negotiate import negotiate
from .paths import DOCUMENT_FORMATS, Entry, Manifest
from .response import Response, error_page, text
from .sparql import Endpoint, parse_request

__all__ = ["Request", "Site"]

_MEDIA = [media for _, media in DOCUMENT_FORMATS]
#: ``?format=`` values: the extension without its dot.
_BY_NAME = {ext.lstrip("."): (ext, media) for ext, media in DOCUMENT_FORMATS}


@dataclass
class Request:
    method: str
    target: str  # the request-target as sent: origin form, or absolute form from a proxy
    accept: str | None = None
    content_type: str | None = None
    body: bytes = b""


def _media_header(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


class Site:
    """A site folder (and optionally a SPARQL endpoint) answering requests."""

    def __init__(self, folder: Path, manifest: Manifest, endpoint: Endpoint | None) -> None:
        self.folder = folder.resolve()
        self.manifest = manifest
        self.endpoint = endpoint
        prefix = urlsplit(manifest.base).path or "/"
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"

    def respond(self, request: Request) -> Response:
        target = request.target
        if not target.startswith("/"):
            # Absolute form (RFC 9112 3.2.2): only its path and query concern us.
            parts = urlsplit(target)
            if not parts.scheme or not parts.path.startswith("/"):
                return text(400, "the request target is not a path")
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        path = path.partition("#")[0]
        if path == self.prefix + "sparql":
            return self._sparql(request, query)
        if request.method not in ("GET", "HEAD"):
            allow = "GET, HEAD"
            return error_page(405, "Method not allowed",
                              f"{request.method} is not answered here; pages are read with GET.",
                              None, ("Allow", allow))
        if path + "/" == self.prefix:
            return Response(301, [("Location", self.prefix)])
        if not path.startswith(self.prefix):
            return self._not_found(path)
        rel = path[len(self.prefix):]
        entry = self.manifest.lookup(rel)
        if entry is not None:
            return self._negotiated(entry, path, request.accept, query)
        for ext, media in DOCUMENT_FORMATS:
            if rel.endswith(ext):
                owner = self.manifest.lookup(rel[: -len(ext)])
                if owner is not None:
                    return self._document(owner, ext, media)
        try:
            decoded = decode_path(rel)
        except BadPath as e:
            return text(400, f"bad request path: {e}")
        found = site_file(self.folder, decoded)
        if found is None:
            return self._not_found(path)
        return Response(200, [("Content-Type", content_type(found))], found)

    def _format_override(self, query: str) -> tuple[str, str] | Response | None:
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            if name == "format":
                if value in _BY_NAME:
                    return _BY_NAME[value]
                return text(400, f"unknown format {value!r}; use one of "
                                 f"{', '.join(_BY_NAME)}")
        return None

    def _negotiated(self, entry: Entry, path: str, accept: str | None, query: str) -> Response:
        override = self._format_override(query)
        if isinstance(override, Response):
            return override
        if override is not None:
            ext, media = override
        else:
            chosen = negotiate(accept, _MEDIA)
            if chosen is None:
                lines = [f"{media}  {path}{ext}" for ext, media in DOCUMENT_FORMATS]
                return text(406, "none of the types in the Accept header is available here; "
                                 "this resource has:\n" + "\n".join(lines), ("Vary", "Accept"))
            ext = next(e for e, m in DOCUMENT_FORMATS if m == chosen)
            media = chosen
        location = quote(path + ext, safe="/%:@!$&'()*+,;=-._~")
        if entry.kind == "resource":
            body = f'See <a href="{html.escape(location)}">{html.escape(location)}</a>\n'
            return Response(303, [("Location", location), ("Vary", "Accept"),
                                  ("Content-Type", "text/html; charset=utf-8")],
                            body.encode("utf-8"))
        answer = self._document(entry, ext, media)
        if answer.status == 200:
            answer.headers += [("Vary", "Accept"), ("Content-Location", location)]
        return answer

    def _document(self, entry: Entry, ext: str, media: str) -> Response:
        found = site_file(self.folder, entry.path + ext, allow_hidden=True)
        if found is None:
            return error_page(404, "Document missing",
                              f"The site lists this resource but its {ext} document is not "
                              "in the folder; rebuild the site with `ld-publish site`.")
        return Response(200, [("Content-Type", _media_header(media))], found)

    def _sparql(self, request: Request, query: str) -> Response:
        if request.method not in ("GET", "HEAD", "POST"):
            return error_page(405, "Method not allowed",
                              "The SPARQL endpoint takes GET and POST.", None,
                              ("Allow", "GET, HEAD, POST"))
        if self.endpoint is None:
            return text(503, "this server has no store to query: start it with --store PATH, "
                             "or build the site with its dataset.nq.gz")
        parsed = parse_request(request.method, query, request.content_type, request.body)
        if parsed is None:
            return self._query_form()
        if isinstance(parsed, Response):
            return parsed
        return self.endpoint.answer(parsed, request.accept)

    def _query_form(self) -> Response:
        action = html.escape(self.prefix + "sparql")
        example = ("SELECT ?work ?title WHERE {\n  ?work <http://schema.org/name> ?title\n} "
                   "LIMIT 10")
        page = (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>SPARQL endpoint</title></head><body><h1>SPARQL endpoint</h1>"
            "<p>SPARQL 1.1 Protocol, read-only. The default graph is the union of the record "
            "graphs. Results: SPARQL JSON, XML, CSV or TSV; Turtle, N-Triples, JSON-LD or "
            "RDF/XML for CONSTRUCT and DESCRIBE (by the Accept header).</p>"
            f'<form method="get" action="{action}"><textarea name="query" rows="8" cols="80">'
            f"{html.escape(example)}</textarea><br><button>Run</button></form>"
            "</body></html>\n")
        return Response(200, [("Content-Type", "text/html; charset=utf-8")],
                        page.encode("utf-8"))

    def _not_found(self, path: str) -> Response:
        home = self.prefix
        links = [(home, "the home page"), (home + "sitemap.xml", "the sitemap"),
                 (home + "void.ttl", "the dataset description (VoID)")]
        if self.endpoint is not None:
            links.append((home + "sparql", "the SPARQL endpoint"))
        return error_page(404, "Not found", f"Nothing is published at {path}.", links)
