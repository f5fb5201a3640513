"""The ld-publish record format's codec: :class:`~ld_publish.model.Work` to and from plain
dicts (what JSON, YAML and JSON Lines hold), with the JSON Schema check in front.

Kept apart from the readers (``native.py``) because export, load and the benchmark use it to
write and re-read records without reading files. See docs/record-format.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import hashlib
import json
import re
import types
import typing
from enum import Enum
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    import jsonschema

from .. import model
from ..model import DateValue, Identifier, Notice, Pages, Source, Text, Work
from .identify import identifier

__all__ = ["FORMAT", "RecordError", "date_text", "parse_date", "work_from_dict",
           "work_to_dict"]

FORMAT = "ld-publish/1"

_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:T(?P<H>\d{2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?)?)?(?P<tz>Z|[+-]\d{2}:\d{2})?$")


class RecordError(ValueError):
    """A record that does not fit the format; ``field`` is its path (1-based indexes)."""

    def __init__(self, message: str, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.hint = hint


# -- Work -> dict ------------------------------------------------------------------------------

def work_to_dict(work: Work) -> dict[str, Any]:
    """The record as plain JSON data (``source`` and ``merged_from`` left out: they say where
    a record was read)."""
    out: dict[str, Any] = {"format": FORMAT, "key": work.key}
    for f in dataclasses.fields(work):
        if f.name in ("key", "source", "merged_from"):
            continue
        value = getattr(work, f.name)
        if value is None or value == () or (f.name == "type" and value == f.default):
            continue
        out[f.name] = _encode(value)
    return out


def _encode(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, DateValue):
        return date_text(value)
    if isinstance(value, Text):
        return value.value if value.lang is None else {"value": value.value, "lang": value.lang}
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            required = f.default is dataclasses.MISSING and (
                f.default_factory is dataclasses.MISSING)
            if not required and (item is None or item == () or item == f.default):
                continue
            out[f.name] = _encode(item)
        return out
    return value


def date_text(value: DateValue) -> str:
    """The ISO 8601 text of a date, keeping microseconds and a UTC offset when present."""
    text = f"{value.year:04d}"
    if value.month is not None:
        text += f"-{value.month:02d}"
    if value.day is not None:
        text += f"-{value.day:02d}"
    if value.time is not None:
        text += "T" + value.time.replace(tzinfo=None).isoformat()
    if value.tz_minutes is not None:
        minutes = value.tz_minutes
        text += "Z" if minutes == 0 else (
            f"{'+' if minutes > 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")
    return text


# -- dict -> Work ------------------------------------------------------------------------------

def work_from_dict(data: dict[str, Any], source: Source) -> Work:
    """The Work a record describes; :class:`RecordError` (with field path) when it is invalid."""
    _validate(data)
    notices: list[Notice] = []
    body = {k: v for k, v in data.items() if k not in ("$schema", "format", "doi")}
    _default_positions(body)
    kwargs = _decode_fields(Work, body, "", notices)
    identifiers = list(kwargs.get("identifiers", ()))
    if "doi" in data:
        shorthand = _identifier({"scheme": "doi", "value": str(data["doi"])}, "doi", notices)
        existing = next((i for i in identifiers if i.scheme == "doi"), None)
        if shorthand and existing and existing.value != shorthand.value:
            raise RecordError(f"'doi' {data['doi']!r} differs from the DOI in identifiers "
                              f"({existing.value!r})", "doi",
                              "give the DOI once, either as 'doi' or in 'identifiers'")
        if shorthand and not existing:
            identifiers.insert(0, shorthand)
    kwargs["identifiers"] = tuple(identifiers)
    if "key" not in kwargs:
        doi = next((i.value for i in identifiers if i.scheme == "doi"), None)
        kwargs["key"] = doi or "sha256:" + hashlib.sha256(json.dumps(
            body, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()
    kwargs["notices"] = tuple(kwargs.get("notices", ())) + tuple(notices)
    return Work(source=source, **kwargs)


def _default_positions(body: dict[str, Any]) -> None:
    counts: dict[str, int] = {}
    for item in body.get("contributors") or ():
        if isinstance(item, dict) and "position" not in item:
            role = item.get("role", "author")
            counts[role] = counts.get(role, 0) + 1
            item["position"] = counts[role]
    for number, item in enumerate(body.get("references") or (), 1):
        if isinstance(item, dict) and "position" not in item:
            item["position"] = number


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


@functools.cache
def _required(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls)
                     if f.default is dataclasses.MISSING
                     and f.default_factory is dataclasses.MISSING)


Decoder = typing.Callable[[Any, str, list[Notice]], Any]


def _decode_fields(cls: type, data: dict[str, Any], path: str,
                   notices: list[Notice]) -> dict[str, Any]:
    decoders = _field_decoders(cls)
    required = _required(cls)
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            if name in required:  # e.g. Container(title=None) keeps its null
                kwargs[name] = None
            continue
        kwargs[name] = decoders[name](value, f"{path}.{name}" if path else name, notices)
    return kwargs


@functools.cache
def _field_decoders(cls: type) -> dict[str, Decoder]:
    return {name: _decoder(tp) for name, tp in _hints(cls).items()}


def _decode(tp: Any, value: Any, path: str, notices: list[Notice]) -> Any:
    return _decoder(tp)(value, path, notices)


@functools.cache
def _decoder(tp: Any) -> Decoder:
    """A decoding function for one model type, built once: reflecting on type hints for every
    value made reading the main cost of a large export."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decoder(inner[0])
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])

            def many(value: Any, path: str, notices: list[Notice]) -> Any:
                items = (item(v, f"{path}[{n}]", notices) for n, v in enumerate(value, 1))
                return tuple(i for i in items if i is not None)

            return many
        return lambda value, path, notices: tuple(value)
    if origin is typing.Literal or tp is int:
        return lambda value, path, notices: value
    if tp is str:
        return lambda value, path, notices: str(value)
    if isinstance(tp, type) and issubclass(tp, Enum):
        enum: Any = tp
        return lambda value, path, notices: enum(value)
    if tp is DateValue:
        return lambda value, path, notices: parse_date(str(value), path)
    if tp is Text:
        return lambda value, path, notices: (
            Text(value) if isinstance(value, str) else Text(value["value"], value.get("lang")))
    if tp is Pages:
        return _pages
    if tp is Identifier:
        return lambda value, path, notices: _identifier(
            _decode_fields(Identifier, value, path, notices), path, notices)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        cls: Any = tp
        return lambda value, path, notices: cls(**_decode_fields(cls, value, path, notices))
    raise TypeError(f"no decoder for {tp!r}")  # a model change this module missed


def _pages(value: Any, path: str, notices: list[Notice]) -> Pages:
    if isinstance(value, dict):
        return Pages(**_decode_fields(Pages, value, path, notices))
    text = str(value)
    parts = re.split(r"\s*[-–]\s*", text, maxsplit=1)
    return Pages(text, parts[0], parts[1] if len(parts) == 2 else None)


def _identifier(fields: dict[str, Any], path: str, notices: list[Notice]) -> Identifier | None:
    # The record format holds canonical values: any other spelling is normalised and noted.
    # An invalid identifier is a violation, as a bad ORCID iD always was here.
    scheme, value, original = fields["scheme"], fields["value"], fields.get("original")
    checked = identifier(scheme, value, path, notices, qualifier=fields.get("qualifier"))
    if checked is None:
        return None
    if checked.value == value:
        return dataclasses.replace(checked, original=original)
    notices.append(Notice(path, f"{scheme} {value!r} normalised to {checked.value!r}", value,
                          None, "info"))
    return dataclasses.replace(checked, original=original or value)


def parse_date(text: str, path: str = "date") -> DateValue:
    """A DateValue from its ISO text (the inverse of :func:`date_text`)."""
    match = _DATE.match(text)
    if not match:
        raise RecordError(f"{text!r} is not a date", path, _DATE_HINT)
    g = match.groupdict()
    time = None
    if g["H"] is not None:
        micro = int((g["f"] or "0").ljust(6, "0"))
        try:
            time = dt.time(int(g["H"]), int(g["M"]), int(g["S"] or 0), micro)
        except ValueError as exc:
            raise RecordError(f"{text!r} is not a valid time: {exc}", path, _DATE_HINT) from None
    tz = None
    if g["tz"]:
        tz = 0 if g["tz"] == "Z" else (1 if g["tz"][0] == "+" else -1) * (
            int(g["tz"][1:3]) * 60 + int(g["tz"][4:6]))
    try:
        return DateValue(int(g["y"]), int(g["m"]) if g["m"] else None,
                         int(g["d"]) if g["d"] else None, time, tz)
    except ValueError as exc:
        raise RecordError(f"{text!r} is not a valid date: {exc}", path, _DATE_HINT) from None


_DATE_HINT = "dates look like 2025, 2025-02, 2025-02-03 or 2025-02-03T10:00:00 (+03:00 or Z)"


# -- schema ------------------------------------------------------------------------------------

@functools.cache
def _schema() -> dict[str, Any]:
    text = resources.files("ld_publish").joinpath("data/record.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    # Imported on use (only for records the fast gate refuses, to word the error).
    import jsonschema

    return jsonschema.Draft202012Validator(_schema())


@functools.cache
def _fast_validator() -> Any:
    # jsonschema-rs checks the same draft 2020-12 schema about a thousand times faster;
    # python-jsonschema is only asked, for an invalid record, to word the best error.
    return jsonschema_rs.Draft202012Validator(_schema())


def _validate(data: Any) -> None:
    if not isinstance(data, dict):
        raise RecordError(f"a record must be an object, not {type(data).__name__}", None,
                          "write each record as {\"key\": ..., \"title\": ...}")
    if _fast_validator().is_valid(data):
        return
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(data))
    if error is None:
        return
    path = _path(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        if unknown:
            path = f"{path}.{unknown[0]}" if path else unknown[0]
    raise RecordError(error.message, path or None, _hint(error))


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _hint(error: jsonschema.ValidationError) -> str:
    kind = error.validator
    if kind == "additionalProperties":
        names = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(names)) if isinstance(
            error.instance, dict) else []
        close = difflib.get_close_matches(unknown[0], names, 1) if unknown else []
        guess = f"did you mean {close[0]!r}? " if close else ""
        return f"{guess}remove or rename the field; known fields here: {', '.join(names)}"
    if kind == "enum":
        return "choose one of: " + ", ".join(map(str, error.validator_value))
    if kind == "required":
        return "add the missing field"
    if kind == "pattern" or "date" in str(error.schema.get("description", "")):
        return _DATE_HINT
    if kind == "type":
        return f"give a value of type {error.validator_value}"
    return "see docs/record-format.md for the record format"
