"""What a reader is, and helpers every reader shares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from ..errors import InputError, Location
from ..model import Rejected, Work
from ..registry import Registry
from ..sources import InputSource

#: Largest input a single-document reader (page, JATS, one JSON object) reads into memory.
DEFAULT_MAX_DOCUMENT_BYTES = 32 * 1024 * 1024


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


def require_content(source: InputSource) -> None:
    """Refuse a source with nothing but white space: silence would look like success."""
    if not source.head().strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{source.label} is empty", where=Location(file=source.label),
                         hint="give a file with at least one record")


#: All readers by name. Built-in modules register here on import, as plugins do through the
#: ``ld_publish.readers`` entry-point group.
readers: Registry[Reader] = Registry("reader", "ld_publish.readers")
