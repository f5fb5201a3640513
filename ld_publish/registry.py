"""Name-based registries for readers, writers and loaders.

Built-in components register themselves exactly like third-party ones do (as rdflib's plugin
registry does), so nothing in the code branches on format names. A plugin can register through
the ``ld_publish.readers`` / ``ld_publish.writers`` / ``ld_publish.loaders`` entry-point groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from .errors import UsageError

T = TypeVar("T")


class Registry(Generic[T]):
    """A mapping from names and aliases to components of one kind."""

    def __init__(self, kind: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._aliases: dict[str, str] = {}
        self._group = entry_point_group
        self._plugins_loaded = False

    def register(self, name: str, item: T, aliases: tuple[str, ...] = ()) -> T:
        key = name.lower()
        if key in self._items or key in self._aliases:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[key] = item
        for alias in aliases:
            self._aliases[alias.lower()] = key
        return item

    def decorator(self, name: str, aliases: tuple[str, ...] = ()) -> Callable[[T], T]:
        def wrap(item: T) -> T:
            return self.register(name, item, aliases)
        return wrap

    def _load_plugins(self) -> None:
        if self._plugins_loaded or not self._group:
            return
        self._plugins_loaded = True
        for ep in entry_points(group=self._group):
            if ep.name.lower() not in self._items:
                self.register(ep.name, ep.load())

    def get(self, name: str) -> T:
        self._load_plugins()
        key = name.lower()
        key = self._aliases.get(key, key)
        try:
            return self._items[key]
        except KeyError:
            known = ", ".join(sorted(self._items))
            raise UsageError(f"unknown {self.kind} {name!r}",
                             hint=f"choose one of: {known}") from None

    def __contains__(self, name: str) -> bool:
        self._load_plugins()
        key = name.lower()
        return key in self._items or key in self._aliases

    def names(self) -> list[str]:
        self._load_plugins()
        return list(self._items)

    def items(self) -> Iterator[tuple[str, T]]:
        self._load_plugins()
        return iter(list(self._items.items()))

    def aliases_of(self, name: str) -> list[str]:
        return sorted(a for a, n in self._aliases.items() if n == name.lower())
