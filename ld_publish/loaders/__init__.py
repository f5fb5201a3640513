"""Loading record graphs into triplestores: one named graph per record, replaced, never appended.

Built-in loaders register in :data:`loaders` (``oxigraph-embedded``, ``sparql``); per-server
details live in :data:`profiles`. :func:`load_graphs` runs a load from any iterator of
RecordGraph.
"""

from . import embedded, sparql  # noqa: F401  (register the built-in loaders)
from .base import (
    HASH_PREDICATE,
    META_GRAPH,
    BatchRejected,
    Loader,
    LoaderOptions,
    Quarantine,
    loaders,
)
from .nquads import graphs_from_inputs, nquads_files, read_record_graphs
from .profiles import StoreProfile, profiles
from .run import LoadReport, load_graphs

__all__ = [
    "HASH_PREDICATE",
    "META_GRAPH",
    "BatchRejected",
    "LoadReport",
    "Loader",
    "LoaderOptions",
    "Quarantine",
    "StoreProfile",
    "graphs_from_inputs",
    "load_graphs",
    "loaders",
    "nquads_files",
    "profiles",
    "read_record_graphs",
]
