"""Inputs on object storage (``s3://bucket/key.jsonl``, a prefix ``s3://bucket/in/``), read
through fsspec.

fsspec and the protocol's package (s3fs for S3) are the ``storage`` extra, imported here only
when a URL names such storage: the base install and local paths never load them. A prefix is
a folder: its objects are listed and sorted as a local folder's files are (by path segments,
names starting with ``.`` left out), ``.gz`` is undone and tar archives read member by member,
as locally. The labels are the URLs as the user spelled them, so reports name the objects.

Configuration is fsspec's and the protocol package's own; for S3 that is botocore's
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``, ``AWS_PROFILE``,
``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_S3``, the shared config and
credentials files) and fsspec's (``FSSPEC_S3_<ARGUMENT>`` environment variables and files in
``~/.config/fsspec/`` give S3FileSystem's arguments, e.g. ``FSSPEC_S3_ENDPOINT_URL``,
``FSSPEC_S3_ANON=true``). Nothing is passed from ld-publish: what works for fsspec works here,
on the workers of a cluster too (each reads its own environment).

Errors name the URL and say what to do: a missing object or bucket is an
:class:`~ld_publish.errors.InputError` (exit 2, as a missing file), so are a refused request
and missing credentials; a protocol whose package is not installed is a
:class:`~ld_publish.errors.UsageError` (exit 2) with the ``pip install`` that gives it.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Any, BinaryIO

from .byte_streams import maybe_gunzip
from .errors import InputError, Location, OutputError, UsageError
from .sources import HEAD_BYTES, InputSource, tar_sources

__all__ = ["check_exists", "exists", "expand", "filesystem", "is_tar", "object_size", "objects",
           "open_object", "read_range", "remove", "source", "writing"]

# The exceptions of these libraries (and OSError) are the storage's, not ld-publish's bugs:
# the client's own (botocore's missing credentials, aiohttp's refused connection) are not
# OSErrors.
_STORAGE_LIBRARIES = frozenset({"fsspec", "s3fs", "botocore", "aiobotocore", "aiohttp",
                                "gcsfs", "google", "adlfs", "azure", "requests", "urllib3"})
_TAR_NAMES = (".tar", ".tar.gz", ".tgz")


def _protocol(url: str) -> str:
    return url.partition("://")[0].lower()


def filesystem(url: str, what: str = "input") -> tuple[Any, str]:
    """The fsspec file system of ``url`` and the path on it; a usage error (exit 2) naming
    ``what`` it is when fsspec or the protocol's package is not installed, or the protocol is
    unknown."""
    protocol = _protocol(url)
    try:
        import fsspec
    except ImportError:
        raise UsageError(f"{what} {url!r}: object storage needs fsspec, which is not "
                         "installed", hint=f"install it: {_install_hint(protocol)}") from None
    try:
        fsspec.get_filesystem_class(protocol)
    except ValueError:
        raise UsageError(f"{what} {url!r}: fsspec knows no storage protocol {protocol}://",
                         hint="check the URL (s3://BUCKET/KEY; a prefix ending in / for a "
                              "folder of objects)") from None
    except ImportError:
        raise UsageError(f"{what} {url!r}: the storage protocol {protocol}:// needs a package "
                         "that is not installed",
                         hint=f"install it: {_install_hint(protocol)}") from None
    with _translated(url):
        fs, path = fsspec.core.url_to_fs(url)
    return fs, path


def _install_hint(protocol: str) -> str:
    if protocol in ("s3", "s3a"):
        return "pip install 'ld-publish[storage]' (fsspec and s3fs)"
    try:
        from fsspec.registry import known_implementations
    except ImportError:
        return "pip install 'ld-publish[storage]', and fsspec's package for the protocol"
    known = known_implementations.get(protocol)
    if known is None:
        return "pip install fsspec and the package that implements the protocol"
    return f"pip install {known['class'].partition('.')[0]}"


def _is_storage_error(exc: BaseException) -> bool:
    return (isinstance(exc, OSError)
            or type(exc).__module__.partition(".")[0] in _STORAGE_LIBRARIES)


@contextmanager
def _translated(url: str, writing: bool = False) -> Iterator[None]:
    """The storage's errors as :class:`InputError` naming ``url``, with what to do (as
    :class:`OutputError` when ``writing``: a work folder that cannot be written is no
    input's fault)."""
    try:
        yield
    except Exception as exc:
        if not _is_storage_error(exc):
            raise
        raise _storage_error(url, exc, writing) from None


def _storage_error(url: str, exc: BaseException, writing: bool = False
                   ) -> InputError | OutputError:
    kind = OutputError if writing else InputError
    where = Location(file=url)
    detail = str(exc) or type(exc).__name__
    s3 = _protocol(url) in ("s3", "s3a")
    if isinstance(exc, FileNotFoundError):
        what = "no such bucket" if "bucket" in detail.lower() else "no such object or prefix"
        return kind(f"{url}: {what}", where=where, hint=(
            "check the URL (s3://BUCKET/KEY, or s3://BUCKET/PREFIX/ for the objects under a "
            "prefix) and the endpoint it is looked up at (AWS_ENDPOINT_URL)" if s3 else
            "check the URL and the storage's configuration"))
    if "Credentials" in type(exc).__name__:
        return kind(f"{url}: no credentials found for {_protocol(url)}://", where=where,
                    hint=_CREDENTIALS_S3 if s3 else _CREDENTIALS)
    if isinstance(exc, PermissionError):
        may = "write, list and delete objects there" if writing else "read (and list) it"
        return kind(f"{url}: access denied ({detail})", where=where,
                    hint=f"check the credentials and that they may {may}; "
                         + (_CREDENTIALS_S3 if s3 else _CREDENTIALS))
    return kind(f"cannot {'write' if writing else 'read'} {url}: {detail}", where=where,
                hint="check the endpoint (AWS_ENDPOINT_URL) and the network"
                if s3 else "check the storage's configuration and the network")


_CREDENTIALS_S3 = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or "
                   "FSSPEC_S3_ANON=true for a public bucket; on a cluster, on every worker too")
_CREDENTIALS = "configure them as the protocol's fsspec package reads them"


def check_exists(url: str) -> None:
    """Fail (as a missing file does) when ``url`` names no object, prefix or bucket."""
    fs, path = filesystem(url)
    with _translated(url):
        fs.info(path)


def objects(url: str) -> tuple[list[tuple[str, int]], bool]:
    """The objects ``url`` names, as (URL, size), and whether it is a folder (a prefix or a
    bucket): then every object below it, sorted as a local folder's files are."""
    fs, path = filesystem(url)
    with _translated(url):
        info = fs.info(path)
        if info.get("type") != "directory":
            return [(url, int(info.get("size") or 0))], False
        found = fs.find(path, detail=True)
    root, base = path.rstrip("/"), url.rstrip("/")
    files: list[tuple[tuple[str, ...], int]] = []
    for key, meta in found.items():
        # Only what lies under the prefix as a folder ("in/", not "inbox.jsonl"); directory
        # markers (keys ending in /) and hidden files are no files of the folder.
        relative = key[len(root) + 1:] if key.startswith(root + "/") else ""
        if (meta.get("type") != "file" or not relative or relative.endswith("/")
                or relative.rsplit("/", 1)[-1].startswith(".")):
            continue
        files.append((tuple(relative.split("/")), int(meta.get("size") or 0)))
    # As sorted(Path) orders a local folder's files: segment by segment.
    files.sort()
    return [(f"{base}/{'/'.join(parts)}", size) for parts, size in files], True


def exists(url: str) -> bool:
    """Whether ``url`` names an object, prefix or bucket (other errors are raised)."""
    fs, path = filesystem(url)
    with _translated(url):
        try:
            fs.info(path)
        except FileNotFoundError:
            return False
    return True


def object_size(url: str) -> int:
    fs, path = filesystem(url)
    with _translated(url):
        return int(fs.size(path))


def read_range(url: str, start: int, end: int) -> bytes:
    """Bytes ``start`` to ``end`` of an object, in one ranged request."""
    if end <= start:
        return b""
    fs, path = filesystem(url)
    with _translated(url):
        data: bytes = fs.cat_file(path, start=start, end=end)
    return data


def open_object(url: str, block_size: int | None = None) -> BinaryIO:
    """The object's raw bytes as a seekable stream; ``block_size`` (default: the file
    system's, e.g. s3fs's 50 MiB) is what each request fetches."""
    fs, path = filesystem(url)
    with _translated(url):
        file = fs.open(path, "rb", block_size=block_size)
    return io.BufferedReader(_Stream(file, url), 1 << 16)  # type: ignore[return-value]


class _Stream(io.RawIOBase):
    """An fsspec file whose storage errors surface as OSError naming the URL: what the
    callers of a local file's reads already handle."""

    def __init__(self, file: Any, url: str) -> None:
        self._file = file
        self._url = url

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        with self._as_oserror():
            data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        with self._as_oserror():
            return int(self._file.seek(offset, whence))

    def tell(self) -> int:
        return int(self._file.tell())

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            super().close()

    @contextmanager
    def _as_oserror(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if not _is_storage_error(exc):
                raise
            raise OSError(_storage_error(self._url, exc).message) from None


def is_tar(url: str) -> bool:
    """Whether the object is read as a tar archive of sources (as a local file would be)."""
    if not url.rsplit("/", 1)[-1].endswith(_TAR_NAMES):
        return False
    try:
        # Small blocks: the first member's header is all that is looked at.
        with open_object(url, HEAD_BYTES) as stream:
            return tarfile.is_tarfile(stream)
    except OSError:
        return False


def source(url: str, size: int | None = None, in_folder: bool = False) -> InputSource:
    """The object as a source; its first bytes (what readers sniff) in small blocks."""
    return InputSource(url, lambda: maybe_gunzip(open_object(url)), size, in_folder,
                       head_opener=lambda: maybe_gunzip(open_object(url, HEAD_BYTES)))


def expand(url: str) -> Iterator[InputSource]:
    """The sources of an object or prefix, as :func:`ld_publish.sources.expand` gives a
    file's or folder's."""
    found, folder = objects(url)
    if folder and not found:
        raise InputError(f"folder {url} holds no files", where=Location(file=url))
    for item, size in found:
        if is_tar(item):
            yield from tar_sources(item, item)
        else:
            yield replace(source(item, size), in_folder=folder)


@contextmanager
def writing(url: str) -> Iterator[BinaryIO]:
    """A new object, there whole once the block ends and not at all if it fails: an upload
    is published when it completes, so no temporary name and rename is needed (a killed
    writer's multipart upload is never completed; one that fails is aborted)."""
    fs, path = filesystem(url)
    with _translated(url, writing=True):
        file = fs.open(path, "wb")
    try:
        yield file
    except BaseException:
        with _translated(url, writing=True):
            file.discard()
        file.closed = True  # nothing is committed when the file is let go of
        raise
    with _translated(url, writing=True):
        file.close()


def remove(url: str, recursive: bool = False) -> None:
    """Remove an object (or, ``recursive``, every object under a prefix); none there is
    fine."""
    fs, path = filesystem(url)
    with _translated(url, writing=True), suppress(FileNotFoundError):
        fs.rm(path, recursive=recursive)
