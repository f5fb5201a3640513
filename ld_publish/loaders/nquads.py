"""Record graphs from N-Quads: an export's output folder or N-Quads files."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from ..errors import InputError, Location
from ..graph import RecordGraph
from ..key_index import KeyTable
from ..keys import key_digest
from ..locations import is_remote, open_bytes

DATASET_FILE = "dataset.nq"
DATASETS = (DATASET_FILE, DATASET_FILE + ".gz")  # an export writes one of them


def is_nquads_input(item: str | Path) -> bool:
    """An export's output folder (it has dataset.nq or report.json) or an N-Quads file."""
    if is_remote(item):
        return str(item).endswith((".nq", ".nq.gz")) or _export_objects(str(item)) is not None
    path = Path(item)
    if path.is_dir():
        return any((path / name).is_file() for name in (*DATASETS, "report.json"))
    return path.name.endswith((".nq", ".nq.gz"))


def _export_objects(url: str) -> list[str] | None:
    """For a prefix on object storage that is an export's output folder, the objects to read
    (as :func:`nquads_files` picks a folder's files); ``None`` for anything else. Looked up
    by name: a prefix of a million record files is not listed for it."""
    from ..remote import exists, objects

    base = url.rstrip("/")
    found = [name for name in (*DATASETS, "report.json") if exists(f"{base}/{name}")]
    if not found:
        return None
    datasets = [f"{base}/{name}" for name in DATASETS if name in found]
    if datasets:
        return datasets[:1]
    return [name for name, _ in objects(url)[0] if name.endswith(".nq")]


def nquads_files(inputs: Iterable[str | Path]) -> list[Path | str]:
    """The files to read: an N-Quads file as given; for a folder its ``dataset.nq`` when there
    is one (the per-record files repeat it), else every ``*.nq`` below it. Objects on object
    storage are given by their URLs."""
    files: list[Path | str] = []
    for item in inputs:
        if is_remote(item):
            objects = (None if str(item).endswith((".nq", ".nq.gz"))
                       else _export_objects(str(item)))
            if objects == []:
                raise InputError(f"{item}: no N-Quads (*.nq) objects under this prefix",
                                 hint="give an export's output folder or N-Quads files")
            files.extend(objects or [str(item)])
            continue
        path = Path(item)
        if path.is_dir():
            datasets = [path / name for name in DATASETS if (path / name).is_file()]
            found = datasets[:1] or sorted(path.rglob("*.nq"))
            if not found:
                raise InputError(f"{path}: no N-Quads (*.nq) files in this folder",
                                 hint="give an export's output folder or N-Quads files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def read_record_graphs(path: Path | str) -> Iterator[RecordGraph]:
    """One RecordGraph per named graph, streamed: a graph's quads must be contiguous.

    ``ld-publish export`` writes them so. Holding only the current graph keeps memory flat for
    files of any size; a graph that reappears later is refused rather than half-replaced.
    """
    where = Location(file=str(path))
    try:
        with ExitStack() as files:
            stream: IO[bytes] | None = None
            if is_remote(path):
                stream = files.enter_context(open_bytes(str(path)))
            gz = str(path).endswith(".gz")
            if gz:
                stream = cast(IO[bytes], files.enter_context(gzip.open(stream or path)))
            # pyoxigraph reads a path itself, faster than through a Python stream.
            quads = (ox.parse(stream, format=ox.RdfFormat.N_QUADS) if stream is not None
                     else ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
            yield from _grouped(quads, path, where)
    except SyntaxError as e:
        raise InputError(f"not valid N-Quads: {e}", where=where,
                         hint="check the file is N-Quads (.nq) written by the export") from None
    except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        raise InputError(f"cannot read: {e}", where=where) from None


def _grouped(quads: Iterator[ox.Quad], path: Path | str, where: Location) -> Iterator[RecordGraph]:
    seen = KeyTable()  # every graph met: on disk past a few thousand, so memory stays flat
    try:
        current: str | None = None
        triples: list[ox.Triple] = []
        for quad in quads:
            g = quad.graph_name
            if not isinstance(g, ox.NamedNode):
                raise InputError(
                    "a quad outside any named graph; each record must be in its own named graph",
                    where=where, hint="load N-Quads written by `ld-publish export`")
            if g.value != current:
                if current is not None:
                    yield _graph(current, triples, path)
                digest = key_digest(g.value)
                if seen.get(digest) is not None:
                    raise InputError(
                        f"the quads of graph <{g.value}> are not contiguous", where=where,
                        hint="sort the file by graph (export writes it so) before loading")
                seen[digest] = b""
                current, triples = g.value, []
            triples.append(quad.triple)
        if current is not None:
            yield _graph(current, triples, path)
    finally:
        seen.close()


def _graph(name: str, triples: list[ox.Triple], path: Path | str) -> RecordGraph:
    return RecordGraph.build(key=name, name=name, root=name, triples=triples,
                             source_label=str(path))


def graphs_from_inputs(inputs: Iterable[str | Path]) -> Iterator[RecordGraph]:
    for f in nquads_files(inputs):
        yield from read_record_graphs(f)
