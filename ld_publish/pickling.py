"""Faster pickling for the frozen, slotted dataclasses that cross process boundaries.

A ``slots=True`` dataclass pickles through ``dataclasses._dataclass_getstate``, which calls
``fields()`` on every object; a record is a tree of a hundred such objects and goes to a worker
process and back. Reducing to ``(cls, field values)`` instead halves the cost both ways and
rebuilds each object through its own ``__init__`` (so ``__post_init__`` checks still run).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from types import ModuleType
from typing import Any


def _reducer(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
    if len(names) != len(dataclasses.fields(cls)):
        raise TypeError(f"{cls.__name__} has fields outside __init__; it cannot use fast pickling")
    get = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda self: (cls, (get(self),))
    return lambda self: (cls, get(self))


def fast_pickling(module: ModuleType) -> None:
    """Give every dataclass defined in ``module`` the ``(cls, values)`` reduction."""
    for value in vars(module).values():
        if (isinstance(value, type) and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__):
            value.__reduce__ = _reducer(value)  # type: ignore[assignment,method-assign]
