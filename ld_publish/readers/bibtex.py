"""The ``bibtex`` reader: BibTeX/BibLaTeX files, one :class:`Work` per entry.

bibtexparser 2 splits the file into blocks (a syntactically broken entry becomes its own failed
block, so the entries after it survive); :mod:`.bibtex_macros` joins each value's ``#`` pieces
and expands ``@string`` macros (a macro loop fails its entry alone); the values are then decoded
from LaTeX to NFC Unicode with pylatexenc (:mod:`.bibtex_text`), except identifier fields, where
only the escapes ``\\_ \\% \\& \\#`` are undone (``%`` would otherwise start a LaTeX comment
inside a URL).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser import model as bib

from ..errors import InputError, Location, RecordError
from ..limits import active
from ..model import (
    Container,
    Contributor,
    ContributorRole,
    DateValue,
    Identifier,
    Organization,
    Rejected,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
)
from ..sources import InputSource
from .base import readers
from .bibtex_macros import MacroTable, expand_value
from .bibtex_text import latex_to_text, read_person, split_bibtex_names, split_top, verbatim
from .common import MONTHS, Findings, split_pages

__all__ = ["BibtexReader", "latex_to_text", "split_bibtex_names"]

_TYPES: dict[str, WorkType] = {
    "article": WorkType.JOURNAL_ARTICLE, "book": WorkType.BOOK, "mvbook": WorkType.BOOK,
    "booklet": WorkType.BOOK, "inbook": WorkType.BOOK_CHAPTER,
    "incollection": WorkType.BOOK_CHAPTER, "bookinbook": WorkType.BOOK_CHAPTER,
    "collection": WorkType.EDITED_BOOK, "inproceedings": WorkType.PROCEEDINGS_ARTICLE,
    "conference": WorkType.PROCEEDINGS_ARTICLE, "proceedings": WorkType.PROCEEDINGS,
    "phdthesis": WorkType.THESIS, "mastersthesis": WorkType.THESIS, "thesis": WorkType.THESIS,
    "techreport": WorkType.REPORT, "report": WorkType.REPORT, "online": WorkType.WEB_PAGE,
    "electronic": WorkType.WEB_PAGE, "www": WorkType.WEB_PAGE, "dataset": WorkType.DATASET,
    "data": WorkType.DATASET, "software": WorkType.SOFTWARE, "unpublished": WorkType.PREPRINT,
    "manual": WorkType.REPORT, "misc": WorkType.OTHER,
}
_CONTAINER_TYPES = {WorkType.BOOK_CHAPTER: WorkType.BOOK,
                    WorkType.PROCEEDINGS_ARTICLE: WorkType.PROCEEDINGS}
# Fields whose values are identifiers or URLs: no LaTeX decoding beyond escapes.
_VERBATIM = frozenset({"doi", "url", "eprint", "issn", "isbn", "file", "urldate"})
_HANDLED = frozenset({
    "author", "editor", "translator", "title", "subtitle", "journal", "journaltitle",
    "booktitle", "publisher", "address", "location", "volume", "number", "issue", "pages",
    "year", "month", "date", "doi", "url", "issn", "isbn", "abstract", "keywords", "language",
    "howpublished", "school", "institution", "organization", "series", "edition", "version",
    "note", "eprint", "archiveprefix", "eprinttype", "pmid", "eid",
})
_ARXIV = re.compile(r"^(?:arxiv:)?([0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?|[a-z\-]+(?:\.[A-Z]{2})?/"
                    r"[0-9]{7}(?:v[0-9]+)?)$", re.IGNORECASE)

# bibtexparser logs every failed block at ERROR level; they reach the user as Rejected records.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


class BibtexReader:
    name = "bibtex"
    aliases: tuple[str, ...] = ("bib", "biblatex")
    description = "BibTeX / BibLaTeX (.bib): one record per entry"
    extensions: tuple[str, ...] = (".bib", ".bibtex")

    def sniff(self, head: bytes, filename: str) -> int:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
        if re.search(r"^\s*@(?!string\b|preamble\b|comment\b)[A-Za-z]+\s*[{(]\s*[^\s,{}]*\s*,",
                     text, re.MULTILINE | re.IGNORECASE):
            return 90
        if filename.lower().endswith((".bib", ".bibtex")) and "@" in text:
            return 40
        return 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        text = source.read_text().replace("\r\n", "\n")
        try:
            # No middleware: values come as written, and bibtex_macros expands them in full.
            library = bibtexparser.parse_string(text, parse_stack=[])
        except Exception as exc:  # the splitter should not raise; turn it into a clear error
            raise InputError(f"cannot split the BibTeX file: {exc}",
                             hint="check the file for unbalanced braces",
                             where=Location(file=source.label)) from None
        position = 0
        macros = MacroTable()
        for block in library.blocks:
            if isinstance(block, bib.String):
                macros.define(block.key, block.value)
            elif isinstance(block, bib.DuplicateBlockKeyBlock) \
                    and isinstance(block.ignore_error_block, bib.String):
                # BibTeX lets a later @string replace an earlier one; it is no record.
                macros.define(block.key, block.ignore_error_block.value)
            elif isinstance(block, bib.ParsingFailedBlock):
                position += 1
                yield self._failed(block, source.label, position)
            elif isinstance(block, bib.Entry):
                position += 1
                line = None if block.start_line is None else block.start_line + 1
                src = Source(source.label, self.name, position, line, block.key)
                if len(block.raw or "") > active().record_bytes:
                    yield Rejected(src, f"the entry is {len(block.raw or ''):,} characters long, "
                                   f"past the limit {active().describe('record_bytes')}",
                                   (block.raw or "")[:400] + " …", None,
                                   "an entry this large is broken or hostile (a brace not "
                                   "closed?); if it is genuine, raise the limit with --limit "
                                   "record-bytes=N")
                    continue
                try:
                    fields, undefined = _expanded(block, macros)
                except RecordError as exc:
                    yield Rejected(src, exc.message, block.raw or "", exc.where.field,
                                   exc.hint)
                    continue
                yield _entry_to_work(block, src, fields, undefined)
        if position == 0:
            # bibtexparser keeps text outside entries as comments; a file of nothing but
            # comments (or another format, or UTF-16) must not pass for an empty success.
            hint = ("the file looks like UTF-16: convert it to UTF-8" if "\x00" in text
                    else "a BibTeX entry looks like @article{key, title = {...}, ...}")
            raise InputError(f"{source.label} holds no BibTeX entry", hint=hint,
                             where=Location(file=source.label))

    def _failed(self, block: bib.ParsingFailedBlock, label: str, position: int) -> Rejected:
        line = None if block.start_line is None else block.start_line + 1
        raw = block.raw or ""
        key_match = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]*)", raw)
        if isinstance(block, bib.DuplicateBlockKeyBlock):
            reason = f"duplicate citation key {block.key!r}; the first entry is kept"
        else:
            # bibtexparser's exceptions often carry no message; say what usually is wrong.
            detail = str(block.error).strip() or type(block.error).__name__
            reason = ("the entry is not valid BibTeX (a brace or quote is not closed, "
                      f"or a comma is missing): {detail}")
        return Rejected(
            Source(label, self.name, position, line, key_match.group(1) if key_match else None),
            reason, raw, None,
            "check braces and commas in this entry; each entry is "
            "@type{key, field = {value}, ...}")


def _expanded(entry: bib.Entry, macros: MacroTable
              ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The entry's (field, value) pairs with pieces joined and macros expanded, and the
    (field, macro) pairs whose macro is defined nowhere above the entry."""
    fields: list[tuple[str, str]] = []
    undefined: list[tuple[str, str]] = []
    for fld in entry.fields:
        key = fld.key.lower()
        value, names = expand_value(str(fld.value), macros, key)
        fields.append((key, value))
        undefined += [(key, name) for name in names]
    return fields, undefined


def _entry_to_work(entry: bib.Entry, src: Source, fields: list[tuple[str, str]],
                   undefined: list[tuple[str, str]]) -> Work:
    findings = Findings()
    for key, name in undefined:
        findings.notice(key, f"undefined @string macro '{name}'; kept as the text", name,
                        "define it with @string{name = {...}} above the entry, or write the "
                        "text in braces")
    values: dict[str, str] = {}
    for key, raw in fields:
        if key in values:
            findings.notice(key, "field given twice; the first value is kept", raw)
            continue
        values[key] = raw
        if key not in _HANDLED:
            findings.leave(key)

    def get(key: str) -> str | None:
        raw = values.get(key)
        if raw is None:
            return None
        out = verbatim(raw) if key in _VERBATIM else latex_to_text(raw)
        return out or None

    entry_type = entry.entry_type.lower()
    work_type = _TYPES.get(entry_type)
    if work_type is None:
        findings.notice("ENTRYTYPE", f"unknown entry type @{entry_type}; read as 'other'",
                        entry_type, "use a standard BibTeX type such as @article or @misc")
        work_type = WorkType.OTHER
    if entry_type == "misc" and (values.get("url") or values.get("howpublished")):
        how = (get("howpublished") or "").lower()
        if values.get("url") and ("http" in how or "url" in how or not how):
            work_type = WorkType.WEB_PAGE
    if entry_type == "phdthesis":
        findings.notice("ENTRYTYPE", "thesis degree (PhD) is not kept", entry_type,
                        severity="info")
    elif entry_type == "mastersthesis":
        findings.notice("ENTRYTYPE", "thesis degree (master's) is not kept", entry_type,
                        severity="info")

    identifiers: list[Identifier] = []
    doi = findings.doi(get("doi"), "doi") if values.get("doi") else None
    if doi is None and "/" in entry.key and not values.get("doi"):
        doi = findings.doi(entry.key, "ID", severity="info")
        if doi is not None:
            findings.notice("ID", "the citation key is a DOI; taken as the DOI", entry.key,
                            severity="info")
    if doi is not None:
        identifiers.append(doi)
    eprint = get("eprint")
    if eprint:
        prefix = (get("archiveprefix") or get("eprinttype") or "").lower()
        if prefix in ("", "arxiv") and (prefix or _ARXIV.match(eprint)):
            arxiv = findings.ident("arxiv", eprint, "eprint")
            if arxiv:
                identifiers.append(arxiv)
        else:
            findings.leave("eprint")
            if prefix:
                findings.leave("archiveprefix" if "archiveprefix" in values else "eprinttype")
    if values.get("pmid"):
        pmid = findings.ident("pmid", get("pmid"), "pmid")
        if pmid:
            identifiers.append(pmid)

    contributors: list[Contributor] = []
    roles: tuple[ContributorRole, ...] = ("author", "editor", "translator")
    for role in roles:
        key = role
        names_raw = values.get(key)
        if not names_raw:
            continue
        position = 0
        for index, name in enumerate(split_bibtex_names(names_raw)):
            path = f"{key}[{index}]"
            if name.strip().lower() == "others":
                findings.notice(path, "'and others' (et al.): the list of names is incomplete",
                                name, severity="info")
                continue
            people = [p for p in split_top(name, ";") if p]
            if len(people) > 1:
                findings.notice(path, f"several people in one name, separated by ';'; split "
                                f"into {len(people)} names", name,
                                "separate people with ' and '")
            for person in people:
                position += 1
                contributors.append(read_person(person, position, role, path, findings))

    container_identifiers: list[Identifier] = []
    issn_text = get("issn")
    if issn_text:
        for index, part in enumerate(p for p in re.split(r"[,;\s]+", issn_text) if p):
            ident = findings.issn(part, "issn" if index == 0 else f"issn[{index}]")
            if ident:
                container_identifiers.append(ident)
    isbn_text = get("isbn")
    isbn_target = container_identifiers if work_type in _CONTAINER_TYPES else identifiers
    if isbn_text:
        for index, part in enumerate(p for p in re.split(r"[,;]+|\s{2,}", isbn_text) if p):
            ident = findings.isbn(part, "isbn" if index == 0 else f"isbn[{index}]")
            if ident:
                isbn_target.append(ident)

    publisher_name: str | None = get("publisher") or (
        get("school") or get("institution") if work_type in (WorkType.THESIS, WorkType.REPORT)
        else None) or get("organization")
    publisher = Organization(publisher_name, city=get("address") or get("location")) \
        if publisher_name else None
    if not publisher_name:
        for key in ("address", "location", "school", "institution", "organization"):
            if key in values:
                findings.leave(key)
    elif publisher_name != get("organization") and "organization" in values:
        findings.leave("organization")
    for key in ("school", "institution"):
        if key in values and publisher_name != get(key):
            findings.leave(key)

    container = None
    container_title = get("journal") or get("journaltitle") or get("booktitle")
    if container_title or container_identifiers:
        ctype = _CONTAINER_TYPES.get(work_type, WorkType.JOURNAL)
        container = Container(container_title, ctype, identifiers=tuple(container_identifiers),
                              publisher=publisher if ctype != WorkType.JOURNAL else None)
    if get("series"):
        if container is None:
            container = Container(get("series"), WorkType.BOOK_SERIES)
        else:
            findings.leave("series")
    how = (get("howpublished") or "").lower()
    if how and (work_type != WorkType.WEB_PAGE or not how.startswith(("http", "url"))):
        findings.leave("howpublished")

    dates: list[WorkDate] = []
    date = _date(get("year"), values.get("month"), findings)
    if get("date"):
        biblatex = findings.date(get("date"), "date")
        if biblatex and date and biblatex.year != date.year:
            findings.notice("date", "date and year disagree; both kept", get("date"))
        if biblatex:
            dates.append(WorkDate("published", biblatex))
    if date and not any(d.value == date for d in dates):
        dates.insert(0, WorkDate("published", date))
    if get("urldate"):
        findings.leave("urldate")

    keywords = tuple(Text(k.strip()) for k in re.split(r"[,;]", get("keywords") or "")
                     if k.strip())
    abstract = get("abstract")
    title = get("title")
    if title is None:
        findings.notice("title", "entry has no title", None, "add a title field", "violation")
    subtitle = get("subtitle")
    number = get("number") or get("issue")
    pages = get("pages")
    eid = get("eid")
    if get("note"):
        findings.leave("note")
    if get("edition"):
        findings.leave("edition")

    if work_type == WorkType.REPORT:
        report = findings.ident("local", get("number"), "number")
        if report:
            identifiers.append(report)
    key = doi.value if doi else f"bibtex:{entry.key}"
    return Work(
        key=key, source=src, type=work_type,
        title=Text(title, None) if title else None,
        subtitles=(Text(subtitle),) if subtitle else (),
        abstracts=(Text(abstract),) if abstract else (),
        language=get("language") or get("langid"),
        contributors=tuple(contributors), container=container,
        volume=get("volume"), issue=number if work_type != WorkType.REPORT else None,
        pages=split_pages(pages) if pages else None, article_number=eid,
        identifiers=tuple(identifiers),
        dates=tuple(dates), keywords=keywords, publisher=publisher,
        url=get("url"), version=get("version"),
        notices=tuple(findings.notices), unmapped=tuple(findings.unmapped),
    )


def _date(year_text: str | None, month_raw: str | None, findings: Findings) -> DateValue | None:
    if not year_text:
        if month_raw:
            findings.leave("month")
        return None
    match = re.fullmatch(r"\s*([0-9]{4})\s*", year_text)
    if not match:
        findings.notice("year", "year is not four digits; left out", year_text,
                        "write the year as four digits, e.g. 2014")
        return None
    year = int(match.group(1))
    month = None
    if month_raw:
        word = month_raw.strip().strip("{}").strip().rstrip(".").lower()
        month = int(word) if word.isdigit() else MONTHS.get(word)
        if month is None or not 1 <= month <= 12:
            findings.notice("month", "month not understood; only the year is kept", month_raw,
                            "write the month as jan ... dec or 1 ... 12")
            month = None
    return DateValue(year, month)


readers.register("bibtex", BibtexReader(), aliases=BibtexReader.aliases)
