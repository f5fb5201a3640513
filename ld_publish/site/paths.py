"""Where a minted IRI's documents live in a site folder, and how a request path finds them.

A site answers at every IRI minted under ``--base`` (which must end in ``/``). For an IRI
``{base}P`` (``P`` percent-encoded as the mapping minted it) the documents describing it are
``P.html``, ``P.ttl``, ``P.jsonld`` and ``P.nt`` under the site folder, at the *decoded* path:
web servers decode a request path before they look for a file, so ``work/10.1%2Fx`` is found
at ``work/10.1/x.ttl``. A decoded path that is unsafe on a file system (a ``..`` or empty
segment, a NUL, a segment too long) or that two IRIs share gets a path under ``_/`` instead,
and the web-server configuration names it explicitly. The manifest (``site.json``) lists every
IRI with its path; ``serve`` and incremental rebuilds read it.

Request paths are compared after RFC 3986 normalisation (section 6.2.2: hex digits in upper
case, percent-escapes of unreserved characters decoded), so ``%2f`` and ``%2F`` find the same
entry, and ``%7E`` and ``~``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from ..errors import InputError, Location

__all__ = ["DOCUMENT_FORMATS", "MANIFEST", "Entry", "Manifest", "file_path", "normalize",
           "safe_path"]

#: The documents written for every IRI, in the order content negotiation prefers them when the
#: client states no preference: (file extension, media type).
DOCUMENT_FORMATS: tuple[tuple[str, str], ...] = (
    (".html", "text/html"),
    (".ttl", "text/turtle"),
    (".jsonld", "application/ld+json"),
    (".nt", "application/n-triples"),
)

MANIFEST = "site.json"
_FORMAT = "ld-publish/site"
_VERSION = 1
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_SEGMENT_BYTES = 200  # file systems allow 255; room for the longest extension and a prefix


def normalize(path: str) -> str:
    """``path`` (a request path or IRI path, without scheme and host) in the form the manifest
    uses: hex digits upper case, escapes of unreserved characters decoded."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        if char.isascii() and (char.isalnum() or char in "-._~"):
            return char
        return "%" + match.group(1).upper()

    return _UNRESERVED.sub(fix, path)


def safe_path(iri_path: str) -> str | None:
    """The decoded, file-system-safe relative path for ``iri_path`` (the IRI after the base),
    or ``None`` when decoding gives a path that must not be written (dot or empty segments,
    NUL or backslash, a segment too long)."""
    decoded = unquote(iri_path, errors="strict") if "%" in iri_path else iri_path
    segments = decoded.split("/")
    for segment in segments:
        if segment in ("", ".", "..") or "\x00" in segment or "\\" in segment:
            return None
        if len(segment.encode("utf-8", "surrogatepass")) > _SEGMENT_BYTES:
            return None
    return decoded


def fallback_path(iri_path: str) -> str:
    """The path under ``_/`` for an IRI whose decoded path cannot be used."""
    return "_/" + hashlib.sha256(iri_path.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def file_path(iri_path: str, taken: set[str]) -> str:
    """The path to write ``iri_path``'s documents at (without extension): the decoded path
    when it is safe and no other IRI has it (``taken`` holds the case-folded paths given out
    so far, and is updated), else the fallback."""
    path = safe_path(iri_path)
    if path is None or path.casefold() in taken:
        path = fallback_path(iri_path)
    taken.add(path.casefold())
    return path


@dataclass(frozen=True, slots=True)
class Entry:
    """One IRI the site answers at.

    ``kind`` is ``"record"`` for a record's page (``{base}work/KEY``: an information resource
    about the record, answered with 200 and content negotiation) and ``"resource"`` for any
    other minted IRI (answered with 303 See Other to the negotiated document). ``path`` is where
    the documents are, without extension; ``digest`` the content hash they were written from
    (incremental rebuilds skip entries whose digest is unchanged)."""

    kind: Literal["record", "resource"]
    path: str
    digest: str


@dataclass
class Manifest:
    """``site.json``: the base, and every IRI path (normalised, after the base) with its entry."""

    base: str
    entries: dict[str, Entry] = field(default_factory=dict)
    title: str = ""
    #: The record pages whose documents are a merged work's (site/merging.py): a rebuild holds
    #: the first record's documents back until it knows whether the work is merged again.
    merged: set[str] = field(default_factory=set)

    def lookup(self, request_path: str) -> Entry | None:
        """The entry for a request path (``/work/10.1%2Fx``), query string and fragment cut."""
        path = request_path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
        return self.entries.get(normalize(path))

    def to_bytes(self) -> bytes:
        """The manifest as written to site.json (deterministic: entries sorted)."""
        data = {"format": _FORMAT, "version": _VERSION, "base": self.base, "title": self.title,
                "entries": {k: {"kind": e.kind, "path": e.path, "digest": e.digest}
                            for k, e in sorted(self.entries.items())}}
        if self.merged:  # (a site without merges keeps the manifest it always had)
            data["merged"] = sorted(self.merged)
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise InputError(f"{folder} is not a site folder: it has no {MANIFEST}",
                             hint="build one with `ld-publish site INPUT... -o DIR --base IRI`",
                             where=Location(file=str(folder))) from None
        except (OSError, ValueError) as exc:
            raise InputError(f"{path} cannot be read: {exc}",
                             hint="rebuild the site with `ld-publish site`",
                             where=Location(file=str(path))) from None
        if data.get("format") != _FORMAT or data.get("version") != _VERSION:
            raise InputError(f"{path} is not a version {_VERSION} ld-publish site manifest",
                             hint="rebuild the site with this version of ld-publish",
                             where=Location(file=str(path)))
        entries = {k: Entry(v["kind"], v["path"], v["digest"])
                   for k, v in data["entries"].items()}
        return cls(data["base"], entries, data.get("title", ""), set(data.get("merged", ())))
