"""The record model: typed, immutable records that every reader produces and the mapping consumes.

Readers know nothing of RDF; they turn a source into :class:`Work` records (or :class:`Rejected`
ones). The mapping layer (:mod:`ld_publish.mapping`) is the only place that turns records into
triples. All classes are frozen dataclasses with tuple fields so records are hashable, safe to
share between threads and cheap to pickle to worker processes.

Values are kept *as the source wrote them* where that matters (``Identifier.original``,
``Contributor.name``, ``Reference.raw``); normalisation happens in readers through
:mod:`ld_publish.identifiers`, and anything the reader had to change or could not understand is
recorded as a :class:`Notice` on the record, never changed silently.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from .pickling import fast_pickling

__all__ = [
    "Award",
    "Container",
    "Contributor",
    "DateValue",
    "Funding",
    "Identifier",
    "License",
    "Notice",
    "Organization",
    "Pages",
    "Reference",
    "Rejected",
    "RelatedItem",
    "Source",
    "Text",
    "Work",
    "WorkDate",
    "WorkType",
    "replace",
]


class WorkType(StrEnum):
    """What kind of work a record describes. The mapping picks FaBiO and Schema.org classes."""

    JOURNAL_ARTICLE = "journal-article"
    BOOK = "book"
    BOOK_CHAPTER = "book-chapter"
    EDITED_BOOK = "edited-book"
    PROCEEDINGS_ARTICLE = "proceedings-article"
    PROCEEDINGS = "proceedings"
    THESIS = "thesis"
    DATASET = "dataset"
    PREPRINT = "preprint"
    REPORT = "report"
    BLOG_POST = "blog-post"
    WEB_PAGE = "web-page"
    REVIEW = "review"
    EDITORIAL = "editorial"
    SOFTWARE = "software"
    JOURNAL = "journal"
    JOURNAL_ISSUE = "journal-issue"
    BLOG = "blog"
    BOOK_SERIES = "book-series"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from, for messages and provenance.

    ``position`` is 1-based (the n-th record of the file); ``line`` the line it starts on when
    the format has lines. ``format`` is the name of the reader that produced the record.
    """

    path: str
    format: str
    position: int = 1
    line: int | None = None
    pointer: str | None = None  # e.g. "items[3]" or a BibTeX key
    digest: str | None = None  # SHA-256 (hex) of the whole source's content, for provenance

    @property
    def name(self) -> str:
        """The file name alone (an archive member's own name): what provenance may publish,
        unlike ``path``, which can tell where a user keeps their files."""
        base = self.path.rsplit("!", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]
        return base.strip("<>") or "input"

    def label(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where} #{self.position}"


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of text with its BCP 47 language tag (``None`` when the source does not say)."""

    value: str
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier of a work, person or organisation.

    ``scheme`` is a lower-case scheme name: ``doi``, ``orcid``, ``issn``, ``isbn``, ``edn``,
    ``elibrary``, ``researcherid``, ``scopus``, ``pmid``, ``pmcid``, ``ror``, ``isni``,
    ``crossref-funder``, ``arxiv``, ``handle``, ``url`` or ``local``. ``value`` is the
    normalised form (see :mod:`ld_publish.identifiers`); ``original`` the spelling of the source
    when it differs. ``qualifier`` says e.g. ``print``/``electronic`` for an ISSN.
    """

    scheme: str
    value: str
    original: str | None = None
    qualifier: str | None = None


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as precise as the source gives it: year, year-month, day, or day and time.

    ``time`` and ``tz_minutes`` are only set together with ``day``; ``tz_minutes`` is the UTC
    offset in minutes, ``None`` for a local (floating) time.
    """

    year: int
    month: int | None = None
    day: int | None = None
    time: _dt.time | None = None
    tz_minutes: int | None = None

    def __post_init__(self) -> None:
        # Constructing an impossible date is a reader bug or bad input; fail loudly either way.
        if self.day is not None:
            _dt.date(self.year, self.month or 0, self.day)
        elif self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range")
        if self.time is not None and self.day is None:
            raise ValueError("a time needs a full date")

    def iso(self) -> str:
        """The lexical form of the matching XSD type."""
        if self.day is not None and self.month is not None:
            text = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
            if self.time is not None:
                text += "T" + self.time.strftime("%H:%M:%S")
                if self.tz_minutes is not None:
                    text += _tz(self.tz_minutes)
            return text
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def xsd_type(self) -> str:
        """Local name of the XSD datatype: dateTime, date, gYearMonth or gYear."""
        if self.time is not None:
            return "dateTime"
        if self.day is not None:
            return "date"
        if self.month is not None:
            return "gYearMonth"
        return "gYear"


def _tz(minutes: int) -> str:
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


DateKind = Literal[
    "published", "published-print", "published-online", "issued", "received", "revised",
    "accepted", "created", "updated", "available", "collection",
]


@dataclass(frozen=True, slots=True)
class WorkDate:
    """A dated event in a work's life: received, accepted, published (print/online) ..."""

    kind: DateKind
    value: DateValue


@dataclass(frozen=True, slots=True)
class Organization:
    """An organisation: an affiliation, a funder, a publisher, or an organisation as author.

    ``name`` is the name as printed (for an affiliation: the whole affiliation string);
    ``identifiers`` may hold a ROR, ISNI or Crossref Funder Registry DOI.
    """

    name: str
    identifiers: tuple[Identifier, ...] = ()
    department: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 when known, else the printed name
    email: str | None = None


ContributorRole = Literal["author", "editor", "translator", "contributor"]


@dataclass(frozen=True, slots=True)
class Contributor:
    """A person or an organisation (collaboration, consortium) contributing to a work.

    ``name`` is the name as printed in the source and is never rewritten; ``given`` and
    ``family`` its parts when the source gives them or they can be split unambiguously.
    ``position`` is 1-based within ``role``.
    """

    name: str
    position: int
    role: ContributorRole = "author"
    kind: Literal["person", "organization"] = "person"
    given: str | None = None
    family: str | None = None
    emails: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    affiliations: tuple[Organization, ...] = ()

    def identifier(self, scheme: str) -> Identifier | None:
        return next((i for i in self.identifiers if i.scheme == scheme), None)


@dataclass(frozen=True, slots=True)
class Pages:
    """Page range as printed: ``first``/``last`` when it is a range, ``text`` always."""

    text: str
    first: str | None = None
    last: str | None = None

    @classmethod
    def from_text(cls, text: str) -> Pages:
        """``"9-16"`` → first 9, last 16; one number is the first page; anything else is kept
        as text only."""
        parts = [p.strip() for p in re.split(r"\s*(?:-+|–|—)\s*", text.strip()) if p.strip()]
        if len(parts) == 2:
            return cls(text.strip(), parts[0], parts[1])
        if len(parts) == 1:
            return cls(text.strip(), parts[0], None)
        return cls(text.strip())


@dataclass(frozen=True, slots=True)
class Container:
    """What a work is published in: a journal, a book, proceedings, a blog, a series."""

    title: str | None
    type: WorkType = WorkType.JOURNAL
    short_title: str | None = None
    identifiers: tuple[Identifier, ...] = ()  # issn (qualifier print/electronic), isbn, ...
    publisher: Organization | None = None


@dataclass(frozen=True, slots=True)
class Award:
    """A grant or award number with an optional programme/title ("state assignment ...").

    ``other_numbers`` are further numbers of the same award as the source prints them
    ("No. 124032900015-3 (FMWS-2024-0008)": a registration number and a project code).
    """

    number: str
    title: str | None = None
    other_numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Funding:
    """Funding for a work: who funded it, the statement as printed, the awards."""

    funder: Organization | None = None
    statement: str | None = None
    awards: tuple[Award, ...] = ()


@dataclass(frozen=True, slots=True)
class License:
    url: str
    content_version: str | None = None  # vor, am, tdm, ...
    start: DateValue | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of the reference list. ``raw`` is the text as printed, always kept when given.

    Parsed parts are best-effort; ``doi`` is the normalised DOI when one was found.
    ``language_note`` keeps notes such as "In Russ.".
    """

    position: int
    raw: str | None = None
    type: WorkType | None = None
    authors: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    year: str | None = None
    title: str | None = None
    container_title: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    place: str | None = None
    doi: Identifier | None = None
    url: str | None = None
    identifiers: tuple[Identifier, ...] = ()  # isbn, pmid, arxiv ...
    language_note: str | None = None
    key: str | None = None  # the source's own reference id (JATS ref/@id, Crossref key)


RelationType = Literal[
    "see-also", "is-supplemented-by", "is-supplement-to", "is-correction-of",
    "is-corrected-by", "is-retraction-of", "is-retracted-by", "is-preprint-of",
    "has-preprint", "is-version-of", "has-version", "is-part-of", "has-part",
    "is-review-of", "is-reviewed-by", "references", "is-referenced-by",
    "is-identical-to", "is-derived-from", "is-source-of", "is-related-to",
]


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """A related work: a "See also" article, a correction, a retraction, a dataset, ..."""

    relation: RelationType
    citation: str | None = None  # the text as printed
    title: str | None = None
    authors: tuple[str, ...] = ()
    container_title: str | None = None
    year: str | None = None
    issue: str | None = None
    identifiers: tuple[Identifier, ...] = ()


Severity = Literal["violation", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a reader noticed: a value it could not use, a suspicious one, a change it made.

    ``field`` is a path into the record (``contributors[2].name``); ``value`` the offending
    source value; ``hint`` what the user can do. Notices end up in the validation report.
    """

    field: str
    message: str
    value: str | None = None
    hint: str | None = None
    severity: Severity = "warning"


@dataclass(frozen=True, slots=True)
class Work:
    """One bibliographic record: an article (or book, chapter, dataset, ...) and what it refers to.

    ``key`` identifies the record stably across runs (the DOI when there is one); named graphs
    and minted IRIs derive from it.
    """

    key: str
    source: Source
    type: WorkType = WorkType.JOURNAL_ARTICLE
    title: Text | None = None
    subtitles: tuple[Text, ...] = ()
    translated_titles: tuple[Text, ...] = ()
    abstracts: tuple[Text, ...] = ()
    language: str | None = None
    contributors: tuple[Contributor, ...] = ()
    container: Container | None = None
    volume: str | None = None
    issue: str | None = None
    pages: Pages | None = None
    article_number: str | None = None  # elocation-id
    identifiers: tuple[Identifier, ...] = ()
    dates: tuple[WorkDate, ...] = ()
    funding: tuple[Funding, ...] = ()
    references: tuple[Reference, ...] = ()
    related: tuple[RelatedItem, ...] = ()
    licenses: tuple[License, ...] = ()
    keywords: tuple[Text, ...] = ()
    subjects: tuple[str, ...] = ()
    publisher: Organization | None = None
    url: str | None = None
    version: str | None = None
    citation: str | None = None  # the "how to cite" line as printed
    notices: tuple[Notice, ...] = ()
    unmapped: tuple[str, ...] = ()  # source field paths the reader did not carry over
    extra: tuple[tuple[str, str], ...] = field(default=())  # reserved for reader extensions
    # The other sources of a record merged from several (ld_publish.merge); `source` is the first.
    merged_from: tuple[Source, ...] = ()

    def identifier(self, scheme: str) -> Identifier | None:
        return next((i for i in self.identifiers if i.scheme == scheme), None)

    @property
    def doi(self) -> str | None:
        ident = self.identifier("doi")
        return ident.value if ident else None

    def date(self, kind: str) -> DateValue | None:
        return next((d.value for d in self.dates if d.kind == kind), None)

    def authors(self) -> tuple[Contributor, ...]:
        return tuple(c for c in self.contributors if c.role == "author")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record a reader could not turn into a :class:`Work`; it goes to quarantine.

    ``raw`` is the record's own text (not the whole file) so the quarantine holds what the user
    has to fix; ``error`` says why, with field and hint.
    """

    source: Source
    reason: str
    raw: str
    field: str | None = None
    hint: str | None = None


fast_pickling(sys.modules[__name__])  # records go to worker processes and back
