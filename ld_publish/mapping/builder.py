"""Collects the triples of one record, honouring the output profile."""

from __future__ import annotations

import copy
import re
import unicodedata
from enum import StrEnum

from ..errors import RecordError
from ..model import DateValue, Notice, Text
from ..terms import Term, Triple, iri_value, literal
from ..text_hygiene import SUSPECT, clean_text
from .namespaces import RDF_TYPE, XSD

_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SUSPECT_RE = re.compile(f"{SUSPECT}|[\ud800-\udfff]")


class Profile(StrEnum):
    """Which vocabularies to emit: Schema.org, SPAR (and friends), or both in one graph."""

    BOTH = "both"
    SCHEMA = "schema"
    SPAR = "spar"


Subject = Term
Object = Term


class GraphBuilder:
    """Triples for one record. ``schema``/``spar`` add only when the profile asks for them."""

    def __init__(self, profile: Profile, record_label: str) -> None:
        self.triples: list[Triple] = []
        self.notices: list[Notice] = []
        self.with_schema = profile in (Profile.BOTH, Profile.SCHEMA)
        self.with_spar = profile in (Profile.BOTH, Profile.SPAR)
        self.record_label = record_label
        self.fields: dict[Term, str] = {}
        self.order: dict[tuple[Term, str], tuple[Term, ...]] = {}

    def spar_only(self) -> GraphBuilder:
        """A view of this builder that adds only the SPAR statements (same triples, notices
        and fields): for nodes Schema.org cannot link, which it should not describe either."""
        view = copy.copy(self)
        view.with_schema = False
        return view

    def add(self, s: Subject, p: Term, o: Object) -> None:
        self.triples.append((s, p, o))

    def schema(self, s: Subject, p: Term, o: Object) -> None:
        if self.with_schema:
            self.triples.append((s, p, o))

    def spar(self, s: Subject, p: Term, o: Object) -> None:
        if self.with_spar:
            self.triples.append((s, p, o))

    def both(self, s: Subject, schema_p: Term, spar_p: Term, o: Object) -> None:
        """One value under its Schema.org and its SPAR (or DC, PRISM) property."""
        if self.with_schema:
            self.triples.append((s, schema_p, o))
        if self.with_spar:
            self.triples.append((s, spar_p, o))

    def texts(self, s: Subject, values: tuple[Text, ...], field: str,
              schema_p: Term, spar_p: Term) -> None:
        """Language-tagged texts (``field[1]``, ``field[2]`` ...) under both properties."""
        for index, value in enumerate(values, 1):
            self.both(s, schema_p, spar_p, self.text(value, f"{field}[{index}]"))

    def type(self, s: Subject, *, schema: Term | None = None,
             spar: tuple[Term, ...] = ()) -> None:
        if schema is not None:
            self.schema(s, RDF_TYPE, schema)
        for cls in spar:
            self.spar(s, RDF_TYPE, cls)

    # -- literals -------------------------------------------------------------------------
    def literal(self, value: str, field: str, *, lang: str | None = None,
                datatype: Term | None = None) -> Term:
        # One scan for what is rare: unpaired surrogates, and what text_hygiene cleans or
        # reports (controls, separators, bidi, zero-width, mojibake); then NFC for non-ASCII.
        if _SUSPECT_RE.search(value) or not (value.isascii()
                                             or unicodedata.is_normalized("NFC", value)):
            if _SURROGATE_RE.search(value):
                raise RecordError(
                    f"field {field} contains an unpaired UTF-16 surrogate, which no RDF syntax "
                    "can hold", hint="fix the text encoding of the source (\\ud800-\\udfff "
                    "escapes must come in pairs)")
            value, notices = clean_text(value, field)
            self.notices.extend(notices)
        if lang:
            if _LANG_RE.match(lang):
                return literal(value, language=lang.lower())
            self.notices.append(Notice(
                field=field, value=lang, message=f"language tag {lang!r} is not BCP 47",
                hint="use a tag such as en, ru or pt-BR; the text was kept without a tag"))
        if datatype is not None:
            return literal(value, datatype=datatype)
        return literal(value)

    def text(self, value: Text, field: str) -> Term:
        return self.literal(value.value, field, lang=value.lang)

    def plain(self, value: str, field: str) -> Term:
        return self.literal(value, field)

    def date(self, value: DateValue) -> Term:
        return literal(value.iso(), datatype=XSD[value.xsd_type])

    def integer(self, value: int) -> Term:
        return literal(str(value), datatype=XSD.integer)

    # -- what the mapping knows besides the triples ---------------------------------------
    def field_of(self, node: Term, path: str) -> None:
        """Remember the record field a node came from (the first one wins: a shared node keeps
        the field of its first use), for the validation report."""
        self.fields.setdefault(node, path)

    def ordered(self, subject: Term, predicate: Term, objects: list[Term]) -> None:
        """The order of several values of one property (authors, references): RDF keeps none,
        the JSON-LD writer lists them in it."""
        if len(objects) > 1:
            self.order[(subject, iri_value(predicate))] = tuple(dict.fromkeys(objects))
