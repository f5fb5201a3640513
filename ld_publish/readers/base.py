"""What a reader is, and helpers every reader shares."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..errors import InputError, Location
from ..model import Rejected, Source, Work
from ..pickling import fast_pickling
from ..registry import Registry
from ..sources import InputSource, LineFault


@runtime_checkable
class Reader(Protocol):
    """Turns one input source into records.

    ``sniff`` looks at the first 64 KiB (decompressed) and the file name and returns a
    confidence from 0 (not mine) to 100 (certainly mine); detection picks the highest.
    ``read`` yields one :class:`Work` or :class:`Rejected` per record, in source order, and raises
    :class:`~ld_publish.errors.InputError` only when the whole source is unreadable. A broken record
    inside a multi-record source is yielded as ``Rejected`` so the others go on.
    """

    name: str
    aliases: tuple[str, ...]
    description: str
    extensions: tuple[str, ...]

    def sniff(self, head: bytes, filename: str) -> int: ...

    def read(self, source: InputSource) -> Iterator[Work | Rejected]: ...


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record's own text, split off its source but not decoded yet.

    ``key`` is the key the record has if it decodes to a :class:`Work`, told without decoding
    it; ``None`` when that cannot be told cheaply and exactly (the record is then decoded where
    it was split). ``error`` says why the record's line cannot be read (bytes that are not
    UTF-8, a line past the record-bytes limit); such a record has no key and decodes to a
    ``Rejected``.
    """

    text: str
    source: Source
    key: str | None = None
    error: LineFault | None = None


@runtime_checkable
class SplittingReader(Protocol):
    """What a reader offers, besides :class:`Reader`, when its records can be decoded apart.

    ``split`` cuts a source into :class:`RawRecord` units cheaply (the main process runs it);
    ``decode`` turns one unit into exactly what ``read`` yields for that record, the same
    ``Work`` or ``Rejected`` with the same :class:`~ld_publish.model.Source` (worker processes
    run it, so the reader must pickle). ``split`` raises :class:`InputError` where ``read``
    would; ``decode`` may raise whatever ``read`` raises for that record. Readers without it
    are read whole in the main process, as before.
    """

    def split(self, source: InputSource) -> Iterator[RawRecord]: ...

    def decode(self, raw: RawRecord) -> Work | Rejected: ...


def require_content(source: InputSource) -> None:
    """Refuse a source with nothing but white space: silence would look like success."""
    if not source.head().strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{source.label} is empty", where=Location(file=source.label),
                         hint="give a file with at least one record")


def at_least_one(records: Iterator[Work | Rejected], source: InputSource
                 ) -> Iterator[Work | Rejected]:
    """``records``, and an InputError when there are none (an empty list or ``@graph``): a
    source that gives nothing must not look like a success."""
    given = False
    for record in records:
        given = True
        yield record
    if not given:
        raise InputError(f"{source.label} holds no record (an empty list of records)",
                         where=Location(file=source.label),
                         hint="give a file with at least one record")


#: All readers by name. Built-in modules register here on import, as plugins do through the
#: ``ld_publish.readers`` entry-point group.
readers: Registry[Reader] = Registry("reader", "ld_publish.readers")


fast_pickling(sys.modules[__name__])  # raw records go to worker processes
