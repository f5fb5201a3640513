"""``export --cluster``: the records of a run processed on a Dask cluster, merged in input order.

The driver (this module, in the ``ld-publish`` process) cuts the inputs into partitions
(:mod:`ld_publish.partitions`) and runs three kinds of task on the workers:

1. a *scan* of every partition: its record keys and, for a byte range of a JSON Lines file,
   its line and record counts (and one *digest* task per such file);
2. then the *processing* of every partition (:mod:`ld_publish.cluster_work`), told which of
   its records are held (their key met earlier in input order, as the local pool marks
   them) and, for a range, the lines and records before it;
3. the driver takes the partitions' results in input order and feeds their entries and
   N-Quads to the run's report and ``dataset.nq``, deciding each held record as
   :func:`~ld_publish.keys.publish_once` does. So ``records/``, ``dataset.nq`` and
   ``report.json`` are what a local run writes, byte for byte. The records to merge (a key met
   in several sources) are kept by the run's :class:`~ld_publish.keys.FirstOfKey`, and the
   merge phase (:mod:`ld_publish.merge_run`) runs here, as at the end of a local run.

A source that fails as a whole fails as in a local run: in a range, the ranges after it are
dropped and what their tasks wrote is removed. The workers must see the output folder (the
same machine, or a shared file system) and the inputs (by the absolute paths the driver sees).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import __version__
from .cluster_work import (
    WORK,
    Failed,
    Held,
    PartDone,
    PartPlace,
    Settled,
    file_digest,
    process_part,
    scan_part,
    version,
)
from .errors import ClusterError, InputError, OutputError, UsageError
from .export import Sink, Writer
from .formats import rdf_formats
from .key_index import KeyTable
from .keys import FirstOfKey
from .layout import QUARANTINE, RECORDS, file_name, remove_temporaries
from .partitions import Part, Scan, plan
from .pipeline import Options, SourceFailure

__all__ = ["Run", "connect", "parse_cluster", "session"]

# What a partition's processing task is: (function, arguments) for a partition, its held
# records' places, the lines and records before a range and the range's file digest.
Task = Callable[[Part, frozenset[PartPlace], tuple[int, int] | None, str | None],
                tuple[Any, tuple[Any, ...]]]

_SPEC = re.compile(r"local(?::(\d+))?|tcp://([^\s:/]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})")
_SPEC_HINT = ("use local (one worker per core), local:N (N workers on this machine) or "
              "tcp://HOST:PORT (the address `dask scheduler` prints)")


def parse_cluster(spec: str) -> tuple[str, int | None]:
    """``local[:N]`` → ("local", N or None); ``tcp://HOST:PORT`` → (the address, None)."""
    match = _SPEC.fullmatch(spec.strip())
    if not match:
        raise UsageError(f"--cluster {spec!r} is not a cluster", hint=_SPEC_HINT)
    if match.group(3) is not None:
        if not 0 < int(match.group(3)) < 65536:
            raise UsageError(f"--cluster {spec!r}: no such port", hint=_SPEC_HINT)
        return spec.strip(), None
    count = match.group(1)
    if count is not None and int(count) < 1:
        raise UsageError(f"--cluster {spec!r}: a cluster needs at least one worker",
                         hint=_SPEC_HINT)
    return "local", int(count) if count else None


def _timeout() -> float:
    # How long to wait for a scheduler and its first worker; tests and slow networks set it.
    try:
        return float(os.environ.get("LD_PUBLISH_CLUSTER_TIMEOUT", "30"))
    except ValueError:
        return 30.0


@contextmanager
def connect(spec: str, partition_bytes: int | None = None) -> Iterator[Writer]:
    """Start (``local``) or join (``tcp://``) a cluster; yields what writes a run's records."""
    with session(spec, partition_bytes) as run:
        yield run.write


@contextmanager
def session(spec: str, partition_bytes: int | None = None) -> Iterator[Run]:
    """Start (``local``) or join (``tcp://``) a cluster for one run (export's, load's or
    site's: :mod:`ld_publish.cluster_graphs`)."""
    address, count = parse_cluster(spec)
    try:
        import distributed
    except ImportError:
        raise UsageError("--cluster needs Dask (the Python package distributed), which is "
                         "not installed", hint="install it: pip install 'ld-publish[cluster]'"
                         ) from None
    # Dask's own log lines (a worker restarted, a task rescheduled, a worker's heartbeat
    # failing while a local cluster shuts down, with its traceback) are not the user's
    # business; what matters reaches them as ld-publish's errors.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    # Untyped (Dask ships no annotations for them).
    local_cluster: Any = distributed.LocalCluster
    new_client: Any = distributed.Client
    cluster: Any = None
    try:
        if address == "local":
            cluster = local_cluster(n_workers=count or os.cpu_count() or 1,
                                    threads_per_worker=1, processes=True,
                                    dashboard_address=None, silence_logs=logging.CRITICAL)
            client = new_client(cluster)
        else:
            client = new_client(address, timeout=_timeout())
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        where = "start a local Dask cluster" if address == "local" else f"reach {address}"
        raise ClusterError(f"cannot {where}: {exc}", hint=(
            "start the scheduler with `dask scheduler` and workers with `dask worker "
            f"{address}`, and check that this machine can reach it"
            if address != "local" else "check free memory and that processes can start")
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=_timeout())
        except (OSError, TimeoutError):
            raise ClusterError(f"the Dask scheduler at {address} has no workers", hint=(
                f"start workers with `dask worker {address}` on machines that see the "
                "inputs and the output folder")) from None
        yield Run(client, partition_bytes)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass(eq=False)
class Run:
    client: Any  # distributed.Client
    partition_bytes: int | None
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    futures: dict[str, Any] = field(default_factory=dict)  # by key: what to cancel at the end

    def write(self, inputs: list[str], options: Options, sink: Sink) -> None:
        self.same_software()
        work = sink.root / WORK
        shutil.rmtree(work, ignore_errors=True)  # what a killed run left
        work.mkdir()
        try:
            root = str(sink.root.resolve())

            def task(part: Part, held: frozenset[PartPlace], where: tuple[int, int] | None,
                     digest: str | None) -> tuple[Any, tuple[Any, ...]]:
                return process_part, (part, options, root, held, where, digest,
                                      sink.report_unmapped)

            queue = self.submit(inputs, options, work, task)
            _Merge(sink, work).run(queue, self.result)
        finally:
            self.client.cancel(list(self.futures.values()))
            self.futures.clear()
            shutil.rmtree(work, ignore_errors=True)
        # A worker killed in the middle of a write leaves its temporary file behind.
        for folder in (sink.root / RECORDS, sink.root / QUARANTINE):
            if folder.is_dir():
                remove_temporaries(folder)

    def submit(self, inputs: list[str], options: Options, work: Path | str, task: Task
               ) -> list[tuple[Part, Any] | SourceFailure]:
        """Scan every partition, then send each to be processed (``task`` tells the function
        and its arguments); the queue in input order. ``work``: the run's work folder (a path
        or an object-storage URL), which the workers see (standard input is copied there)."""
        workers = sum(self.client.nthreads().values()) or 1
        items = plan(list(inputs), options.reader, self.partition_bytes, workers, work)
        scans: dict[int, Any] = {}
        digests: dict[int, Any] = {}
        for item in items:
            if isinstance(item, SourceFailure):
                continue
            piece = item.pieces[0]
            if piece.kind == "range" and piece.range_of not in digests:
                digests[piece.range_of] = self._task(
                    f"digest-{piece.range_of}", file_digest, piece.path, piece.label,
                    priority=20)
            scans[item.index] = self._task(f"scan-{item.index}", scan_part, item, options,
                                           priority=10)
        queue: list[tuple[Part, Any] | SourceFailure] = []
        seen = KeyTable()
        before: dict[int, tuple[int, int]] = {}  # ranged file -> (lines, records) so far
        stopped: set[int] = set()  # ranged files a scan failed: their later ranges go unread
        for item in items:
            if isinstance(item, SourceFailure):
                queue.append(item)
                continue
            scan: tuple[Scan, ...] = self.result(scans.pop(item.index), item)
            piece = item.pieces[0]
            where, digest = None, None
            if piece.kind == "range":
                if piece.range_of in stopped:
                    continue
                found = self.result(digests[piece.range_of], item)
                if isinstance(found, InputError):
                    stopped.add(piece.range_of)
                    queue.append(SourceFailure(piece.label, found))
                    continue
                digest = found
                where = before.get(piece.range_of, (0, 0))
                before[piece.range_of] = (where[0] + scan[0].lines,
                                          where[1] + scan[0].records)
                if scan[0].failed:
                    stopped.add(piece.range_of)
            held = frozenset(_held(scan, seen))
            func, args = task(item, held, where, digest)
            queue.append((item, self._task(f"part-{item.index}", func, *args)))
        return queue

    def same_software(self) -> None:
        """Every worker runs this ld-publish: another version could write other bytes."""
        try:
            found = self.client.run(version)
        except Exception as exc:  # what a worker without ld-publish raises varies
            raise ClusterError(f"the Dask workers cannot run ld-publish: {exc}",
                               hint=_SAME_SOFTWARE) from None
        others = sorted({v for v in found.values() if v != __version__})
        if others:
            raise ClusterError(f"Dask workers run ld-publish {', '.join(others)}, this is "
                               f"{__version__}", hint=_SAME_SOFTWARE)

    def _task(self, name: str, func: Any, *args: Any, priority: int = 0) -> Any:
        future = self.client.submit(func, *args, key=f"ld-publish-{name}-{self.token}",
                                    priority=priority)
        self.futures[future.key] = future
        return future

    def result(self, future: Any, part: Part) -> Any:
        from distributed import KilledWorker
        from distributed.comm.core import CommClosedError

        what = ", ".join(sorted({piece.label for piece in part.pieces}))
        try:
            return future.result()
        except KilledWorker:
            raise ClusterError(
                f"Dask workers died again and again on the partition of {what}",
                hint="a worker may run out of memory on it (give workers more), or the "
                     "machines went away; a smaller --partition-size limits what is redone"
            ) from None
        except (CommClosedError, TimeoutError) as exc:
            raise ClusterError(f"lost the Dask scheduler: {exc}",
                               hint="check the scheduler and rerun") from None
        except (ImportError, RuntimeError) as exc:
            # The scheduler unpickles the tasks too: one without ld-publish (or another
            # version of it) cannot.
            if isinstance(exc, RuntimeError) and "deserializ" not in str(exc):
                raise
            first = str(exc).partition("\n")[0]
            raise ClusterError(f"the Dask scheduler or a worker cannot run ld-publish's "
                               f"tasks: {first}", hint=_SAME_SOFTWARE) from None
        finally:
            self.futures.pop(future.key, None)


_SAME_SOFTWARE = ("install the same ld-publish (pip install 'ld-publish[cluster]') in the "
                  "environment of the scheduler and of every worker")


def _held(scans: tuple[Scan, ...], seen: KeyTable) -> Iterator[tuple[int, int, int]]:
    """The places of the records whose key an earlier record of the run has."""
    for p, scan in enumerate(scans):
        for s, keys in enumerate(scan.keys):
            for r, key in enumerate(keys):
                if key is None:
                    continue
                if key in seen:
                    yield p, s, r
                seen.add(key)


@dataclass(eq=False)
class _Merge:
    """The partitions' results into the run's Sink, in input order."""

    sink: Sink
    work: Path
    dropped: set[int] = field(default_factory=set)  # ranged files a worker failed

    @property
    def firsts(self) -> FirstOfKey:
        # The run's: it keeps the records to merge for the end of the run, as a local run's.
        return self.sink.firsts

    def run(self, queue: list[tuple[Part, Any] | SourceFailure], result: Any) -> None:
        waiting = deque(queue)
        queue.clear()  # a merged partition's result is let go of at once
        while waiting:
            entry = waiting.popleft()
            if isinstance(entry, SourceFailure):
                self.sink.failed(entry)
                continue
            part, future = entry
            done: PartDone = result(future, part)
            piece = part.pieces[0]
            if piece.kind == "range" and piece.range_of in self.dropped:
                self._discard(done)
            else:
                self._merge(done)
            (self.work / done.shard).unlink(missing_ok=True)
            (self.work / done.entries).unlink(missing_ok=True)

    def _merge(self, done: PartDone) -> None:
        with open(self.work / done.shard, "rb") as shard, \
                open(self.work / done.entries, "rb") as entries:
            for item in done.items:
                if isinstance(item, Failed):
                    self.sink.failed(item.failure)
                    if item.range_of >= 0:
                        self.dropped.add(item.range_of)
                elif isinstance(item, Held):
                    self._held(item)
                else:
                    self._settled(item, entries.readline()[:-1], shard)

    def _settled(self, item: Settled, line: bytes, shard: Any) -> None:
        if item.digest is not None:
            self.firsts.settled(item.digest, item.place, item.written)
        nquads = shard.read(item.nquads) if item.written else None
        self.sink.add_entry(line, item.written, item.warnings, item.infos, nquads)

    def _held(self, item: Held) -> None:
        outcome, publish = self.firsts.decide(item.outcome)
        if publish:
            records = self.sink.root / RECORDS
            stem = file_name(outcome.key)
            files = []
            try:
                for fmt, name in item.aside:
                    final = f"{stem}.{rdf_formats.get(fmt).extension}"
                    os.replace(self.work / name, records / final)
                    files.append(final)
                nquads = (self.work / item.nquads).read_bytes() if item.nquads else None
            except OSError as exc:
                raise OutputError(f"cannot publish {outcome.key}: {exc.strerror}",
                                  hint="check free disk space and permissions of the output "
                                       "folder") from None
            outcome = replace(outcome, files=tuple(files), nquads=nquads)
        self.sink.add(outcome)

    def _discard(self, done: PartDone) -> None:
        """Remove what the partition wrote: it lies after its source failed, so a local run
        would never have read it."""
        import json

        root = self.sink.root
        with open(self.work / done.entries, "rb") as entries:
            for item in done.items:
                if isinstance(item, Settled):
                    entry = json.loads(entries.readline())
                    for name in [*entry.get("files", ()), entry.get("file")]:
                        if name:
                            (root / name).unlink(missing_ok=True)
