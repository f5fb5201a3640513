"""ld-publish's own record format: model.Work as JSON, YAML or JSON Lines.

The format is a direct serialisation of :class:`~ld_publish.model.Work` (field names as in the
dataclasses, enums as their values, dates as ISO strings) with a few shorthands that make it
pleasant to write by hand: a plain string for a :class:`Text`, ``"pages": "1-12"``, a top-level
``"doi"``, contributor and reference positions defaulting to list order, and an optional
``"key"``. Every record is validated against ``ld_publish/data/record.schema.json`` first, so a
typo is reported with its field path instead of being dropped. docs/record-format.md documents
the format for users.

Three readers share this module: ``json`` (one record or a list), ``yaml`` (the same, or several
YAML documents) and ``jsonl`` (one record a line, streamed).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import yaml

from ..errors import InputError, Location, UnsafeInputError
from ..model import (
    Rejected,
    Source,
    Work,
)
from ..sources import InputSource, Line
from .base import (
    RawRecord,
    at_least_one,
    readers,
    require_content,
)
from .jsondepth import bound_depth, loads_bounded, too_deep
from .native_codec import (
    FORMAT,
    RecordError,
    date_text,
    parse_date,
    work_from_dict,
    work_to_dict,
)

__all__ = ["FORMAT", "RecordError", "date_text", "parse_date", "work_from_dict",
           "work_to_dict"]

# -- readers -----------------------------------------------------------------------------------

_MARK = re.compile(r"[\"']?format[\"']?\s*:\s*[\"']?ld-publish/")
_FOREIGN = re.compile(r"\"(?:@context|@graph|message|message-type|DOI|attributes|creators|issued"
                      r"|container-title|URL|ISSN)\"\s*:")
_JSON_KEY = re.compile(r"\"key\"\s*:")
_JSON_WORK = re.compile(r"\"(?:title|contributors)\"\s*:")
_YAML_KEY = re.compile(r"(?m)^(?:-\s+)?key\s*:\s*\S")
_YAML_WORK = re.compile(r"(?m)^(?:-\s+|\s*)(?:title|contributors)\s*:")


def _json_shape(text: str) -> int:
    if _MARK.search(text):
        return 95
    if _FOREIGN.search(text):
        return 0
    return 75 if _JSON_KEY.search(text) and _JSON_WORK.search(text) else 0


def _head_text(head: bytes) -> str:
    return head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")


def _first_line_object(text: str) -> bool:
    line = text.partition("\n")[0]
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


class _NativeReader:
    description = ""
    extensions: tuple[str, ...] = ()
    name = ""
    aliases: tuple[str, ...] = ()

    def _record(self, data: Any, source: Source, raw: Callable[[], str]) -> Work | Rejected:
        try:
            return work_from_dict(data, source)
        except RecordError as exc:
            return Rejected(source, exc.message, raw(), exc.field, exc.hint)

    def _records(self, document: Any, label: str, line: int | None = None,
                 start: int = 1, cut: bool = False) -> Iterator[Work | Rejected]:
        items = document if isinstance(document, list) else [document]
        for number, item in enumerate(items, start):
            pointer = f"[{number - start}]" if isinstance(document, list) else None
            source = Source(label, self.name, number, line, pointer)
            raw = functools.partial(_dump, item)
            deep = too_deep(item, source, raw) if cut else None
            yield deep if deep is not None else self._record(item, source, raw)


def _dump(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False, indent=2, default=str)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


class JsonRecordsReader(_NativeReader):
    name = "json"
    aliases: tuple[str, ...] = ("ld-publish", "native")
    description = "ld-publish records as JSON (one record or a list)"
    extensions: tuple[str, ...] = (".json",)

    def sniff(self, head: bytes, filename: str) -> int:
        text = _head_text(head)
        if not text.startswith(("{", "[")):
            return 0
        if text.startswith("{") and "\n" in text.strip() and _first_line_object(text):
            return 0  # one object a line: JSON Lines
        return _json_shape(text)

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        return at_least_one(self._read(source), source)

    def _read(self, source: InputSource) -> Iterator[Work | Rejected]:
        text = source.read_text()
        try:
            document, cut = loads_bounded(text, _loads)
        except json.JSONDecodeError as exc:
            raise InputError(f"{source.label} is not valid JSON: {exc.msg} (line {exc.lineno}, "
                             f"column {exc.colno})", hint="fix the JSON syntax at that place",
                             where=Location(file=source.label, line=exc.lineno)) from None
        except ValueError as exc:
            raise InputError(f"{source.label}: {exc}",
                             hint=getattr(exc, "hint", "each field may appear only once"),
                             where=Location(file=source.label)) from None
        _check_top(document, source.label)
        yield from self._records(document, source.label, cut=cut)


def _check_top(document: Any, label: str) -> None:
    if not isinstance(document, dict | list):
        raise InputError(f"{label} holds a {type(document).__name__}, not a record",
                         hint="the top level must be one record object or a list of records",
                         where=Location(file=label))


class JsonLinesRecordsReader(_NativeReader):
    name = "jsonl"
    aliases: tuple[str, ...] = ("ndjson",)
    description = "ld-publish records as JSON Lines (one record a line, streamed)"
    extensions: tuple[str, ...] = (".jsonl", ".ndjson")

    def sniff(self, head: bytes, filename: str) -> int:
        text = _head_text(head)
        named = filename.lower().endswith(self.extensions)
        if not text.startswith("{"):
            return 0
        score = _json_shape(text.partition("\n")[0] if "\n" in text else text)
        if not score:
            return 0
        if _first_line_object(text) and "\n" in text.strip():
            return score + 2
        return score + 2 if named else score - 10

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        for raw in self._split(source, keyed=False):
            yield self.decode(raw)

    def split(self, source: InputSource) -> Iterator[RawRecord]:
        """Each record line with its Source and key, not decoded (see :class:`SplittingReader`)."""
        return self._split(source, keyed=True)

    def _split(self, source: InputSource, keyed: bool) -> Iterator[RawRecord]:
        require_content(source)
        yield from self.split_lines(source.label, source.lines(), keyed)

    def split_lines(self, label: str, lines: Iterable[Line], keyed: bool = True
                    ) -> Iterator[RawRecord]:
        """The records of ``lines`` (a source's, or a cluster partition's byte range of it;
        the caller then moves line numbers and positions to the range's place)."""
        position = 0
        for line_number, line, error in lines:
            text = line.strip()
            if not text:
                continue
            position += 1
            where = Source(label, self.name, position, line_number)
            key = line_key(text) if keyed and error is None else None
            yield RawRecord(text, where, key, error)

    def decode(self, raw: RawRecord) -> Work | Rejected:
        if raw.error is not None:
            return Rejected(raw.source, f"line {raw.source.line} is {raw.error.reason}",
                            raw.text, None, raw.error.hint)
        return self._line_record(raw.text, raw.source)

    def _line_record(self, text: str, where: Source) -> Work | Rejected:
        line_number = where.line
        try:
            data, cut = loads_bounded(text, _loads)
        except ValueError as exc:
            reason = (f"line {line_number} is not valid JSON: {exc.msg} (column {exc.colno})"
                      if isinstance(exc, json.JSONDecodeError)
                      else f"line {line_number}: {exc}")
            return Rejected(where, reason, text, None,
                            "each line must hold one complete JSON record object")
        if not isinstance(data, dict):
            return Rejected(where, f"line {line_number} holds a {type(data).__name__}, not a "
                            "record object", text, None, "write one record object a line")
        deep = too_deep(data, where, lambda: text) if cut else None
        return deep if deep is not None else self._record(data, where, lambda: text)


# The members before "key" on a line as work_to_dict writes it ({"format": "ld-publish/1",
# "key": "..."}): top-level string members without escapes, so the match is the real key.
_LEADING_KEY = re.compile(r'\{\s*(?:"[^"\\]*"\s*:\s*"[^"\\]*"\s*,\s*)*"key"\s*:\s*"([^"\\]*)"')


def line_key(text: str) -> str | None:
    """The key a JSON Lines record line has if it decodes to a Work; None if not told cheaply.

    work_from_dict keeps a string ``key`` as it is (else derives one from the DOI or a hash
    of the whole record: not cheap). A line that decodes to a Work is valid JSON without
    repeated members, so a ``"key"`` among the leading plain string members is the top-level
    key; otherwise the line is parsed. A line that is no Work gets a key that does not matter.
    """
    match = _LEADING_KEY.match(text)
    if match:
        return match.group(1)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    key = data.get("key") if isinstance(data, dict) else None
    if not isinstance(key, str):
        return None
    try:
        key.encode("utf-8")  # a lone surrogate from an escape: let the main process decode it
    except UnicodeEncodeError:
        return None
    return key


# A YAML alias (*name) repeats a node; nested aliases expand exponentially ("billion laughs").
# Records never need them, so any alias is refused before the document is built.
_YamlBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _RecordLoader(_YamlBase):  # type: ignore[misc]
    """Safe loading without timestamp resolution: dates stay the text the schema checks."""


_RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _YamlBase.yaml_implicit_resolvers.items()
}


class YamlRecordsReader(_NativeReader):
    name = "yaml"
    aliases: tuple[str, ...] = ("yml",)
    description = "ld-publish records as YAML (a record, a list, or several documents)"
    extensions: tuple[str, ...] = (".yaml", ".yml")

    def sniff(self, head: bytes, filename: str) -> int:
        text = _head_text(head)
        if not text or text.startswith(("{", "[", "<", "@", "TY  -")):
            return 0
        if _MARK.search(text):
            return 95
        if _YAML_KEY.search(text) and _YAML_WORK.search(text):
            return 75 if filename.lower().endswith(self.extensions) else 60
        return 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        return at_least_one(self._read(source), source)

    def _read(self, source: InputSource) -> Iterator[Work | Rejected]:
        text = source.read_text()
        where = Location(file=source.label)
        try:
            for event in yaml.parse(text, Loader=_RecordLoader):
                if isinstance(event, yaml.AliasEvent):
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise UnsafeInputError(
                        f"{source.label} uses a YAML alias (*{event.anchor}) at line {line}; "
                        "aliases are refused because nested ones can expand without bound",
                        hint="write the repeated value out instead of using &anchor / *alias",
                        where=Location(file=source.label, line=line))
            documents = [d for d in yaml.load_all(text, Loader=_RecordLoader) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = str(getattr(exc, "problem", None) or exc)
            # The parser refuses a value nested past its own limit, before any record exists.
            hint = ("no record nests values this deep; check how the file was produced"
                    if "nesting depth" in problem
                    else "fix the YAML syntax at that place (indentation, quotes)")
            raise InputError(f"{source.label} is not valid YAML: {problem}", hint=hint,
                             where=Location(file=source.label, line=line)) from None
        if not documents:
            raise InputError(f"{source.label} holds no YAML document", where=where,
                             hint="give a record object or a list of records")
        position = 1
        for document in documents:
            _check_top(document, source.label)
            document, cut = bound_depth(document)
            yield from self._records(document, source.label, start=position, cut=cut)
            position += len(document) if isinstance(document, list) else 1


readers.register("json", JsonRecordsReader(), aliases=JsonRecordsReader.aliases)
readers.register("yaml", YamlRecordsReader(), aliases=YamlRecordsReader.aliases)
readers.register("jsonl", JsonLinesRecordsReader(), aliases=JsonLinesRecordsReader.aliases)
