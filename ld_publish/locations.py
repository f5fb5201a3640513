"""Where inputs and outputs are: paths, ``file://`` URLs, and object storage (``s3://...``).

Cluster users name shared storage by URL. A URL whose fsspec file system is this machine's
(``file://``, ``local://``) is taken as its path everywhere. Inputs may also be objects of
any other fsspec protocol (``s3://bucket/key.jsonl``, a prefix ``s3://bucket/records/`` as a
folder), read through :mod:`ld_publish.remote`; this module only tells them apart, so the base
install and local paths never import fsspec. Output folders stay on a file system: export and
site rest on a folder lock, atomic renames and modification times, which object stores do not
have, so an output URL of another protocol is refused before anything is written.

The byte-level helpers (:func:`open_bytes`, :func:`byte_range`, :func:`size_of`) take either
kind of location: what the cluster's partitions and the workers read through.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import BinaryIO, TypeVar, cast

from .errors import UsageError

__all__ = ["byte_range", "input_location", "input_locations", "is_remote", "local_path",
           "local_paths", "open_bytes", "size_of", "work_location"]

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_LOCAL = ("file", "local")
_T = TypeVar("_T")


def is_remote(location: object) -> bool:
    """Whether ``location`` is a URL of storage other than this machine's file system."""
    if not isinstance(location, str):
        return False
    match = _URL.match(location)
    return match is not None and match.group(1).lower() not in _LOCAL


def local_path(location: str, what: str) -> str:
    """``location`` as a path of this machine's file system (a path is returned as it is);
    for output folders, which must be on a file system."""
    match = _URL.match(location)
    if match is None:
        return location
    protocol = match.group(1).lower()
    if protocol in _LOCAL:
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            raise UsageError(f"{what} {location!r}: a file URL of another machine "
                             f"({parts.netloc})", hint="use file:///PATH for this machine's "
                             "files (a shared file system mounted at the same path)")
        return unquote(parts.path)
    raise UsageError(f"{what} {location!r}: the {what} cannot be on object storage "
                     f"({protocol}://): ld-publish writes it through a file system (in "
                     "place, with atomic renames, locks and modification times)",
                     hint="inputs may be on object storage; write the output to a local or "
                          "shared folder and upload it afterwards (e.g. aws s3 sync), or "
                          "mount the storage (s3fs-fuse, gcsfuse, ...) and give that path")


def local_paths(locations: list[str], what: str) -> list[str]:
    # The Python API also takes InputSource objects (streams): those pass as they are.
    return [local_path(item, what) if isinstance(item, str) else item for item in locations]


def input_location(location: str, what: str = "input") -> str:
    """An input as it is read: a path (``file://`` URLs made paths) or an object-storage URL,
    whose protocol is checked here (fsspec and its package installed) before any work."""
    if is_remote(location):
        from .remote import filesystem

        filesystem(location, what)
        return location
    return local_path(location, what)


def input_locations(locations: Sequence[_T], what: str = "input") -> list[_T]:
    # Streams (InputSource objects of the Python API) pass as they are.
    return [cast(_T, input_location(item, what)) if isinstance(item, str) else item
            for item in locations]


def work_location(location: str) -> str:
    """``--work-dir``: a path (``file://`` URLs made paths) or a prefix on object storage,
    where the workers of ``load --cluster`` hand their shards over (:mod:`.work_folder`)."""
    return input_location(location, "--work-dir")


def open_bytes(location: str, block_size: int | None = None) -> BinaryIO:
    """The raw bytes of a file or object (no gzip undone), seekable. ``block_size``: how
    much an object read fetches at a time (small for a few bytes here and there)."""
    if is_remote(location):
        from .remote import open_object

        return open_object(location, block_size)
    return open(location, "rb")


def byte_range(location: str, start: int, end: int) -> bytes:
    """The bytes ``start`` to ``end`` of a file or object (an object: one ranged request)."""
    if is_remote(location):
        from .remote import read_range

        return read_range(location, start, end)
    with open(location, "rb") as stream:
        stream.seek(start)
        return stream.read(end - start)


def size_of(location: str) -> int:
    if is_remote(location):
        from .remote import object_size

        return object_size(location)
    return os.path.getsize(location)
