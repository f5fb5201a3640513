"""Limits on what one record may be: past one, the record is quarantined with a reason naming the
limit, and the rest of its source is read on.

They protect a run from one hostile or broken record (a JSON line nested 100,000 deep, a 10 MB
title, a million authors) without refusing real ones: physics papers have 3,000–5,000 authors,
so the contributor limit is far above that. Every limit can be changed (``--limit NAME=VALUE``,
or :class:`Limits` in the Python API); the README's reliability section lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .errors import UsageError

__all__ = ["DEFAULT_LIMITS", "Limits", "parse_limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one record may hold. Sizes are in bytes (of the record's own text) or characters."""

    record_bytes: int = 16 * 1024 * 1024
    nesting_depth: int = 64
    string_chars: int = 1024 * 1024
    contributors: int = 20_000
    references: int = 20_000

    def describe(self, name: str) -> str:
        return f"{name.replace('_', '-')} = {getattr(self, name):,}"


DEFAULT_LIMITS = Limits()


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
    return replace(base, **changes)
