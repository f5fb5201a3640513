"""Safe XML parsing for readers (JATS, DataCite XML): no DTDs, no external entities, no bombs.

XML lets a document pull in files and URLs through its DOCTYPE and blow up through nested
entities. Scholarly XML needs neither: JATS documents declare a DTD only for validation and use
its *named character entities* (``&mdash;``, ``&nbsp;``). So before lxml sees the text we

* take the DOCTYPE out (keeping its public and system identifiers for format detection) and
  never load the DTD it names;
* accept, from its internal subset, only plain internal general entities whose expansion stays
  small; parameter entities and external (``SYSTEM``/``PUBLIC``) entities are refused with
  :class:`~ld_publish.errors.UnsafeInputError`;
* replace named entities with numeric character references from the bundled catalog
  (``ld_publish/data/entities``), and declared internal entities with their expansion under a
  size budget, so a "billion laughs" document fails after a few kilobytes of work;
* parse with a hardened lxml parser (no network, no DTD loading, no entity resolution, no
  huge-tree mode), so anything the pre-pass missed still cannot reach a file or a socket.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from lxml import etree

from .errors import InputError, Location, UnsafeInputError

__all__ = [
    "MAX_ENTITY_CHARS",
    "MAX_EXPANSION_CHARS",
    "XmlDocument",
    "expand_fragment",
    "named_entities",
    "parse_xml",
]

#: Largest expansion of one declared entity; the fifth level of a billion-laughs bomb is 300 KB.
MAX_ENTITY_CHARS = 64 * 1024
#: Largest total growth of the document through declared-entity substitution.
MAX_EXPANSION_CHARS = 4 * 1024 * 1024
_MAX_ENTITY_DEPTH = 8
_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})

_ENCODING_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_XML_DECL = re.compile(r"^<\?xml\s[^>]*\?>")
_ENTITY_REF = re.compile(r"&([A-Za-z_:][\w.\-:]*);")
_PE_REF = re.compile(r"%[A-Za-z_:][\w.\-:]*;")
# Spans where "&name;" is literal text (CDATA) or nothing at all (comments).
_OPAQUE = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)
_NAME = re.compile(r"[A-Za-z_:][\w.\-:]*")


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """A parsed document and what its DOCTYPE said (the DTD itself is never read)."""

    root: Any  # lxml.etree._Element; typed loosely because lxml ships no stubs here
    doctype_name: str | None = None
    public_id: str | None = None
    system_id: str | None = None
    declared_entities: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def named_entities() -> dict[str, str]:
    """Entity name -> characters, from the bundled catalog (see its README for provenance)."""
    path = resources.files("ld_publish").joinpath("data/entities/named-entities.json")
    table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["entities"]
    return table


def parse_xml(data: bytes, label: str) -> XmlDocument:
    """Parse ``data`` safely; :class:`InputError` naming ``label`` and the line when malformed."""
    text = _decode(data, label)
    text = _XML_DECL.sub(lambda m: "\n" * m.group(0).count("\n"), text, count=1)
    doctype, text = _take_doctype(text, label)
    entities = _expand_declared(doctype.entities, label) if doctype else {}
    text = _substitute_entities(text, entities, label)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, attribute_defaults=False, recover=False, remove_blank_text=False,
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        message = str(exc.msg or exc).split(", line ")[0]
        raise InputError(
            f"not well-formed XML at line {line}: {message}",
            hint="the file may be truncated or hand-edited; check the element named near that "
                 "line is closed",
            where=Location(file=label, line=line)) from None
    if root is None:
        raise InputError("the document holds no XML element", where=Location(file=label))
    return XmlDocument(
        root=root,
        doctype_name=doctype.name if doctype else None,
        public_id=doctype.public_id if doctype else None,
        system_id=doctype.system_id if doctype else None,
        declared_entities=tuple(entities),
    )


def expand_fragment(text: str, label: str) -> str:
    """A markup fragment that carries its own DOCTYPE (a Crossref abstract does, now and then),
    with the DOCTYPE taken out and every entity reference but the five of XML replaced: declared
    internal entities by their expansion, named ones by numeric character references.

    The fragment is not parsed (fragments are often not well-formed); what :func:`parse_xml`
    refuses in a DOCTYPE - external and parameter entities, bombs, undefined entities - is
    refused here with the same errors.
    """
    text = _XML_DECL.sub("", text.lstrip(), count=1)
    doctype, text = _take_doctype(text, label)
    entities = _expand_declared(doctype.entities, label) if doctype else {}
    return _substitute_entities(text, entities, label)


def _decode(data: bytes, label: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        match = _ENCODING_DECL.match(data.lstrip()[:200])
        encoding = match.group(1).decode("ascii") if match else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r} declared",
                         hint="re-save the file as UTF-8", where=Location(file=label)) from None
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid {encoding.upper()} text at byte {exc.start} (line {line})",
            hint="fix the encoding declaration or convert the file to UTF-8",
            where=Location(file=label, line=line)) from None


@dataclass(frozen=True, slots=True)
class _Doctype:
    name: str
    public_id: str | None
    system_id: str | None
    entities: dict[str, str]


def _take_doctype(text: str, label: str) -> tuple[_Doctype | None, str]:
    """Find the DOCTYPE in the prolog, return what it declares and the text without it."""
    pos = 0
    while True:
        match = re.compile(r"\s*(<!--.*?-->|<\?.*?\?>)", re.DOTALL).match(text, pos)
        if not match:
            break
        pos = match.end()
    match = re.compile(r"\s*<!DOCTYPE\s+").match(text, pos)
    if not match:
        return None, text
    start = text.index("<!DOCTYPE", pos)
    cursor = _Cursor(text, match.end(), label)
    name = cursor.name()
    public_id = system_id = None
    cursor.skip_space()
    if cursor.startswith("PUBLIC"):
        cursor.advance(6)
        public_id = cursor.quoted()
        cursor.skip_space()
        if cursor.peek() in "\"'":
            system_id = cursor.quoted()
    elif cursor.startswith("SYSTEM"):
        cursor.advance(6)
        system_id = cursor.quoted()
    cursor.skip_space()
    entities: dict[str, str] = {}
    if cursor.peek() == "[":
        cursor.advance(1)
        entities = _internal_subset(cursor)
    cursor.skip_space()
    cursor.expect(">")
    end = cursor.pos
    blank = "\n" * text.count("\n", start, end)
    return _Doctype(name, public_id, system_id, entities), text[:start] + blank + text[end:]


class _Cursor:
    """A tiny scanner over the DOCTYPE; errors name the file and line."""

    def __init__(self, text: str, pos: int, label: str) -> None:
        self.text, self.pos, self.label = text, pos, label

    def fail(self, message: str) -> InputError:
        line = self.text.count("\n", 0, self.pos) + 1
        return InputError(f"malformed DOCTYPE at line {line}: {message}",
                          hint="check the <!DOCTYPE ...> declaration at the top of the file",
                          where=Location(file=self.label, line=line))

    def peek(self) -> str:
        return self.text[self.pos: self.pos + 1]

    def startswith(self, word: str) -> bool:
        return self.text.startswith(word, self.pos)

    def advance(self, n: int) -> None:
        self.pos += n

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def name(self) -> str:
        self.skip_space()
        match = _NAME.match(self.text, self.pos)
        if not match:
            raise self.fail("a name was expected")
        self.pos = match.end()
        return match.group(0)

    def quoted(self) -> str:
        self.skip_space()
        quote = self.peek()
        if quote not in ("'", '"') or not quote:
            raise self.fail("a quoted string was expected")
        end = self.text.find(quote, self.pos + 1)
        if end < 0:
            raise self.fail("an unterminated quoted string")
        value = self.text[self.pos + 1: end]
        self.pos = end + 1
        return value

    def expect(self, token: str) -> None:
        if not self.startswith(token):
            raise self.fail(f"{token!r} was expected")
        self.pos += len(token)

    def skip_declaration(self) -> None:
        """Skip an <!ELEMENT/ATTLIST/NOTATION ...> declaration, honouring quotes."""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in "\"'":
                self.quoted()
                continue
            self.pos += 1
            if ch == ">":
                return
        raise self.fail("an unterminated declaration")


def _internal_subset(cursor: _Cursor) -> dict[str, str]:
    entities: dict[str, str] = {}
    label = cursor.label
    while True:
        cursor.skip_space()
        if cursor.pos >= len(cursor.text):
            raise cursor.fail("the internal subset is not closed with ']'")
        if cursor.startswith("]"):
            cursor.advance(1)
            return entities
        if cursor.startswith("<!--"):
            end = cursor.text.find("-->", cursor.pos)
            if end < 0:
                raise cursor.fail("an unterminated comment")
            cursor.pos = end + 3
        elif cursor.startswith("<?"):
            end = cursor.text.find("?>", cursor.pos)
            if end < 0:
                raise cursor.fail("an unterminated processing instruction")
            cursor.pos = end + 2
        elif cursor.startswith("%"):
            raise _unsafe(label, "a parameter-entity reference in the DOCTYPE",
                          "parameter entities can pull in external files")
        elif cursor.startswith("<!ENTITY"):
            cursor.advance(8)
            cursor.skip_space()
            if cursor.startswith("%"):
                raise _unsafe(label, "a parameter entity declaration",
                              "parameter entities can pull in external files")
            name = cursor.name()
            cursor.skip_space()
            if cursor.startswith("SYSTEM") or cursor.startswith("PUBLIC"):
                raise _unsafe(label, f"an external entity &{name};",
                              "external entities read local files or fetch URLs")
            value = cursor.quoted()
            cursor.skip_space()
            if cursor.startswith("NDATA"):
                raise _unsafe(label, f"an unparsed external entity &{name};",
                              "external entities read local files or fetch URLs")
            cursor.expect(">")
            if _PE_REF.search(value):
                raise _unsafe(label, f"a parameter-entity reference inside &{name};",
                              "parameter entities can pull in external files")
            # XML: the first declaration of an entity is binding.
            entities.setdefault(name, value)
        elif cursor.startswith("<!"):
            cursor.skip_declaration()
        else:
            raise cursor.fail("unexpected text in the internal subset")


def _unsafe(label: str, what: str, why: str) -> UnsafeInputError:
    return UnsafeInputError(
        f"the document declares {what}; refused ({why})",
        hint="remove the <!ENTITY ...> declarations from the DOCTYPE; ld-publish resolves the "
             "standard named entities (&mdash; &nbsp; ...) itself",
        where=Location(file=label))


def _expand_declared(raw: dict[str, str], label: str) -> dict[str, str]:
    """Expand each declared entity fully, refusing deep nesting and large expansions."""
    done: dict[str, str] = {}
    known = named_entities()

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        if name in stack:
            raise _unsafe(label, f"a recursive entity &{name};", "it never finishes expanding")
        if len(stack) >= _MAX_ENTITY_DEPTH:
            raise _unsafe(label, f"entities nested more than {_MAX_ENTITY_DEPTH} deep",
                          "deep nesting is how entity bombs grow")
        parts: list[str] = []
        size = 0
        last = 0
        value = raw[name]
        for match in _ENTITY_REF.finditer(value):
            ref = match.group(1)
            if ref in _PREDEFINED:
                piece = match.group(0)
            elif ref in raw:
                piece = expand(ref, (*stack, name))
            elif ref in known:
                piece = _char_refs(known[ref])
            else:
                raise InputError(f"entity &{name}; uses the undefined entity &{ref};",
                                 where=Location(file=label))
            parts.append(value[last: match.start()])
            parts.append(piece)
            size += match.start() - last + len(piece)
            last = match.end()
            if size > MAX_ENTITY_CHARS:
                raise _unsafe(label, f"an entity &{name}; expanding beyond "
                              f"{MAX_ENTITY_CHARS // 1024} KiB", "this is an entity bomb")
        parts.append(value[last:])
        result = "".join(parts)
        if len(result) > MAX_ENTITY_CHARS:
            raise _unsafe(label, f"an entity &{name}; expanding beyond "
                          f"{MAX_ENTITY_CHARS // 1024} KiB", "this is an entity bomb")
        done[name] = result
        return result

    for entity in raw:
        expand(entity, ())
    return done


def _char_refs(chars: str) -> str:
    return "".join(f"&#x{ord(c):X};" for c in chars)


def _substitute_entities(text: str, declared: dict[str, str], label: str) -> str:
    known = named_entities()
    grown = 0
    out: list[str] = []
    last = 0

    def replace(chunk: str, offset: int) -> str:
        nonlocal grown

        def one(match: re.Match[str]) -> str:
            nonlocal grown
            name = match.group(1)
            if name in _PREDEFINED:
                return match.group(0)
            if name in declared:
                grown += len(declared[name])
                if grown > MAX_EXPANSION_CHARS:
                    raise _unsafe(label, "entities whose use expands the document beyond "
                                  f"{MAX_EXPANSION_CHARS // (1024 * 1024)} MiB",
                                  "this is an entity bomb")
                return declared[name]
            if name in known:
                return _char_refs(known[name])
            line = text.count("\n", 0, offset + match.start()) + 1
            raise InputError(
                f"undefined entity &{name}; at line {line}",
                hint="write the character itself or a numeric reference such as &#x2014;",
                where=Location(file=label, line=line))

        return _ENTITY_REF.sub(one, chunk)

    for match in _OPAQUE.finditer(text):
        out.append(replace(text[last: match.start()], last))
        out.append(match.group(0))
        last = match.end()
    out.append(replace(text[last:], last))
    result = "".join(out)
    if re.search(r"<!(?:ENTITY|DOCTYPE)", _OPAQUE.sub("", result)):
        raise _unsafe(label, "a DOCTYPE or ENTITY declaration outside the prolog",
                      "declarations anywhere else are not XML and may be an attack")
    return result
