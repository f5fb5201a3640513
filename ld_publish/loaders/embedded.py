"""Loader for an on-disk pyoxigraph store (the default, no server needed)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import StoreError
from ..graph import RecordGraph
from ..locations import local_path
from .base import (
    HASH_PREDICATE,
    META_GRAPH,
    PROBE_GRAPH,
    LoaderOptions,
    hash_literal,
    loaders,
    replace_update,
)


def open_store(path: str | Path) -> ox.Store:
    """Open (creating if needed) the store at ``path``; a lock held by another process is a
    StoreError with a hint, not a raw OSError."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as e:
        raise StoreError(
            f"cannot open the store at {path}: {e}",
            hint="another process (an `oxigraph serve` or another load) may hold the store's "
                 "lock; stop it or use the server through --endpoint") from None


#: How the storage engine words a write the file system refused for want of room; its OSError
#: carries no errno, only text.
_NO_ROOM = ("No space left on device", "File too large", "Disk quota exceeded")


class EmbeddedLoader:
    """Graphs new to the store are added with ``Store.extend`` (one transaction for the batch's
    quads and their hashes, no SPARQL text to build and parse); graphs the store already holds
    are replaced with one ``Store.update`` (drop, insert and hash in one transaction). Either
    way a graph and its hash change together or not at all.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.target = f"file:{self.path.resolve()}"
        self.store = open_store(path)

    def _failed(self, doing: str, error: OSError | SyntaxError | ValueError) -> StoreError:
        text = str(error)
        hint = None
        if any(words in text for words in _NO_ROOM):
            hint = (f"free space on the disk that holds {self.path} and rerun the load: graphs "
                    "already in the store are skipped")
        return StoreError(f"the embedded store at {self.path} {doing}: {text}", hint=hint)

    def stored_hashes(self, names: Sequence[str]) -> dict[str, str]:
        meta, pred = ox.NamedNode(META_GRAPH), ox.NamedNode(HASH_PREDICATE)
        found: dict[str, str] = {}
        for name in names:
            for q in self.store.quads_for_pattern(ox.NamedNode(name), pred, None, meta):
                if isinstance(q.object, ox.Literal):
                    found[name] = q.object.value
        return found

    def _is_new(self, graph: RecordGraph, meta: ox.NamedNode, pred: ox.NamedNode) -> bool:
        """Neither content nor a hash for this graph in the store, and no blank node in it
        (``extend`` keeps blank node labels, which would join equal labels of two graphs)."""
        name = graph.graph_name
        return (not self.store.contains_named_graph(name)
                and next(self.store.quads_for_pattern(name, pred, None, meta), None) is None
                and not graph.has_blank_nodes)

    def _add(self, graphs: Sequence[RecordGraph], meta: ox.NamedNode,
             pred: ox.NamedNode) -> Iterator[ox.Quad]:
        for g in graphs:
            yield from g.quads()
        for g in graphs:
            yield ox.Quad(g.graph_name, pred, ox.Literal(hash_literal(g)), meta)

    def split_new(self, graphs: Sequence[RecordGraph]) -> tuple[list[RecordGraph],
                                                                 list[RecordGraph]]:
        """(graphs the store has nothing of, graphs it holds content or a hash of)."""
        meta, pred = ox.NamedNode(META_GRAPH), ox.NamedNode(HASH_PREDICATE)
        new: list[RecordGraph] = []
        held: list[RecordGraph] = []
        for g in graphs:
            (new if self._is_new(g, meta, pred) else held).append(g)
        return new, held

    def replace(self, graphs: Sequence[RecordGraph]) -> None:
        new, held = self.split_new(graphs)
        meta, pred = ox.NamedNode(META_GRAPH), ox.NamedNode(HASH_PREDICATE)
        try:
            if new:
                self.store.extend(self._add(new, meta, pred))
            if held:
                self.store.update(replace_update(held))
        except (OSError, SyntaxError, ValueError) as e:
            raise self._failed("refused the update", e) from None

    def bulk_add(self, graphs: Sequence[RecordGraph]) -> list[RecordGraph]:
        """Add the graphs new to the store with the storage engine's bulk loader, their hashes
        after them; return the others, for :meth:`replace`.

        Not one transaction: a run killed half-way leaves graphs with content and no hash,
        which the next run (bulk or not) sees as held and replaces. The hashes go in only
        after every graph's content, so a hash never vouches for content not there.
        """
        new, held = self.split_new(graphs)
        if new:
            meta, pred = ox.NamedNode(META_GRAPH), ox.NamedNode(HASH_PREDICATE)
            try:
                # The N-Quads text is parsed by the engine itself, as `bulk_load` of a file
                # is: no Python object per quad.
                self.store.bulk_load(b"".join(g.nquads() for g in new),
                                     format=ox.RdfFormat.N_QUADS)
                self.store.extend(ox.Quad(g.graph_name, pred, ox.Literal(hash_literal(g)), meta)
                                  for g in new)
            except (OSError, SyntaxError, ValueError) as e:
                raise self._failed("refused the bulk load", e) from None
        return held

    def probe(self) -> None:
        try:
            self.store.update(f"DROP SILENT GRAPH <{PROBE_GRAPH}>")
        except OSError as e:
            raise self._failed("failed an update with no records", e) from None

    def close(self) -> None:
        try:
            self.store.flush()
        except OSError as e:
            raise self._failed("could not write what was loaded to disk", e) from None
        finally:
            # Dropping the store releases its lock, even when the flush failed.
            del self.store


def _factory(options: LoaderOptions, client: Any = None) -> EmbeddedLoader:
    # The store is a folder of this machine's (RocksDB): a file:// URL names one, any other
    # URL is refused rather than taken for a relative folder named "s3:".
    return EmbeddedLoader(local_path(options.store_path, "--store"))


loaders.register("oxigraph-embedded", _factory, aliases=("embedded", "pyoxigraph"))
