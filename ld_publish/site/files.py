"""Finding the file a request names inside a site folder, and never one outside it.

A request path is decoded once (as web servers do, and as the site was written: see
:mod:`ld_publish.site.paths`), then checked segment by segment before it touches the file
system: no ``..`` or ``.`` segment, no empty segment in the middle (``//etc``), no NUL or
backslash, no hidden file. The resolved path (symbolic links followed) must still lie inside
the folder, so a link pointing out of the site is not followed.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote

__all__ = ["BadPath", "content_type", "decode_path", "site_file"]

#: Media types of the files a site holds; text types say UTF-8, which is what `site` writes.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    # Served as the compressed file it is: a `Content-Encoding: gzip` answer would make clients
    # unpack it on the fly and save N-Quads under a .gz name.
    ".gz": "application/gzip",
}
_ALLOWED_HIDDEN = (".well-known",)
#: The build's own files at the top of the folder, not for the web (report.json names local
#: paths); the generated Apache and nginx configurations deny them too. Hidden files (the lock,
#: temporaries, .htaccess) are refused with every other hidden name.
_BUILD_FILES = ("report.json", "nginx.conf")


class BadPath(ValueError):
    """The request path cannot name a file of the site (answered 400)."""


def content_type(path: Path) -> str:
    known = _TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def decode_path(raw: str) -> str:
    """The decoded form of a request path (query cut already), or :class:`BadPath` when the
    decoding is not UTF-8 or holds characters no file of a site has."""
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadPath("the path is not percent-encoded UTF-8") from None
    if "\x00" in decoded or "\\" in decoded:
        raise BadPath("the path holds a NUL or a backslash")
    return decoded


def _segments(decoded: str, allow_hidden: bool) -> list[str] | None:
    parts = decoded.split("/")
    # One leading slash (the path is absolute in the request) and one trailing (a folder).
    if parts and parts[0] == "":
        parts = parts[1:]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    for part in parts:
        if part in ("", ".", ".."):
            return None
        if part.startswith(".") and not allow_hidden and part not in _ALLOWED_HIDDEN:
            return None
    return parts


def site_file(folder: Path, decoded: str, allow_hidden: bool = False) -> Path | None:
    """The regular file of ``folder`` that the decoded request path ``decoded`` (relative to
    the site's base) names, ``index.html`` for a folder; ``None`` when there is none or the
    path would leave the folder. ``folder`` must be resolved already. Hidden names are refused
    unless ``allow_hidden`` (a path the manifest gives may start a segment with a dot)."""
    parts = _segments(decoded, allow_hidden)
    if parts is None or (not allow_hidden and len(parts) == 1 and parts[0] in _BUILD_FILES):
        return None
    candidate = folder.joinpath(*parts) if parts else folder
    try:
        real = Path(os.path.realpath(candidate))
        if real.is_dir():
            real = Path(os.path.realpath(real / "index.html"))
        if not real.is_file():
            return None
    except (OSError, ValueError):
        return None
    if real != folder and folder not in real.parents:
        return None
    return real
