"""Loader for an on-disk pyoxigraph store (the default, no server needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import StoreError
from ..graph import RecordGraph
from .base import HASH_PREDICATE, META_GRAPH, PROBE_GRAPH, LoaderOptions, loaders, replace_update


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
    """Each batch is one ``Store.update`` call, which Oxigraph runs as one transaction."""

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

    def replace(self, graphs: Sequence[RecordGraph]) -> None:
        try:
            self.store.update(replace_update(graphs))
        except (OSError, SyntaxError, ValueError) as e:
            raise self._failed("refused the update", e) from None

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
    return EmbeddedLoader(options.store_path)


loaders.register("oxigraph-embedded", _factory, aliases=("embedded", "pyoxigraph"))
