"""Byte-stream helpers the input sources share: undoing gzip when a stream starts with its
magic number, and replaying bytes already read (a peeked head) before the rest of a stream."""

from __future__ import annotations

import gzip
import io
from typing import BinaryIO

__all__ = ["GZIP_MAGIC", "Prefixed", "maybe_gunzip"]

GZIP_MAGIC = b"\x1f\x8b"


class Prefixed(io.RawIOBase):
    """A stream that replays already-read bytes before the rest of an underlying stream."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def maybe_gunzip(stream: BinaryIO) -> BinaryIO:
    """``stream`` decompressed if it is gzip (by its first two bytes), else as it is; the
    stream must be seekable."""
    peek = stream.read(2)
    stream.seek(0)
    if peek == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream
