"""Cutting a run's inputs into partitions that cluster workers read themselves, and reading one.

A partition is a list of *pieces*, in input order: whole files (several small ones share a
partition), runs of consecutive tar members, or one byte range of a large JSON Lines file. A
range is cut at line starts (a line starts after ``\\n``): it runs from the first line start at
or after its offset to the first line start at or after its end, so every line lies in exactly
one range. The workers open the files by absolute path (objects on object storage by their
URLs, a range with one ranged request); records keep the labels a local run gives them (the
paths as the user named them), so reports and quarantine files do not change.

A record of a range needs what lies before the range: its line number and position (the
position is in the published provenance) and the digest of the whole file. The line and
position counts come from a first pass over every range (:func:`scan_piece`, which also tells
the record keys for the duplicate check) and the digest from a task of its own.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .byte_streams import GZIP_MAGIC
from .errors import InputError, Location, UsageError
from .keys import key_digest
from .locations import byte_range, is_remote, open_bytes, size_of
from .model import Rejected, Work
from .pipeline import SourceFailure, _guarded, decode, read_records, split_records
from .readers import RawRecord, reader_for
from .readers.native import JsonLinesRecordsReader
from .sources import Input, InputSource, Line, is_tar, tar_members, tar_sources

__all__ = ["Part", "Piece", "Position", "Scan", "parse_size", "plan", "read_piece",
           "scan_piece"]

MIN_PARTITION = 256 * 1024
MAX_PARTITION = 64 * 1024 * 1024

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32: cannot be cut at newline bytes


@dataclass(frozen=True, slots=True)
class Piece:
    """Records a worker reads: a whole file, tar members ``first`` to ``stop`` (read from
    byte ``start``: member ``first``'s header in an uncompressed archive, else 0), or the
    bytes ``start`` to ``end`` of a JSON Lines file (``range_of`` numbers the file among the
    run's ranged files; ``nth`` is the range's number in it)."""

    label: str  # the file (or archive) as a local run names it
    path: str  # absolute, or an object's URL: what the workers open
    kind: str  # "file", "tar" or "range"
    start: int = 0
    end: int = 0
    first: int = 0
    stop: int = 0
    range_of: int = -1
    nth: int = 0
    in_folder: bool = False  # found by walking a folder (see InputSource.in_folder)


@dataclass(frozen=True, slots=True)
class Part:
    """One task's records: pieces in input order."""

    index: int
    pieces: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Position:
    """Where a range starts in its file: lines and records before it, and the file's digest."""

    lines: int = 0
    records: int = 0
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class Scan:
    """What the first pass learns of a piece: per source (a tar piece has several), the key
    digest of each record (None for a record that is no work), and a range's line and record
    counts."""

    keys: tuple[tuple[bytes | None, ...], ...]
    lines: int = 0
    records: int = 0
    failed: bool = False  # a range whose source fails in it: no later range is read


def parse_size(text: str) -> int:
    """``1048576``, ``512K``, ``64M``, ``1G`` → bytes."""
    match = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)[iI]?[bB]?\s*", text)
    if not match or int(match.group(1)) == 0:
        raise UsageError(f"--partition-size {text!r} is not a size",
                         hint="give bytes, or a number with K, M or G (e.g. 64M)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(match.group(1)) * scale


def plan(inputs: list[Input], reader: str | None, target: int | None, workers: int,
         spool: Path | str) -> list[Part | SourceFailure]:
    """The partitions of ``inputs`` in input order, and the failures met while listing them
    (an empty folder, a damaged archive) at their places. ``target``: bytes a partition
    holds (default: about four partitions per worker, within 256 KiB and 64 MiB); ``spool``:
    a folder the workers see (or an object-storage prefix), for standard input."""
    listed = list(_listed(inputs, spool))
    total = sum(item[1] for item in listed if not isinstance(item, SourceFailure))
    size = target or min(MAX_PARTITION, max(MIN_PARTITION, total // max(1, 4 * workers)))
    out: list[Part | SourceFailure] = []
    group: list[Piece] = []
    held = 0
    ranged = 0

    def close() -> None:
        nonlocal group, held
        if group:
            out.append(Part(len(out), tuple(group)))
            group, held = [], 0

    for item in listed:
        if isinstance(item, SourceFailure):
            close()
            out.append(item)
            continue
        piece, bytes_ = item
        if piece.kind == "file" and bytes_ > size and _splittable(piece, reader):
            close()
            for nth, (start, end) in enumerate(_cuts(piece.path, size)):
                out.append(Part(len(out), (replace(piece, kind="range", start=start, end=end,
                                                   range_of=ranged, nth=nth),)))
            ranged += 1
            continue
        if held and held + bytes_ > size:
            close()
        last = group[-1] if group else None
        if (last is not None and piece.kind == "tar" and last.kind == "tar"
                and last.path == piece.path and last.stop == piece.first):
            group[-1] = replace(last, stop=piece.stop)
        else:
            group.append(piece)
        held += bytes_
    close()
    return out


def _listed(inputs: list[Input], spool: Path | str
            ) -> Iterator[tuple[Piece, int] | SourceFailure]:
    """Every source as a piece with its size, as :func:`~ld_publish.sources.expand` orders
    them; tar archives as runs of members."""
    stdin = 0
    for item in inputs:
        if not isinstance(item, str):
            raise UsageError("a cluster run reads files, folders and standard input",
                             hint="write the source to a file first")
        if item == "-":
            yield _stdin_piece(spool, stdin)
            stdin += 1
            continue
        path = Path(item)
        try:
            if is_remote(item):
                yield from _object_pieces(item)
            elif path.is_dir():
                files = sorted(p for p in path.rglob("*")
                               if p.is_file() and not p.name.startswith("."))
                if not files:
                    raise InputError(f"folder {path} holds no files",
                                     where=Location(file=str(path)))
                for file in files:
                    yield from _file_pieces(str(file), os.path.abspath(file), in_folder=True)
            else:
                yield from _file_pieces(str(path), os.path.abspath(path))
        except InputError as exc:
            yield SourceFailure(item, exc)


def _object_pieces(url: str) -> Iterator[tuple[Piece, int]]:
    """An object, or the objects of a prefix, on object storage: the workers read them by
    their URLs (the labels too)."""
    from .remote import objects

    found, folder = objects(url)
    if folder and not found:
        raise InputError(f"folder {url} holds no files", where=Location(file=url))
    for item, size in found:
        yield from _file_pieces(item, item, size, in_folder=folder)


def _file_pieces(label: str, location: str, size: int | None = None, in_folder: bool = False
                 ) -> Iterator[tuple[Piece, int]]:
    if not is_tar(location):
        yield (Piece(label, location, "file", in_folder=in_folder),
               _size(location) if size is None else size)
        return
    # The members are read here as a local run reads them, so a damaged archive fails at the
    # same member; plan() joins neighbours into runs, which start reading at their first
    # member's offset (in an uncompressed archive: no task reads the members before it).
    for number, (member, offset) in enumerate(tar_members(location, label)):
        yield (Piece(label, location, "tar", start=offset, first=number, stop=number + 1),
               member.size or 0)


def _size(location: str) -> int:
    try:
        return size_of(location)
    except (OSError, InputError):
        return 0  # the worker reports it, as a local run would


def _stdin_piece(spool: Path | str, number: int) -> tuple[Piece, int]:
    # Named twice, standard input is empty the second time (as in a local run): its own file.
    if is_remote(spool):
        from .remote import writing

        url = f"{str(spool).rstrip('/')}/stdin-{number}"
        size = 0
        with writing(url) as out:
            while chunk := sys.stdin.buffer.read(1 << 20):
                size += out.write(chunk)
        return Piece("<stdin>", url, "file"), size
    folder = Path(spool)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"stdin-{number}"
    with open(target, "wb") as out:
        while chunk := sys.stdin.buffer.read(1 << 20):
            out.write(chunk)
    return Piece("<stdin>", str(target.resolve()), "file"), target.stat().st_size


def _splittable(piece: Piece, reader: str | None) -> bool:
    """Whether the file is JSON Lines that can be cut at newline bytes."""
    try:
        source = _open(piece)
        start = byte_range(piece.path, 0, 4)
        if start.startswith((GZIP_MAGIC, *_WIDE_BOMS, b"\x00\x00\xfe\xff")):
            return False
        return isinstance(reader_for(source, reader), JsonLinesRecordsReader)
    except (OSError, InputError):
        return False  # read whole by a worker, which fails it as a local run does


def _cuts(path: str, size: int) -> list[tuple[int, int]]:
    """Byte ranges of about ``size`` each, cut at line starts."""
    length = size_of(path)
    starts = [0]
    # Small blocks: each cut reads the line around its offset, 64 KiB a request for an object.
    with open_bytes(path, 1 << 16) as stream:
        offset = size
        while offset < length:
            stream.seek(offset - 1)
            stream.readline()  # to the end of the line the byte before the offset is on
            start = stream.tell()
            if start >= length:
                break
            starts.append(start)
            offset = start + size
    return list(zip(starts, [*starts[1:], length], strict=True))


def _open(piece: Piece) -> InputSource:
    if is_remote(piece.path):
        from .remote import source as object_source

        source = object_source(piece.path)
    else:
        source = InputSource.from_path(piece.path)
    return replace(source, label=piece.label, in_folder=piece.in_folder)


def _range_source(piece: Piece) -> tuple[InputSource, int]:
    """The range as a source of its own, and how many lines to take off its line numbers.

    A range after the first is read behind one newline: a line start there must not be taken
    for the start of the file (a byte order mark would be dropped), and the newline makes the
    first line number 2."""
    data = byte_range(piece.path, piece.start, piece.end)
    if piece.start == 0:
        return InputSource.from_bytes(piece.label, data), 0
    return InputSource.from_bytes(piece.label, b"\n" + data), 1


def _range_raw(piece: Piece, where: Position | None, keyed: bool,
               seen: list[int] | None = None) -> Iterator[RawRecord]:
    """The range's records placed after ``where``; ``seen`` gets the number of lines read."""
    source, shift = _range_source(piece)
    before = where or Position()

    def lines() -> Iterator[Line]:
        for line in source.lines():
            if seen is not None:
                seen[0] = line.number - shift
            yield line

    for raw in _jsonl().split_lines(piece.label, lines(), keyed):
        line = raw.source.line
        assert line is not None
        yield replace(raw, source=replace(
            raw.source, line=line - shift + before.lines,
            position=raw.source.position + before.records, digest=before.digest))


def _jsonl() -> JsonLinesRecordsReader:
    from .readers import readers

    reader = readers.get("jsonl")
    assert isinstance(reader, JsonLinesRecordsReader)
    return reader


def scan_piece(piece: Piece, reader: str | None) -> Scan:
    """The first pass over a piece: the record keys and, for a range, its counts."""
    if piece.kind == "range":
        keys: list[bytes | None] = []
        seen = [0]
        for raw in _range_raw(piece, None, keyed=True, seen=seen):
            key = _raw_key(raw, piece.label)
            if key == _FAILED:
                return Scan((tuple(keys),), seen[0], len(keys), failed=True)
            keys.append(key)
        return Scan((tuple(keys),), seen[0], len(keys))
    out: list[tuple[bytes | None, ...]] = []
    for source in _sources(piece):
        found: list[bytes | None] = []
        for _, item in split_records([source], reader, set()):
            if isinstance(item, SourceFailure):
                break
            if isinstance(item, RawRecord):
                assert item.key is not None  # split_records decodes the others
                found.append(key_digest(item.key))
            else:
                found.append(key_digest(item.key) if isinstance(item, Work) else None)
        out.append(tuple(found))
    return Scan(tuple(out))


_FAILED = b""


def _raw_key(raw: RawRecord, label: str) -> bytes | None:
    if raw.key is not None:
        return key_digest(raw.key)
    if raw.error is not None:
        return None
    item = decode(_jsonl(), raw, label)
    if isinstance(item, SourceFailure):
        return _FAILED
    return key_digest(item.key) if isinstance(item, Work) else None


def _sources(piece: Piece) -> Iterator[InputSource]:
    if piece.kind == "tar":
        yield from tar_sources(piece.path, piece.label, piece.first, piece.stop, piece.start)
    else:
        yield _open(piece)


def read_piece(piece: Piece, reader: str | None, where: Position | None
               ) -> Iterator[Iterator[Work | Rejected | SourceFailure]]:
    """The records of a piece, one iterator per source, as a local run reads them (a range
    placed by ``where``); a source that fails ends with its :class:`SourceFailure`."""
    if piece.kind == "range":
        yield _guarded(piece.label, _decoded_range(piece, where))
        return
    try:
        for source in _sources(piece):
            yield read_records([source], reader)
    except InputError as exc:  # the archive, past the members listed: cannot happen unless
        yield iter([SourceFailure(piece.label, exc)])  # it changed since


def _decoded_range(piece: Piece, where: Position | None
                   ) -> Iterator[Work | Rejected | SourceFailure]:
    reader = _jsonl()
    for raw in _range_raw(piece, where, keyed=False):
        item = decode(reader, raw, piece.label)
        yield item
        if isinstance(item, SourceFailure):
            return
