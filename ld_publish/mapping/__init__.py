"""The one mapping layer: records in, triples out."""

from .builder import Profile
from .iris import DEFAULT_BASE
from .work import MappedRecord, MappingOptions, map_work

__all__ = ["DEFAULT_BASE", "MappedRecord", "MappingOptions", "Profile", "map_work"]
