"""Readers, registered by name; :func:`detect` picks one from content and file name.

Every built-in reader module registers itself in :data:`readers` on import, the same way a
plugin does through the ``ld_publish.readers`` entry-point group.
"""

from __future__ import annotations

import importlib

from ..errors import InputError, Location, UnclaimedSource
from ..sources import InputSource
from .base import RawRecord, Reader, SplittingReader, readers, require_content

_BUILTIN = ("native", "page", "crossref", "jats", "bibtex", "ris", "csl", "datacite",
            "schemaorg", "html")


def _load_builtins() -> None:
    for module in _BUILTIN:
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            # A reader not written yet is simply absent; a missing dependency is a real error.
            if exc.name != f"{__name__}.{module}":
                raise


_load_builtins()


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = head[:4096]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine.
        if exc.start < len(sample) - 4:
            controls = sum(b < 9 or 13 < b < 32 for b in sample)
            return controls > len(sample) // 20
    return False


def detect(source: InputSource) -> Reader:
    """The reader most confident that it can read ``source``; a clear error when none is."""
    head = source.head()
    where = Location(file=source.label)
    if not head.strip():
        raise InputError(f"{source.label} is empty", hint="give a file with at least one record",
                         where=where)
    if _looks_binary(head):
        raise InputError(f"{source.label} is binary data, not a metadata record",
                         hint="give a text file (page text, JSON, XML, BibTeX, RIS); gzip and "
                              "tar archives are unpacked automatically",
                         where=where)
    best: tuple[int, str] = (0, "")
    for name, reader in readers.items():
        score = reader.sniff(head, source.name)
        if score > best[0]:
            best = (score, name)
    if best[0] == 0 and source.in_folder:
        raise UnclaimedSource(f"skipped {source.label}: no reader recognises it",
                              hint="if it holds records, name it with --from READER",
                              where=where)
    if best[0] == 0:
        raise InputError(f"cannot tell which format {source.label} is in",
                         hint="name it with --from; `ld-publish formats` lists the readers",
                         where=where)
    return readers.get(best[1])


def reader_for(source: InputSource, forced: str | None) -> Reader:
    """The reader for ``source``: the one ``--from`` names, else the one :func:`detect` picks.

    One rule for a wrong ``--from``: when the named reader does not recognise the source at all
    and another reader does, the source fails (exit 2) naming the format it looks like, whatever
    the reader. (Readers used to differ: some refused such a file, others quarantined every line
    of it.) When no reader recognises the source, the named one is trusted: naming the reader is
    what a user does when detection fails.
    """
    if forced:
        reader = readers.get(forced)
        require_content(source)  # detect() says so too; a forced reader must not stay silent
        head = source.head()
        if reader.sniff(head, source.name) == 0:
            score, likely = max((r.sniff(head, source.name), name)
                                for name, r in readers.items())
            if score > 0:
                raise InputError(
                    f"{source.label} does not look like {forced} input; it looks like {likely}",
                    hint=f"leave out --from to detect the format, or give --from {likely}",
                    where=Location(file=source.label))
        return reader
    return detect(source)


__all__ = ["RawRecord", "Reader", "SplittingReader", "detect", "reader_for", "readers"]
