"""Input sources: files, folders, tar archives, gzip, and standard input, as uniform byte streams.

An :class:`InputSource` is something a reader can open as bytes, with a label for messages.
:func:`expand` turns what the user named on the command line into sources: a folder becomes its
files (sorted, so runs are deterministic), a tar archive its members, ``-`` standard input.
Gzip is undone transparently. Nothing here parses records.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import os
import re
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .byte_streams import GZIP_MAGIC, Prefixed, maybe_gunzip
from .errors import InputError, Location
from .limits import active
from .locations import is_remote, open_bytes

__all__ = ["HEAD_BYTES", "UNDECODABLE_HINT", "Input", "InputSource", "Line", "LineFault",
           "check_exist", "decode_text", "expand", "files_of", "is_tar", "tar_members",
           "tar_sources"]

UNDECODABLE_HINT = ("the record was written in another encoding (often Latin-1 or Windows-1252); "
                    "convert it to UTF-8 (e.g. iconv -f LATIN1 -t UTF-8) or retype the character")

#: How much of a line past the record-bytes limit is kept, to show in the quarantine.
_PREVIEW_BYTES = 400

HEAD_BYTES = 64 * 1024


@dataclass
class InputSource:
    """A named byte stream. ``opener`` returns a fresh binary stream each time it is called."""

    label: str
    opener: Callable[[], BinaryIO]
    size: int | None = None
    #: Found by walking a folder the user named (not named itself): a file there that no
    #: reader recognises is skipped with a note instead of failing.
    in_folder: bool = False
    #: Opens the source for its first 64 KiB when that is cheaper than ``opener`` (an object
    #: on remote storage read in small blocks rather than the storage's large ones).
    head_opener: Callable[[], BinaryIO] | None = field(default=None, repr=False)
    _head: bytes | None = field(default=None, repr=False)
    _digest: str | None = field(default=None, repr=False)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> InputSource:
        p = Path(path)
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise InputError(f"cannot read {p}: {exc.strerror}",
                             hint="check the path and its permissions",
                             where=Location(file=str(p))) from None
        return cls(str(p), lambda: maybe_gunzip(open(p, "rb")), size)

    @classmethod
    def from_bytes(cls, label: str, data: bytes) -> InputSource:
        return cls(label, lambda: maybe_gunzip(io.BytesIO(data)), len(data))

    @property
    def name(self) -> str:
        """The file name without folders and compression suffix, for format detection."""
        base = self.label.rsplit("/", 1)[-1]
        return base[:-3] if base.endswith(".gz") else base

    def open(self, opener: Callable[[], BinaryIO] | None = None) -> BinaryIO:
        try:
            return (opener or self.opener)()
        except OSError as exc:
            raise InputError(f"cannot read {self.label}: {exc}",
                             where=Location(file=self.label)) from None

    def head(self) -> bytes:
        """The first 64 KiB (decompressed), cached; what readers sniff."""
        if self._head is None:
            with self.open(self.head_opener) as stream:
                try:
                    self._head = stream.read(HEAD_BYTES)
                except (OSError, EOFError, gzip.BadGzipFile) as exc:
                    raise InputError(f"cannot read {self.label}: {exc}",
                                     hint="the file looks damaged or is not what it claims",
                                     where=Location(file=self.label)) from None
        return self._head

    def digest(self) -> str:
        """SHA-256 (hex) of the content (decompressed), read once in blocks and cached: what
        provenance names the source by, wherever the file lies."""
        if self._digest is None:
            sha = hashlib.sha256()
            with self.open() as stream:
                try:
                    while block := stream.read(1 << 20):
                        sha.update(block)
                except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
                    raise InputError(f"cannot read {self.label}: {exc}",
                                     hint="the file looks damaged or is not what it claims",
                                     where=Location(file=self.label)) from None
            self._digest = sha.hexdigest()
        return self._digest

    def read_bytes(self, scale: int = 1) -> bytes:
        """The whole content (formats read as one document), refusing more than the run's
        document-bytes limit (``scale`` times it, for formats whose documents are lists)."""
        limit = active().document_bytes * scale
        with self.open() as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            times = f"{scale} × " if scale != 1 else ""
            raise InputError(
                f"{self.label} is larger than {times}the limit "
                f"{active().describe('document_bytes')} bytes ({limit / 2**20:,.3g} MiB) for "
                "a file read as one document",
                hint="split the input into smaller files, use a line-based format (jsonl), or "
                     "raise the limit with --limit document-bytes=N",
                where=Location(file=self.label))
        return data

    def read_text(self, scale: int = 1) -> str:
        return decode_text(self.read_bytes(scale), self.label)

    def text_lines(self) -> Iterator[tuple[int, str]]:
        """Decoded lines with 1-based line numbers, streamed; an undecodable line fails the
        whole source (for callers that cannot quarantine a line alone)."""
        for line in self.lines():
            if line.error is not None:
                raise InputError(f"{self.label}: line {line.number} is {line.error.reason}",
                                 hint=line.error.hint,
                                 where=Location(file=self.label, line=line.number))
            yield line.number, line.text

    def lines(self) -> Iterator[Line]:
        """Lines with 1-based numbers, streamed (for line-based formats), each decoded on its
        own: one line in another encoding spoils only itself, so a reader can quarantine the
        record that holds it and read on. Line ends (LF, CRLF, CR) are kept, as in text mode.

        UTF-8 (with or without BOM) is decoded line by line; UTF-16/32, which only a BOM
        announces, cannot be cut at newline bytes and is decoded as one stream, so a bad
        sequence there fails the source.

        No line is held in memory past the run's record-bytes limit: a longer one is read
        past in pieces and comes out with a :class:`LineFault` and only its start as text.
        """
        limit = active().record_bytes
        stream = self.open()
        try:
            head = stream.read(4)
            encoding = _bom_encoding(head)
            rest = io.BufferedReader(Prefixed(head, stream))  # type: ignore[type-var]
            if encoding in ("utf-16", "utf-32"):
                yield from self._wide_lines(rest, encoding)
                return
            number = 0
            first = True
            while raw := rest.readline(limit + 1):
                if len(raw) > limit and not raw.endswith(b"\n"):
                    number += 1
                    yield _too_long(number, raw, _read_past_line(rest))
                    first = False
                    continue
                if first:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                    first = False
                for piece in _CR_SPLIT.split(raw) if b"\r" in raw else (raw,):
                    if not piece:
                        continue
                    number += 1
                    try:
                        yield Line(number, piece.decode("utf-8"))
                    except UnicodeDecodeError as exc:
                        yield Line(number, piece.decode("utf-8", "replace"), LineFault(
                            f"not valid UTF-8 text ({exc.reason} at byte {exc.start + 1} of "
                            f"the line (0x{piece[exc.start]:02X}))", UNDECODABLE_HINT))
        finally:
            stream.close()

    def _wide_lines(self, stream: BinaryIO, encoding: str) -> Iterator[Line]:
        reader = codecs.getreader(encoding)(stream, "strict")
        number = 0
        try:
            for number, text in enumerate(reader, 1):
                yield Line(number, text)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.label} is not valid {encoding.upper()} text after line {number}: "
                f"{exc.reason}", hint="convert the file to UTF-8 (e.g. iconv -t UTF-8)",
                where=Location(file=self.label, line=number + 1)) from None
        # The stream reader keeps bytes that end in the middle of a character and says
        # nothing: a file cut short would lose its end silently.
        if getattr(reader, "bytebuffer", b""):
            raise InputError(
                f"{self.label} is not valid {encoding.upper()} text: it ends in the middle of "
                f"a character (after line {number})", hint="the file was cut short; convert "
                "or export it again (UTF-8 is safest)",
                where=Location(file=self.label, line=number + 1))


class LineFault(NamedTuple):
    """Why a line cannot be read as a record's text: ``reason`` completes "line N is ..."."""

    reason: str
    hint: str


class Line(NamedTuple):
    """One line of a source: its number, its text with the line end, and, when the line
    cannot be read, why (``text`` then holds U+FFFD where bad bytes were, or only the start
    of a line past the record-bytes limit)."""

    number: int
    text: str
    error: LineFault | None = None


def _read_past_line(stream: BinaryIO) -> int:
    """Read to the end of the current line in bounded pieces; how many bytes that was."""
    skipped = 0
    while piece := stream.readline(1 << 20):
        skipped += len(piece)
        if piece.endswith(b"\n"):
            break
    return skipped


def _too_long(number: int, start: bytes, rest: int) -> Line:
    size = len(start) + rest
    text = start[:_PREVIEW_BYTES].decode("utf-8", "replace") + " …"
    return Line(number, text, LineFault(
        f"{size:,} bytes long, past the limit {active().describe('record_bytes')} bytes",
        "a record this large is broken or hostile; if it is genuine, raise the limit with "
        f"--limit record-bytes=N (N > {size:,})"))


# A lone CR ends a line too (old Mac files); CRLF stays one line end.
_CR_SPLIT = re.compile(rb"(?<=\r)(?!\n)")


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def decode_text(data: bytes, label: str) -> str:
    """UTF-8 (or a BOM-declared UTF-16/32) to str; a clear error naming the byte offset if not."""
    encoding = _bom_encoding(data[:4]) or "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{label} is not valid {encoding.upper()} text at byte {exc.start} (line {line})",
            hint="convert the file to UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)",
            where=Location(file=label, line=line)) from None
    return text.lstrip("\ufeff")


def _stdin_source() -> InputSource:
    # Standard input can be read only once; spool it so readers can sniff and then read.
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    while chunk := sys.stdin.buffer.read(1024 * 1024):
        spool.write(chunk)
    size = spool.tell()

    def opener() -> BinaryIO:
        spool.seek(0)
        data = spool.read()
        return maybe_gunzip(io.BytesIO(data))

    return InputSource("<stdin>", opener, size)


def tar_members(archive: Path | str, label: str, start: int = 0, stop: int | None = None,
                offset: int = 0) -> Iterator[tuple[InputSource, int]]:
    """Members in archive order, read in one sequential pass (a compressed tar cannot seek):
    only the current member is held in memory. With each, where a later pass may start
    reading at it (the byte offset of its header in an uncompressed archive; else 0).

    ``archive`` is a path or an object's URL, ``label`` names it in the members' labels;
    ``start`` and ``stop`` pick members by their number among the members read (a cluster
    partition), ``offset`` is where member ``start`` begins (0: read from the start)."""
    where = Location(file=label)
    try:
        with open_bytes(str(archive)) as stream:
            if offset:
                stream.seek(offset)
                seekable = True
            else:
                seekable = not stream.read(6).startswith(_COMPRESSED)
                stream.seek(0)
            # From an offset the archive is known to be plain: its bytes there are a header.
            with tarfile.open(fileobj=stream, mode="r|" if offset else "r|*") as tar:
                number = start - 1 if offset else -1
                for member in tar:
                    if not _wanted(member):
                        continue
                    number += 1
                    if number < start:
                        continue
                    if stop is not None and number >= stop:
                        return
                    extracted = tar.extractfile(member)
                    if extracted is not None:
                        data = extracted.read()
                        # A global pax header changes the members after it: start at none.
                        at = offset + member.offset if seekable and not tar.pax_headers else 0
                        yield InputSource.from_bytes(f"{label}!{member.name}", data), at
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise InputError(f"cannot read the archive {label}: {exc}",
                         hint="the archive is damaged or truncated", where=where) from None


# The first bytes of the compressions tarfile undoes (gzip, bzip2, xz).
_COMPRESSED = (GZIP_MAGIC, b"BZh", b"\xfd7zXZ")


def tar_sources(archive: Path | str, label: str, start: int = 0, stop: int | None = None,
                offset: int = 0) -> Iterator[InputSource]:
    """The members of :func:`tar_members` without their offsets."""
    for member, _ in tar_members(archive, label, start, stop, offset):
        yield member


def _wanted(member: tarfile.TarInfo) -> bool:
    return member.isfile() and not member.name.rsplit("/", 1)[-1].startswith(".")


def is_tar(location: Path | str) -> bool:
    """Whether :func:`expand` reads ``location`` (a path or an object's URL) as a tar archive
    of sources."""
    if is_remote(location):
        from .remote import is_tar as remote_tar

        return remote_tar(str(location))
    path = Path(location)
    if not path.name.endswith((".tar", ".tar.gz", ".tgz")):
        return False
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


#: What a run reads: paths as the user named them (``-`` is standard input), or sources already
#: opened (a caller that looked at a source before deciding how to read it).
Input = str | InputSource


def check_exist(inputs: Sequence[Input]) -> None:
    """Fail before any work when a named input does not exist."""
    for item in inputs:
        if is_remote(item):
            from .remote import check_exists

            check_exists(str(item))
        elif isinstance(item, str) and item != "-" and not Path(item).exists():
            raise InputError(f"{item}: no such file or folder",
                             hint="check the path; use - to read standard input",
                             where=Location(file=item))


def files_of(item: str) -> list[Path] | None:
    """The plain files ``item`` names (a file, or a folder's files, sorted); ``None`` for
    standard input or an archive, which are read as streams."""
    if item == "-":
        return None
    path = Path(item)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return None if is_tar(path) else [path]


def expand(inputs: Sequence[Input]) -> Iterator[InputSource]:
    """Sources for the paths the user named, lazily and in a deterministic order."""
    for item in inputs:
        if isinstance(item, InputSource):
            yield item
            continue
        if item == "-":
            yield _stdin_source()
            continue
        if is_remote(item):
            from . import remote

            yield from remote.expand(item)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not files:
                raise InputError(f"folder {path} holds no files", where=Location(file=str(path)))
            for file in files:
                if is_tar(file):
                    yield from tar_sources(file, str(file))
                else:
                    yield replace(InputSource.from_path(file), in_folder=True)
        elif path.exists():
            if is_tar(path):
                yield from tar_sources(path, str(path))
            else:
                yield InputSource.from_path(path)
        else:
            raise InputError(f"{item}: no such file or folder",
                             hint="check the path; use - to read standard input",
                             where=Location(file=item))
