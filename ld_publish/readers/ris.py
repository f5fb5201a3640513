"""The ``ris`` reader: RIS (Research Information Systems) files, one :class:`Work` per record.

The file is split into records here, line by line, rather than handed to rispy whole: rispy
stops or merges records at the first malformed line, and one bad record must not cost the
others. A record is the lines from ``TY  -`` to ``ER  -``; a record without its ``ER`` line, or
lines that start no ``TY`` record, are quarantined with their own text. rispy supplies the list
of reference types.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import rispy

from ..errors import RecordError
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
from ..sources import InputSource, Line, LineFault
from .base import readers, require_content
from .common import Findings, looks_like_organization, split_pages, split_person_name, stable_key

__all__ = ["RisReader", "RisRecord", "split_records"]

# "TY  - JOUR" is the standard; one or three spaces, or a missing space after the dash, are
# common slips that are read with a notice.
_TAG = re.compile(r"^([A-Z][A-Z0-9])(\s{1,3})-(?:\s(.*)|\s*)$")
_TYPES: dict[str, WorkType] = {
    "JOUR": WorkType.JOURNAL_ARTICLE, "EJOUR": WorkType.JOURNAL_ARTICLE,
    "JFULL": WorkType.JOURNAL, "MGZN": WorkType.JOURNAL_ARTICLE,
    "NEWS": WorkType.JOURNAL_ARTICLE, "ABST": WorkType.JOURNAL_ARTICLE,
    "INPR": WorkType.JOURNAL_ARTICLE, "BOOK": WorkType.BOOK, "EBOOK": WorkType.BOOK,
    "EDBOOK": WorkType.EDITED_BOOK, "CHAP": WorkType.BOOK_CHAPTER,
    "ECHAP": WorkType.BOOK_CHAPTER, "THES": WorkType.THESIS, "DATA": WorkType.DATASET,
    "DBASE": WorkType.DATASET, "CONF": WorkType.PROCEEDINGS,
    "CPAPER": WorkType.PROCEEDINGS_ARTICLE, "RPRT": WorkType.REPORT,
    "GOVDOC": WorkType.REPORT, "ELEC": WorkType.WEB_PAGE, "BLOG": WorkType.BLOG_POST,
    "COMP": WorkType.SOFTWARE, "UNPB": WorkType.PREPRINT, "MANSCPT": WorkType.PREPRINT,
    "SER": WorkType.BOOK, "GEN": WorkType.OTHER,
}
_CONTAINER_TYPE = {WorkType.BOOK_CHAPTER: WorkType.BOOK,
                   WorkType.PROCEEDINGS_ARTICLE: WorkType.PROCEEDINGS,
                   WorkType.BLOG_POST: WorkType.BLOG}
_HANDLED = frozenset({
    "TY", "ER", "AU", "A1", "A2", "ED", "A3", "A4", "TI", "T1", "T2", "JO", "JF", "JA", "J2",
    "BT", "T3", "DO", "UR", "AB", "N2", "PY", "Y1", "DA", "Y2", "VL", "IS", "SP", "EP", "SN",
    "PB", "KW", "LA", "ID", "CY", "ET", "TT", "M3", "L1", "L2", "AN",
})


@dataclass
class RisRecord:
    """One record's lines: (tag, value, line number), and its raw text for the quarantine."""

    start_line: int
    tags: list[tuple[str, str, int]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    slips: list[tuple[str, str]] = field(default_factory=list)  # (tag, line) spacing slips
    # The first line that cannot be read: (field it belongs to, line number, why).
    undecodable: tuple[str, int, LineFault] | None = None
    size: int = 0  # characters read so far, line ends included
    too_large: bool = False
    # Continuation lines of a wrapped value, by the index of their tag in ``tags``.
    continued: dict[int, list[str]] = field(default_factory=dict)

    def joined(self) -> RisRecord:
        """This record with each wrapped value joined into one."""
        for index, parts in self.continued.items():
            tag, value, at = self.tags[index]
            self.tags[index] = (tag, " ".join(p for p in (value, *parts) if p), at)
        self.continued = {}
        return self

    def values(self, *tags: str) -> list[str]:
        return [v for t, v, _ in self.tags if t in tags and v]

    def first(self, *tags: str) -> str | None:
        # Tag priority follows the argument order, not the line order.
        for tag in tags:
            found = self.values(tag)
            if found:
                return found[0]
        return None


@dataclass
class _Broken:
    start_line: int
    raw: list[str]
    reason: str
    hint: str
    pointer: str | None = None


def split_records(lines: Iterator[Line]) -> Iterator[RisRecord | _Broken]:
    """Records in file order; a record missing ``ER`` or ``TY`` comes out as ``_Broken``.

    Memory stays bounded by the record-bytes limit: a record (or a run of lines outside any
    record) past it keeps no more lines, and the record is rejected for its size.
    """
    limit = active().record_bytes
    current: RisRecord | None = None
    orphan: list[str] = []
    orphan_start = orphan_size = 0
    for number, line, error in lines:
        text = line.rstrip("\r\n").lstrip("\ufeff")
        match = _TAG.match(text)
        tag = match.group(1) if match else None
        if tag == "TY":
            if current is not None:
                yield _Broken(current.start_line, current.raw,
                              "the record has no ER line before the next TY line",
                              "end every record with a line 'ER  -'")
            elif any(o.strip() for o in orphan):
                yield _Broken(orphan_start, orphan, "these lines belong to no record (no "
                              "valid TY line before them)", "start each record with 'TY  - "
                              "<type>' (two spaces, a dash, a space)")
            orphan, orphan_size = [], 0
            current = RisRecord(number, raw=[text], size=len(line))
        elif current is None:
            if tag == "ER":
                if any(o.strip() for o in orphan):
                    orphan.append(text)
                    yield _Broken(orphan_start, orphan, "the record has no valid TY line",
                                  "start each record with 'TY  - <type>' (two spaces, a "
                                  "dash, a space)")
                orphan, orphan_size = [], 0
                continue
            if not orphan:
                orphan_start = number
            if (text.strip() or orphan) and orphan_size <= limit:
                orphan.append(text)
                orphan_size += len(line)
            continue
        else:
            current.size += len(line)
            if current.size > limit:
                current.too_large = True
                if tag == "ER":
                    yield current
                    current = None
                continue  # nothing more of it is kept
            current.raw.append(text)
        if error is not None and current.undecodable is None:
            # A continuation line belongs to the field it continues.
            owner = tag if match and tag is not None else (
                current.tags[-1][0] if current.tags else "TY")
            current.undecodable = (owner, number, error)
        if match and tag is not None:
            if match.group(2) != "  ":
                current.slips.append((tag, text))
            if tag == "ER":
                yield current.joined()
                current = None
                continue
            current.tags.append((tag, (match.group(3) or "").strip(), number))
        elif text.strip() and current.tags:
            # Continuation of a wrapped value (long abstracts and notes), joined at the end:
            # joining line by line was quadratic in the number of lines.
            current.continued.setdefault(len(current.tags) - 1, []).append(text.strip())
    if current is not None:
        yield _Broken(current.start_line, current.raw,
                      "the record has no ER line (the file ends inside it)",
                      "end every record with a line 'ER  -'")
    elif any(o.strip() for o in orphan):
        yield _Broken(orphan_start, orphan, "these lines belong to no record (no valid TY line "
                      "before them)", "start each record with 'TY  - <type>'")


class RisReader:
    name = "ris"
    aliases: tuple[str, ...] = ("refman",)
    description = "RIS (.ris, Reference Manager / EndNote / Zotero export)"
    extensions: tuple[str, ...] = (".ris",)

    def sniff(self, head: bytes, filename: str) -> int:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \r\n\t")
        if re.match(r"TY\s{1,3}-\s*[A-Z]{3,}", text):
            return 95
        if re.search(r"^TY  - ", text, re.MULTILINE) and re.search(r"^ER  -", text,
                                                                     re.MULTILINE):
            return 80
        if filename.lower().endswith(".ris") and re.search(r"^[A-Z][A-Z0-9]  - ", text,
                                                             re.MULTILINE):
            return 50
        return 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        require_content(source)
        for position, item in enumerate(split_records(source.lines()), 1):
            if isinstance(item, _Broken):
                yield Rejected(Source(source.label, self.name, position, item.start_line),
                               item.reason, "\n".join(item.raw) + "\n", "TY", item.hint)
            elif item.too_large:
                yield Rejected(Source(source.label, self.name, position, item.start_line),
                               f"record {position} (from line {item.start_line}) is longer "
                               f"than the limit {active().describe('record_bytes')} bytes",
                               "\n".join(item.raw) + "\n …\n", "TY",
                               "a record this large is broken or hostile (an ER line missing?); "
                               "if it is genuine, raise the limit with --limit record-bytes=N")
            elif item.undecodable is not None:
                tag, line, fault = item.undecodable
                yield Rejected(Source(source.label, self.name, position, item.start_line),
                               f"record {position} (from line {item.start_line}): line {line} "
                               f"is {fault.reason}",
                               "\n".join(item.raw) + "\n", tag, fault.hint)
            else:
                src = Source(source.label, self.name, position, item.start_line)
                try:
                    yield _record_to_work(item, src)
                except RecordError as exc:  # a value that must not be read (an unsafe DTD)
                    yield Rejected(src, exc.message, "\n".join(item.raw) + "\n",
                                   exc.where.field, exc.hint)


def _record_to_work(record: RisRecord, src: Source) -> Work:
    findings = Findings()
    for tag_name, text in record.slips:
        findings.notice(tag_name, "tag line not written as 'XX  - value' (two spaces, "
                        "dash, space); read anyway", text, "fix the spacing of the tag line")
    type_code = (record.first("TY") or "").strip().upper()
    work_type = _TYPES.get(type_code)
    if work_type is None:
        known = type_code in rispy.TYPE_OF_REFERENCE_MAPPING
        findings.notice("TY", "reference type has no closer match; read as 'other'" if known
                        else "unknown or malformed reference type; read as 'other'",
                        type_code or None, "use a standard RIS type such as JOUR, BOOK, CHAP",
                        "info" if known else "warning")
        work_type = WorkType.OTHER
    seen: set[str] = set()
    for tag, _, _ in record.tags:
        if tag not in _HANDLED and tag not in seen:
            seen.add(tag)
            findings.leave(tag)

    contributors: list[Contributor] = []
    roles: tuple[tuple[ContributorRole, tuple[str, ...]], ...] = (
        ("author", ("AU", "A1")), ("editor", ("A2", "ED")), ("translator", ("A4",)))
    if work_type == WorkType.BOOK_CHAPTER or work_type == WorkType.PROCEEDINGS_ARTICLE:
        roles = (("author", ("AU", "A1")), ("editor", ("A2", "ED", "A3")),
                 ("translator", ("A4",)))
    elif record.values("A3"):
        findings.leave("A3")
    for role, tags in roles:
        position = 0
        index = 0
        for tag, value, _ in record.tags:
            if tag not in tags or not value:
                continue
            path = f"{tag}[{index}]"
            index += 1
            names = [value]
            if ";" in value:
                names = [n.strip() for n in value.split(";") if n.strip()]
                findings.notice(path, f"several people in one {tag} line; split at ';' into "
                                f"{len(names)} names", value, f"give each person their own {tag}"
                                " line")
            for name in names:
                position += 1
                contributors.append(_person(name, position, role, path, findings))

    identifiers: list[Identifier] = []
    doi_text = record.first("DO")
    doi = findings.doi(doi_text, "DO") if doi_text else None
    if doi:
        identifiers.append(doi)
    for extra in record.values("DO")[1:]:
        findings.notice("DO", "a second DO line; only the first is kept", extra)

    container_ids: list[Identifier] = []
    for index, value in enumerate(record.values("SN")):
        for part in (p for p in re.split(r"[;,]\s*|\s+(?=[0-9])", value) if p.strip()):
            path = f"SN[{index}]"
            compact = re.sub(r"[^0-9Xx]", "", part)
            if len(compact) == 8:
                ident = findings.issn(part, path)
                if ident:
                    container_ids.append(ident)
            elif len(compact) in (10, 13):
                ident = findings.isbn(part, path)
                if ident:
                    (container_ids if work_type in _CONTAINER_TYPE else identifiers).append(
                        ident)
            else:
                findings.notice(path, "SN is neither an ISSN nor an ISBN; left out", part)

    container_title = record.first("T2", "JO", "JF", "BT") if work_type != WorkType.BOOK \
        else record.first("T3")
    if work_type == WorkType.BOOK and record.values("T2"):
        findings.leave("T2")
    short = record.first("J2", "JA")
    if container_title or container_ids:
        container = Container(container_title or short,
                              _CONTAINER_TYPE.get(work_type, WorkType.JOURNAL),
                              short if container_title and short != container_title else None,
                              tuple(container_ids))
    else:
        container = None

    dates: list[WorkDate] = []
    for tag in ("DA", "PY", "Y1"):
        for value in record.values(tag):
            date = _ris_date(value, tag, findings)
            # PY 2014 next to DA 2014/02/11 says the same thing less precisely.
            if date and not any(_covers(d.value, date) or _covers(date, d.value)
                                for d in dates):
                dates.append(WorkDate("published", date))
    # The most precise date first: the mapping takes the first "published" date.
    dates.sort(key=lambda d: (d.value.day is None, d.value.month is None))
    if record.values("Y2"):
        findings.leave("Y2")

    titles = record.values("TI", "T1")
    title = findings.text(titles[0], "TI") if titles else None
    if not title:
        findings.notice("TI", "record has no title", None, "add a TI line", "violation")
    abstracts = tuple(t for t in (findings.text(v, "AB") for v in record.values("AB", "N2"))
                      if t)
    translated = tuple(t for t in (findings.text(v, "TT") for v in record.values("TT")) if t)
    keywords = tuple(Text(k) for v in record.values("KW") for k in
                     (p.strip() for p in re.split(r";", v)) if k)
    urls = record.values("UR")
    for extra in urls[1:]:
        findings.notice("UR", "a second UR line; only the first is kept", extra,
                        severity="info")
    publisher_name = record.first("PB")
    publisher = Organization(publisher_name, city=record.first("CY")) if publisher_name \
        else None
    if not publisher_name and record.values("CY"):
        findings.leave("CY")
    first_page, last_page = record.first("SP"), record.first("EP")
    pages = None
    if first_page:
        pages = split_pages(first_page) if last_page is None else split_pages(
            f"{first_page}-{last_page}")
    elif last_page:
        findings.leave("EP")
    for tag in ("ID", "ET", "M3", "L1", "L2", "AN"):
        if record.values(tag):
            findings.leave(tag)

    key = doi.value if doi else stable_key("ris", "\n".join(record.raw))
    return Work(
        key=key, source=src, type=work_type, title=title,
        translated_titles=translated, abstracts=abstracts,
        language=record.first("LA"), contributors=tuple(contributors),
        container=container, volume=record.first("VL"), issue=record.first("IS"),
        pages=pages, identifiers=tuple(identifiers), dates=tuple(dates), keywords=keywords,
        publisher=publisher, url=urls[0] if urls else None,
        notices=tuple(findings.notices), unmapped=tuple(findings.unmapped),
    )


def _person(name: str, position: int, role: ContributorRole, path: str,
            findings: Findings) -> Contributor:
    if "," not in name and looks_like_organization(name):
        return Contributor(name, position, role, "organization")
    if name.count(",") > 2:
        findings.notice(path, "name has several commas and may hold several people", name,
                        "give each person their own line")
        return Contributor(name, position, role)
    # RIS writes "Family, Given[, Suffix]".
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 3:
        return Contributor(name, position, role, "person", parts[1] or None,
                           f"{parts[0]} {parts[2]}".strip() or None)
    given, family = split_person_name(name)
    return Contributor(name, position, role, "person", given, family)


def _ris_date(value: str, tag: str, findings: Findings) -> DateValue | None:
    # RIS dates are "YYYY/MM/DD/other"; any part may be empty ("2014///").
    parts = value.strip().split("/")
    if not re.fullmatch(r"[0-9]{4}", parts[0].strip()):
        return findings.date(value, tag)
    numbers = [parts[0].strip()] + [p.strip() for p in parts[1:3]]
    cleaned = "-".join(n for n in _until_empty(numbers))
    if len(parts) > 3 and parts[3].strip():
        findings.notice(tag, "date text after the day not kept", value, severity="info")
    return findings.date(cleaned, tag)


def _covers(precise: DateValue, vague: DateValue) -> bool:
    return precise.year == vague.year and (vague.month is None or (
        precise.month == vague.month and (vague.day is None or precise.day == vague.day)))


def _until_empty(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if not part:
            break
        out.append(part.zfill(2))
    return out


readers.register("ris", RisReader(), aliases=RisReader.aliases)
