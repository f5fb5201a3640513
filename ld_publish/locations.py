"""Inputs and output folders given as URLs (``file:///data/in.jsonl``): fsspec's spelling.

Cluster users name shared storage by URL. ld-publish reads and writes through a POSIX file
system (atomic renames, a folder lock, modification times), so a URL whose fsspec file system
is this machine's (``file://``, ``local://``) is taken as its path, and any other protocol is
refused before anything is read or written, with the way that works today: mounting the
storage (s3fs-fuse, gcsfuse, blobfuse, NFS) and giving the mount's path.
"""

from __future__ import annotations

import re

from .errors import UsageError

__all__ = ["local_path", "local_paths"]

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def local_path(location: str, what: str) -> str:
    """``location`` as a path of this machine's file system (a path is returned as it is)."""
    match = _URL.match(location)
    if match is None:
        return location
    protocol = match.group(1).lower()
    if protocol in ("file", "local"):
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            raise UsageError(f"{what} {location!r}: a file URL of another machine "
                             f"({parts.netloc})", hint="use file:///PATH for this machine's "
                             "files (a shared file system mounted at the same path)")
        return unquote(parts.path)
    raise UsageError(f"{what} {location!r}: the storage protocol {protocol}:// is not supported "
                     "yet: ld-publish reads and writes through a file system",
                     hint="mount the storage (s3fs-fuse, gcsfuse, blobfuse, NFS, ...) on every "
                          "machine at the same path and give that path, or a file:// URL")


def local_paths(locations: list[str], what: str) -> list[str]:
    # The Python API also takes InputSource objects (streams): those pass as they are.
    return [local_path(item, what) if isinstance(item, str) else item for item in locations]
