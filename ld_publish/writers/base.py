"""What a writer is: it turns one record graph into the bytes of one document."""

from __future__ import annotations

from typing import Protocol

from ..formats import RdfFormat
from ..graph import RecordGraph
from ..registry import Registry


class Writer(Protocol):
    """Serialises one record graph. Output must be deterministic: same graph, same bytes."""

    @property
    def format(self) -> RdfFormat: ...

    def write(self, graph: RecordGraph) -> bytes: ...


#: All writers by format name; the aliases of the format resolve too.
writers: Registry[Writer] = Registry("writer", "ld_publish.writers")
