"""Limits on what one record may be: past one, the record is quarantined with a reason naming the
limit, and the rest of its source is read on.

They protect a run from one hostile or broken record (a JSON line nested 100,000 deep, a 10 MB
title, a million authors) without refusing real ones: physics papers have 3,000–5,000 authors,
so the contributor limit is far above that. Every limit can be changed (``--limit NAME=VALUE``,
or :class:`Limits` in the Python API); the README's reliability section lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any

from .errors import UsageError

__all__ = ["DEFAULT_LIMITS", "MAX_NESTING_DEPTH", "Limits", "active",
           "counts_over_limit", "parse_limits", "strings_over_limit", "use"]

# The readers walk parsed records recursively, and Python's recursion limit is near 1,000
# frames: deeper values are cut (readers/jsondepth.py) before any walk can reach them.
MAX_NESTING_DEPTH = 512


@dataclass(frozen=True, slots=True)
class Limits:
    """What one record may hold. Sizes are in bytes (of the record's own text) or characters.

    ``document_bytes`` bounds a file read as one document (a page, JATS, a JSON array, a
    BibTeX file): those are parsed whole, so their size, not a record's, is what memory sees.
    Line-based formats (JSON Lines, RIS) are streamed and only ``record_bytes`` applies.
    """

    record_bytes: int = 16 * 1024 * 1024
    document_bytes: int = 32 * 1024 * 1024
    nesting_depth: int = 64
    string_chars: int = 1024 * 1024
    contributors: int = 20_000
    references: int = 20_000

    def describe(self, name: str) -> str:
        return f"{name.replace('_', '-')} = {getattr(self, name):,}"


DEFAULT_LIMITS = Limits()

# The limits of this process's run: set by the pipeline before it reads (worker processes
# inherit them when they fork), read by the readers that parse nested data.
_active = DEFAULT_LIMITS


def use(limits: Limits) -> None:
    global _active
    _active = limits


def active() -> Limits:
    return _active


def counts_over_limit(work: Any, limits: Limits) -> tuple[str, str] | None:
    """``(field, message)`` when a record has more contributors or references than the limits
    allow, else ``None``.

    ``work`` is a :class:`~ld_publish.model.Work` (typed loosely: the model imports nothing from
    here and this module nothing from the model)."""
    if len(work.contributors) > limits.contributors:
        return ("contributors", f"the record has {len(work.contributors):,} contributors, more "
                                f"than the limit {limits.describe('contributors')}")
    if len(work.references) > limits.references:
        return ("references", f"the record has {len(work.references):,} references, more than "
                              f"the limit {limits.describe('references')}")
    return None


def strings_over_limit(work: Any, limits: Limits) -> tuple[str, str] | None:
    """``(field, message)`` for the first string of a record longer than the limit allows."""
    # Iteratively: no recursion on hostile depth. The source is where the record came from.
    todo: list[tuple[str, Any]] = [("", work)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, str):
            if len(value) > limits.string_chars:
                return (path or "record", f"a text of {len(value):,} characters, more than the "
                                          f"limit {limits.describe('string_chars')}")
        elif isinstance(value, tuple):
            todo.extend((f"{path}[{n}]", item) for n, item in enumerate(value, 1))
        elif is_dataclass(value):
            for name in value.__slots__:  # type: ignore[union-attr]
                item = getattr(value, name)
                if item is not None and name != "source" and not isinstance(item, int | float):
                    todo.append((f"{path}.{name}" if path else name, item))
    return None


def parse_limits(settings: tuple[str, ...] | list[str], base: Limits = DEFAULT_LIMITS) -> Limits:
    """``["contributors=50000", "string-chars=2000000"]`` → a :class:`Limits`."""
    known = {f.name.replace("_", "-"): f.name for f in fields(Limits)}
    changes: dict[str, int] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        key = known.get(name.strip().lower())
        if key is None or not value.strip().isdigit() or int(value) < 1:
            raise UsageError(f"--limit {setting!r} is not NAME=POSITIVE-NUMBER",
                             hint=f"names: {', '.join(sorted(known))}")
        changes[key] = int(value)
    if changes.get("nesting_depth", 0) > MAX_NESTING_DEPTH:
        raise UsageError(f"--limit nesting-depth={changes['nesting_depth']} is past what can "
                         f"be decoded safely", hint=f"give at most {MAX_NESTING_DEPTH}")
    return replace(base, **changes)
