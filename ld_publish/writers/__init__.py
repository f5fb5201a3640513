"""Writers, registered by format name (see :mod:`ld_publish.formats`)."""

from __future__ import annotations

from . import jsonld, oxigraph, turtle  # noqa: F401  (built-ins register themselves on import)
from .base import Writer, writers

__all__ = ["Writer", "writers"]
