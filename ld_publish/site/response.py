"""What the site server answers: a status, headers and a body, built apart from the socket so
that every route is a plain function of the request."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Response", "error_page", "text"]


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: The body, or a file to send (site files such as dataset.nq.gz can be large).
    body: bytes | Path = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def text(status: int, message: str, *headers: tuple[str, str]) -> Response:
    """A short plain-text answer (errors of the SPARQL endpoint, 406 lists)."""
    return Response(status, [("Content-Type", "text/plain; charset=utf-8"), *headers],
                    (message.rstrip("\n") + "\n").encode("utf-8"))


def error_page(status: int, title: str, message: str, links: list[tuple[str, str]] | None = None,
               *headers: tuple[str, str]) -> Response:
    """A small HTML page for a person who followed a bad link: what went wrong, where to go."""
    items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>'
                    for href, label in links or [])
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{status} {html.escape(title)}</title></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
            f"{'<ul>' + items + '</ul>' if items else ''}</body></html>\n")
    return Response(status, [("Content-Type", "text/html; charset=utf-8"), *headers],
                    page.encode("utf-8"))
