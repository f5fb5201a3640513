"""The ``crossref`` reader: Crossref REST API work JSON in every shape Crossref hands it out.

Accepted shapes: a bare ``message`` object; the API envelope (``message-type`` ``work`` or
``work-list``); a bare ``{"items": [...]}`` (the layout of the Crossref public data files, which
:func:`ld_publish.sources.expand` unpacks and gunzips); a JSON array of works; and JSON Lines,
one work (bare or enveloped) per line, streamed. A broken item inside a list is yielded as
:class:`~ld_publish.model.Rejected` with its pointer (``items[3]``) and its own JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, Location, RecordError
from ..model import Rejected, Source, Work
from ..sources import InputSource, decode_text
from .base import at_least_one, readers
from .common import first_line_is_json
from .crossref_work import read_work
from .csl_crossref import looks_like_crossref_csl
from .jsondepth import loads_bounded, too_deep

__all__ = ["CrossrefReader"]

# A Crossref public data file holds thousands of works in one document.
MAX_LIST_SCALE = 8

# Keys that Crossref writes and CSL-JSON never does.
_CROSSREF_ONLY = re.compile(
    rb'"(?:message-type|reference-count|references-count|is-referenced-by-count|deposited|'
    rb'indexed|content-domain|issn-type|short-container-title|member|prefix)"\s*:')
_CROSSREF_SOURCE = re.compile(rb'"source"\s*:\s*"Crossref"')
_DATE_OBJECT = re.compile(rb'"(?:published-print|published-online|created)"\s*:\s*\{')
_DOI_KEY = re.compile(rb'"DOI"\s*:')
_TYPE_KEY = re.compile(rb'"type"\s*:\s*"[a-z\-]+"')


class CrossrefReader:
    name: str = "crossref"
    aliases: tuple[str, ...] = ("crossref-json",)
    description: str = "Crossref REST API work JSON: message, envelope, works list, JSON Lines"
    extensions: tuple[str, ...] = (".json", ".jsonl", ".ndjson")

    def sniff(self, head: bytes, filename: str) -> int:
        start = head.lstrip()[:1]
        if start not in (b"{", b"["):
            return 0
        if looks_like_crossref_csl(head):
            # Crossref's own CSL-JSON (content negotiation): the CSL reader reads it whole.
            return 0
        strong = len(set(_CROSSREF_ONLY.findall(head)))
        if _CROSSREF_SOURCE.search(head):
            strong += 2
        if _DATE_OBJECT.search(head):
            strong += 1
        has_doi = bool(_DOI_KEY.search(head))
        if strong >= 3:
            return 95
        if strong >= 1 and (has_doi or b'"items"' in head):
            return 80
        if has_doi and _TYPE_KEY.search(head) and b'"container-title"' in head:
            # CSL-JSON writes these too; leave the field to a more certain reader.
            return 25
        return 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        return at_least_one(self._read(source), source)

    def _read(self, source: InputSource) -> Iterator[Work | Rejected]:
        if source.name.endswith((".jsonl", ".ndjson")):
            yield from self._read_lines(source)
            return
        data = source.read_bytes(MAX_LIST_SCALE)
        try:
            text = decode_text(data, source.label)
        except InputError:
            # One line in another encoding must not cost the other lines of a JSON Lines file.
            if first_line_is_json(data.decode("utf-8", "replace")):
                yield from self._read_lines(source)
                return
            raise
        try:
            document, cut = loads_bounded(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data" and first_line_is_json(text):
                yield from self._read_lines(source)
                return
            raise InputError(
                f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                hint="check the file is complete Crossref JSON (one object, or one per line)",
                where=Location(file=source.label, line=exc.lineno)) from None
        yield from self._read_document(document, source.label, None, cut=cut)

    def _read_lines(self, source: InputSource) -> Iterator[Work | Rejected]:
        position = 0
        for number, line, error in source.lines():
            if not line.strip():
                continue
            position += 1
            where = Source(source.label, self.name, position, number, f"line {number}")
            if error is not None:
                yield Rejected(where, f"line {number} is {error.reason}",
                               line.rstrip("\r\n"), hint=error.hint)
                continue
            try:
                document, cut = loads_bounded(line)
            except json.JSONDecodeError as exc:
                yield Rejected(where, f"line {number} is not valid JSON: {exc.msg}",
                               line.rstrip("\n"), hint="each line must hold one JSON object")
                continue
            try:
                yield from self._read_document(document, source.label, number, position, cut)
            except InputError as exc:
                # What fails a whole document fails only its line of a JSON Lines file.
                yield Rejected(where, f"line {number}: {exc.message}", line.rstrip("\r\n"),
                               hint=exc.hint or "each line must hold one Crossref work object")

    def _read_document(self, document: Any, label: str, line: int | None,
                       position: int = 1, cut: bool = False) -> Iterator[Work | Rejected]:
        if isinstance(document, list):
            yield from self._read_items(document, label, "", line, cut)
            return
        if not isinstance(document, dict):
            raise InputError("Crossref JSON must be an object or a list of objects",
                             where=Location(file=label, line=line))
        message_type = document.get("message-type")
        if "message" in document and ("status" in document or message_type):
            status = document.get("status")
            if status not in (None, "ok"):
                raise InputError(f"the Crossref API answered with status {status!r}",
                                 hint="the file holds an error response, not a work",
                                 where=Location(file=label, line=line))
            if message_type not in (None, "work", "work-list"):
                raise InputError(f"message-type {message_type!r} is not a work",
                                 hint="give a works response (/works/{doi} or /works?...)",
                                 where=Location(file=label, line=line))
            message = document["message"]
            if message_type == "work-list" or (isinstance(message, dict)
                                               and isinstance(message.get("items"), list)):
                items = message.get("items") if isinstance(message, dict) else None
                if not isinstance(items, list):
                    raise InputError("a work-list without message.items",
                                     where=Location(file=label, line=line))
                yield from self._read_items(items, label, "message.items", line, cut)
                return
            yield self._one(message, label, position, line, "message", cut)
            return
        if isinstance(document.get("items"), list) and "DOI" not in document:
            yield from self._read_items(document["items"], label, "items", line, cut)
            return
        yield self._one(document, label, position, line, None, cut)

    def _read_items(self, items: list[Any], label: str, path: str,
                    line: int | None, cut: bool) -> Iterator[Work | Rejected]:
        for index, item in enumerate(items):
            yield self._one(item, label, index + 1, line, f"{path}[{index}]", cut)

    def _one(self, item: Any, label: str, position: int, line: int | None,
             pointer: str | None, cut: bool) -> Work | Rejected:
        where = Source(label, self.name, position, line, pointer)
        raw = json.dumps(item, ensure_ascii=False, indent=1)
        deep = too_deep(item, where, lambda: raw) if cut else None
        if deep is not None:
            return deep
        if not isinstance(item, dict):
            return Rejected(where, f"{pointer or 'record'} is not a JSON object", raw,
                            hint="each work must be a JSON object")
        if not item.get("DOI") and not item.get("title"):
            return Rejected(where, "work has neither a DOI nor a title", raw, field="DOI",
                            hint="a Crossref work needs at least its DOI")
        if "format" in item or ("title" in item and not isinstance(item["title"], list)):
            # Crossref always gives titles as a list; CSL-JSON and ld-publish records (which
            # share DOI/title/type keys) give a string or an object.
            return Rejected(where, "not a Crossref work: its title is not a list of titles",
                            raw, field="title",
                            hint="read CSL-JSON (also Crossref's, from content negotiation) "
                                 "with --from csl-json and ld-publish records with --from json")
        try:
            return read_work(item, where, raw)
        except RecordError as exc:  # a value that must not be read (an unsafe DTD)
            return Rejected(where, exc.message, raw, exc.where.field, exc.hint)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            # Odd shapes (a number where a list belongs) must not stop the other records.
            return Rejected(where, f"unexpected data shape: {exc}", raw,
                            hint="compare the record with the Crossref REST API schema")


readers.register("crossref", CrossrefReader(), aliases=CrossrefReader.aliases)
