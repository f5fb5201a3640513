"""One work described by several sources (a Crossref JSON and a BibTeX entry of one DOI), merged
field by field into one record.

A pure function on the immutable model: :func:`merge` takes the records of one key in input
order (the first is the one a run published while streaming) and returns the merged record and
which record each field came from. The rules, field by field, are in
``docs/decisions/0009-merging-sources.md``; in short:

* a field is taken whole from one record: the first by ``prefer`` (reader names; readers not
  named come after those named), then the one with *more of the field* (:data:`_AMOUNTS`: more
  authors, then more of them with an ORCID iD or an affiliation; the longer reference list; more
  abstracts; a page range over a lone page; ...), then the earlier in input order;
* identifiers, dates (by kind) and reader extensions (by name) are united: the chosen record's,
  then what the others add;
* a reader's notices and unmapped fields follow the fields they are about;
* ``source`` stays the first record's, the others' become ``merged_from`` (provenance names
  every one).

Merging a record with itself gives it back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from .model import DateValue, Source, Work, WorkDate, WorkType, replace

__all__ = ["Merged", "merge"]


@dataclass(frozen=True, slots=True)
class Merged:
    """The merged record and, per field taken, the indexes (into the records merged) of the
    records it came from (one, or several for a united field)."""

    work: Work
    taken: tuple[tuple[str, tuple[int, ...]], ...]

    def fields_of(self, index: int) -> tuple[str, ...]:
        """The fields record ``index`` gave, in the model's order."""
        return tuple(name for name, owners in self.taken if index in owners)


# Fields not chosen from one record: merge() fills them itself.
_KEPT = ("key", "source", "merged_from")
_UNITED = ("identifiers", "dates", "extra")
_FOLLOWING = ("notices", "unmapped")


def _len(value: Any) -> tuple[int, ...]:
    return (len(value),)


def _present(value: Any) -> tuple[int, ...]:
    return (1,)


def _contributors(value: Any) -> tuple[int, ...]:
    # More authors first (a byline cut short is the commonest loss), then richer people.
    authors = [c for c in value if c.role == "author"]
    return (len(authors), sum(c.identifier("orcid") is not None for c in authors),
            sum(bool(c.affiliations) for c in authors),
            sum(len(c.identifiers) + len(c.emails) for c in value), len(value))


def _references(value: Any) -> tuple[int, ...]:
    return (len(value), sum(r.doi is not None for r in value),
            sum(r.raw is not None for r in value))


def _texts(value: Any) -> tuple[int, ...]:
    return (len(value), sum(len(t.value) for t in value))


def _title(value: Any) -> tuple[int, ...]:
    return (1, value.lang is not None)


def _type(value: Any) -> tuple[int, ...]:
    # Every record has a type; "other" is what a reader says when it cannot tell.
    return (value is not WorkType.OTHER,)


def _pages(value: Any) -> tuple[int, ...]:
    return (1, value.first is not None, value.last is not None)


def _container(value: Any) -> tuple[int, ...]:
    return (value.title is not None, len(value.identifiers), value.publisher is not None,
            value.short_title is not None)


def _organization(value: Any) -> tuple[int, ...]:
    return (1, len(value.identifiers))


def _funding(value: Any) -> tuple[int, ...]:
    return (len(value), sum(len(f.awards) for f in value), sum(f.funder is not None
                                                              for f in value))


# How much of a field a record has (compared as tuples: more is better).
_AMOUNTS: dict[str, Callable[[Any], tuple[int, ...]]] = {
    "type": _type, "title": _title, "abstracts": _texts, "contributors": _contributors,
    "container": _container, "pages": _pages, "funding": _funding, "references": _references,
    "publisher": _organization, "keywords": _texts, "subtitles": _texts,
    "translated_titles": _texts,
}


def _empty(value: Any) -> bool:
    return value is None or value == () or value == ""


def _precision(value: DateValue) -> int:
    return sum(part is not None for part in (value.month, value.day, value.time,
                                             value.tz_minutes))


def merge(records: Sequence[Work], prefer: Sequence[str] = ()) -> Merged:
    """The records of one key (input order; the first published) merged into one."""
    if not records:
        raise ValueError("nothing to merge")
    if len({r.key for r in records}) != 1:
        raise ValueError("only records of one key are merged")
    order = {name: rank for rank, name in reversed(list(enumerate(prefer)))}

    def rank(index: int) -> int:
        return order.get(records[index].source.format, len(prefer))

    values: dict[str, Any] = {}
    taken: dict[str, tuple[int, ...]] = {}
    for item in fields(Work):
        name = item.name
        if name in _KEPT or name in _FOLLOWING:
            continue
        if name in _UNITED:
            values[name], owners = _unite(name, records, rank)
        else:
            values[name], owners = _choose(name, records, rank)
        if owners:
            taken[name] = owners
    owner_of = {name: owners for name, owners in taken.items() if name not in _UNITED}
    values["notices"], values["unmapped"] = _following(records, owner_of)
    for name in _FOLLOWING:
        givers = tuple(i for i, r in enumerate(records)
                       if set(getattr(r, name)) & set(values[name]))
        if givers:
            taken[name] = givers
    first = records[0]
    values["merged_from"] = _sources(records)
    work = replace(first, **values)
    return Merged(work, tuple((f.name, taken[f.name]) for f in fields(Work) if f.name in taken))


def _choose(name: str, records: Sequence[Work], rank: Callable[[int], int]
            ) -> tuple[Any, tuple[int, ...]]:
    amount = _AMOUNTS.get(name, _present)
    candidates = [i for i, r in enumerate(records) if not _empty(getattr(r, name))]
    if not candidates:
        return getattr(records[0], name), ()
    # min over (preference, less of the field, input order): ties go to the earlier record.
    best = min(candidates, key=lambda i: (rank(i), tuple(-n for n in amount(
        getattr(records[i], name))), i))
    return getattr(records[best], name), (best,)


def _unite(name: str, records: Sequence[Work], rank: Callable[[int], int]
           ) -> tuple[tuple[Any, ...], tuple[int, ...]]:
    """The chosen record's items as they are, then the items only others have (by identity:
    an identifier's scheme and value, a date's kind, an extension's name)."""
    identity: Callable[[Any], Hashable] = {
        "identifiers": lambda i: (i.scheme, i.value),
        "dates": lambda d: d.kind,
        "extra": lambda e: e[0],
    }[name]
    candidates = [i for i, r in enumerate(records) if getattr(r, name)]
    if not candidates:
        return (), ()
    if name == "dates":
        # The record whose dates are more precise, then the one with more of them.
        def amount(i: int) -> tuple[int, ...]:
            dates: tuple[WorkDate, ...] = records[i].dates
            return (sum(_precision(d.value) for d in dates), len(dates))
    else:
        def amount(i: int) -> tuple[int, ...]:
            return (len(getattr(records[i], name)),)
    ranked = sorted(candidates, key=lambda i: (rank(i), tuple(-n for n in amount(i)), i))
    items: list[Any] = list(getattr(records[ranked[0]], name))
    seen = {identity(x) for x in items}
    owners = [ranked[0]]
    for i in ranked[1:]:
        added = [x for x in getattr(records[i], name) if identity(x) not in seen]
        for x in added:
            seen.add(identity(x))
        if added:
            items.extend(added)
            owners.append(i)
    return tuple(items), tuple(sorted(owners))


_TOP = re.compile(r"[A-Za-z_]+")


def _following(records: Sequence[Work], owner_of: dict[str, tuple[int, ...]]
               ) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """Notices and unmapped fields of each record about the fields taken from it (or about
    no field of the model: the record as a whole, or a united field), each once."""

    def about(index: int, path: str) -> bool:
        top = _TOP.match(path)
        owners = owner_of.get(top.group(0)) if top else None
        return owners is None or index in owners

    notices = _each_once((i, n) for i, r in enumerate(records) for n in r.notices
                         if about(i, n.field))
    # A source field the reader did not carry over is the source's, whatever was merged.
    unmapped = _each_once((i, u) for i, r in enumerate(records) for u in r.unmapped)
    return notices, unmapped


def _each_once(items: Iterable[tuple[int, Hashable]]) -> tuple[Any, ...]:
    """Each item once, except repeats within the first record that has it (merging a record
    with itself must give it back as it was)."""
    out: list[Any] = []
    first: dict[Hashable, int] = {}
    for index, item in items:
        if first.setdefault(item, index) == index:
            out.append(item)
    return tuple(out)


def _sources(records: Sequence[Work]) -> tuple[Source, ...]:
    """The sources besides the first record's, each once, in input order."""
    out: list[Source] = []
    for record in records:
        for source in (record.source, *record.merged_from):
            if source != records[0].source and source not in out:
                out.append(source)
    return tuple(out)
