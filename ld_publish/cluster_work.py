"""What a cluster worker does with one partition (:mod:`ld_publish.partitions`).

It reads the partition's records itself, maps, validates and writes each record's documents
into ``records/`` (and a quarantined record's file into ``quarantine/``), as a local run's
workers do. What the driver merges in input order goes to two files of the partition in the
run's work folder: the written records' N-Quads (the *shard*) and the report entries, one line
each; the task returns only a small :class:`Settled` per record. A record whose key an earlier
record of the run has (*held*, :mod:`ld_publish.keys`) is processed in full but its documents
and N-Quads are written aside in the work folder: the driver decides in input order whether
it is published (renaming them into place) or quarantined.

A task may run twice (Dask reruns the partitions of a worker that died): every file is written
whole under a temporary name and renamed, and a rerun writes the same bytes to the same names.
"""

from __future__ import annotations

import gc
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ClusterError, InputError, UsageError
from .export import _json_line, record_entry
from .keys import Place, key_digest, place_label
from .layout import atomic_write, temporary_name
from .limits import use
from .locations import is_remote, open_bytes
from .model import Rejected
from .partitions import Part, Position, Scan, read_piece, scan_piece
from .pipeline import Options, Outcome, SourceFailure, process_work, rejected_outcome
from .sources import InputSource

__all__ = ["Failed", "Held", "PartDone", "PartPlace", "Place", "Settled", "file_digest",
           "part_outcomes", "process_part", "scan_part", "version", "visible",
           "worker_process"]

# (piece, source in the piece, record in the source): a record's place in its partition.
PartPlace = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Settled:
    """A record settled by the worker: its entry is the next line of the entries file and,
    when written, its N-Quads the next ``nquads`` bytes of the shard."""

    digest: bytes | None  # of the key; None for a record its reader refused
    place: Place  # the record's source path, line and position
    written: bool
    warnings: int
    infos: int
    nquads: int

    @property
    def label(self) -> str:
        """The record's source label, as :meth:`ld_publish.model.Source.label` gives it."""
        return place_label(self.place)


@dataclass(frozen=True, slots=True)
class Held:
    """A held record: the outcome without documents, which lie aside in the work folder."""

    outcome: Outcome
    aside: tuple[tuple[str, str], ...]  # (format, file name in the work folder)
    nquads: str | None  # its N-Quads' file name in the work folder


@dataclass(frozen=True, slots=True)
class Failed:
    """A source that failed as a whole; ``range_of`` its ranged file (-1: not ranged)."""

    failure: SourceFailure
    range_of: int


@dataclass(frozen=True, slots=True)
class PartDone:
    index: int
    items: tuple[Settled | Held | Failed, ...]
    shard: str  # file names in the work folder
    entries: str


_started = False


def worker_process() -> None:
    # As the local pool's workers do (ld_publish.fanout): records free themselves by reference
    # counting, so the cyclic collector need not rescan the long-lived objects again and again.
    global _started
    if not _started:
        _started = True
        gc.freeze()
        gc.set_threshold(10_000, 20, 20)


def version() -> str:
    """The ld-publish a worker runs: every machine must run the driver's."""
    from . import __version__

    return __version__


def file_digest(path: str, label: str) -> str | InputError:
    """The digest of a whole ranged file (its provenance names it), or why it is unreadable."""
    try:
        return InputSource(label, lambda: open_bytes(path)).digest()
    except InputError as exc:
        return exc


def visible(path: str, what: str) -> None:
    # A worker on a machine without the shared file system would otherwise fail with a bare
    # "No such file", read as a full disk or an unreadable input.
    if is_remote(path):
        _reachable(path, what)
    elif not os.path.exists(path):
        raise ClusterError(f"the Dask worker on {socket.gethostname()} does not see {what} "
                           f"at {path}", hint="put the inputs and the output folder on a file "
                           "system every worker mounts at the same path as this machine")


def _reachable(url: str, what: str) -> None:
    """Whether this worker reads the object: it has the storage's package and its own
    credentials and endpoint configuration, which the driver's do not give it."""
    from .remote import check_exists

    try:
        check_exists(url)
    except (UsageError, InputError) as exc:
        raise ClusterError(f"the Dask worker on {socket.gethostname()} cannot read {what}: "
                           f"{exc.message}", hint=f"{exc.hint}; each worker reads object "
                           "storage itself, configured by its own environment") from None


def scan_part(part: Part, options: Options) -> tuple[Scan, ...]:
    """The first pass over a partition: one :class:`Scan` per piece."""
    for piece in part.pieces:
        visible(piece.path, f"the input {piece.label}")
    use(options.limits)
    return tuple(scan_piece(piece, options.reader) for piece in part.pieces)


def process_part(part: Part, options: Options, root: str, held: frozenset[PartPlace],
                 where: tuple[int, int] | None, digest: str | None,
                 report_unmapped: bool) -> PartDone:
    """Process a partition's records (see the module docs); ``where``: the lines and records
    before a range, ``digest`` its file's."""
    worker_process()
    use(options.limits)
    out = Path(root)
    work = out / WORK
    visible(str(work), "the output folder")
    options = replace(options, write_to=str(out / "records"))
    # A quarantined record carries its source's text, read by the label locally: here the
    # label names the file as the driver sees it. (A local run finds no file "<stdin>".)
    paths = {piece.label: piece.path for piece in part.pieces
             if piece.kind != "tar" and piece.label != "<stdin>"}
    stem = f"part-{part.index:06d}"
    shard, entries = work / f"{stem}.nq", work / f"{stem}.jsonl"
    shard_tmp, entries_tmp = temporary_name(shard), temporary_name(entries)
    items: list[Settled | Held | Failed] = []
    try:
        with open(shard_tmp, "wb") as nquads, open(entries_tmp, "wb") as lines:
            for found in part_outcomes(part, options, held, where, digest):
                if isinstance(found, Failed):
                    items.append(found)
                    continue
                (p, s, r), outcome, is_held = found
                if is_held:
                    items.append(_aside(outcome, work, f"{stem}-{p}-{s}-{r}"))
                    continue
                entry, warnings, infos = record_entry(
                    outcome, out, report_unmapped, lambda label: paths.get(label, label))
                lines.write(_json_line(entry) + b"\n")
                size = 0
                if not outcome.quarantined and outcome.nquads is not None:
                    size = nquads.write(outcome.nquads)
                items.append(Settled(
                    key_digest(outcome.key) if outcome.from_work else None,
                    _place(outcome), not outcome.quarantined, warnings, infos, size))
        os.replace(shard_tmp, shard)
        os.replace(entries_tmp, entries)
    finally:
        shard_tmp.unlink(missing_ok=True)
        entries_tmp.unlink(missing_ok=True)
    return PartDone(part.index, tuple(items), shard.name, entries.name)


def _place(outcome: Outcome) -> Place:
    source = outcome.source
    return (source.path, source.line, source.position)


def part_outcomes(part: Part, options: Options, held: frozenset[PartPlace],
                  where: tuple[int, int] | None, digest: str | None
                  ) -> Iterator[tuple[PartPlace, Outcome, bool] | Failed]:
    """Every record of a partition processed, in input order, with its place and whether it
    is held; a source that fails as a whole ends with its :class:`Failed` (what export's,
    load's and site's tasks share)."""
    position = Position(where[0], where[1], digest) if where else None
    for p, piece in enumerate(part.pieces):
        for s, records in enumerate(read_piece(piece, options.reader, position)):
            for r, item in enumerate(records):
                if isinstance(item, SourceFailure):
                    yield Failed(item, piece.range_of)
                    break
                if isinstance(item, Rejected):
                    yield (p, s, r), rejected_outcome(item), False
                elif (p, s, r) in held:
                    yield (p, s, r), process_work(item, options, True), True
                else:
                    yield (p, s, r), process_work(item, options), False


WORK = ".ld-publish-work"


def _aside(outcome: Outcome, work: Path, stem: str) -> Held:
    """A held record's documents and N-Quads, aside in the work folder."""
    aside = []
    for fmt, data in outcome.documents.items():
        name = f"{stem}.{fmt}"
        atomic_write(work / name, data)
        aside.append((fmt, name))
    nquads = None
    if outcome.nquads is not None:
        nquads = f"{stem}.nquads-graph"
        atomic_write(work / nquads, outcome.nquads)
    return Held(replace(outcome, documents={}, nquads=None), tuple(aside), nquads)
