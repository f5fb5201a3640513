"""Record graphs from N-Quads: an export's output folder or N-Quads files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, Location
from ..graph import RecordGraph

DATASET_FILE = "dataset.nq"


def is_nquads_input(item: str | Path) -> bool:
    """An export's output folder (it has dataset.nq or report.json) or an N-Quads file."""
    path = Path(item)
    if path.is_dir():
        return (path / DATASET_FILE).is_file() or (path / "report.json").is_file()
    return path.name.endswith((".nq", ".nq.gz"))


def nquads_files(inputs: Iterable[str | Path]) -> list[Path]:
    """The files to read: an N-Quads file as given; for a folder its ``dataset.nq`` when there
    is one (the per-record files repeat it), else every ``*.nq`` below it."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            dataset = path / DATASET_FILE
            found = [dataset] if dataset.is_file() else sorted(path.rglob("*.nq"))
            if not found:
                raise InputError(f"{path}: no N-Quads (*.nq) files in this folder",
                                 hint="give an export's output folder or N-Quads files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return files


def read_record_graphs(path: Path) -> Iterator[RecordGraph]:
    """One RecordGraph per named graph, streamed: a graph's quads must be contiguous.

    ``ld-publish export`` writes them so. Holding only the current graph keeps memory flat for
    files of any size; a graph that reappears later is refused rather than half-replaced.
    """
    seen: set[str] = set()
    current: str | None = None
    triples: list[ox.Triple] = []
    where = Location(file=str(path))
    try:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            g = quad.graph_name
            if not isinstance(g, ox.NamedNode):
                raise InputError(
                    "a quad outside any named graph; each record must be in its own named graph",
                    where=where, hint="load N-Quads written by `ld-publish export`")
            if g.value != current:
                if current is not None:
                    yield _graph(current, triples, path)
                if g.value in seen:
                    raise InputError(
                        f"the quads of graph <{g.value}> are not contiguous", where=where,
                        hint="sort the file by graph (export writes it so) before loading")
                seen.add(g.value)
                current, triples = g.value, []
            triples.append(quad.triple)
    except SyntaxError as e:
        raise InputError(f"not valid N-Quads: {e}", where=where,
                         hint="check the file is N-Quads (.nq) written by the export") from None
    except OSError as e:
        raise InputError(f"cannot read: {e}", where=where) from None
    if current is not None:
        yield _graph(current, triples, path)


def _graph(name: str, triples: list[ox.Triple], path: Path) -> RecordGraph:
    return RecordGraph.build(key=name, name=name, root=name, triples=triples,
                             source_label=str(path))


def graphs_from_inputs(inputs: Iterable[str | Path]) -> Iterator[RecordGraph]:
    for f in nquads_files(inputs):
        yield from read_record_graphs(f)
