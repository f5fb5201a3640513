"""Record graphs from N-Quads: an export's output folder or N-Quads files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, Location
from ..graph import RecordGraph

DATASET_FILE = "dataset.nq"


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
    """One RecordGraph per named graph in the file, in order of first appearance.

    The whole file is grouped in memory, since nothing obliges a file to keep a graph's quads
    together.
    """
    groups: dict[str, list[ox.Triple]] = {}
    try:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            g = quad.graph_name
            if not isinstance(g, ox.NamedNode):
                raise InputError(
                    "a quad outside any named graph; each record must be in its own named graph",
                    where=Location(file=str(path)),
                    hint="load N-Quads written by `ld-publish export`")
            groups.setdefault(g.value, []).append(quad.triple)
    except SyntaxError as e:
        raise InputError(f"not valid N-Quads: {e}", where=Location(file=str(path)),
                         hint="check the file is N-Quads (.nq) written by the export") from None
    except OSError as e:
        raise InputError(f"cannot read: {e}", where=Location(file=str(path))) from None
    for name, triples in groups.items():
        yield RecordGraph.build(key=name, name=name, root=name, triples=triples,
                                source_label=str(path))


def graphs_from_inputs(inputs: Iterable[str | Path]) -> Iterator[RecordGraph]:
    for f in nquads_files(inputs):
        yield from read_record_graphs(f)
