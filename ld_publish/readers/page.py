"""Reader for the article-page text the "Polis. Political Studies" site produces.

One file is one article. The page is line-oriented: the title, then per author a name line
("Sebentzov A.B.,"), an affiliation line ending in e-mail addresses and an optional line of
author ids ("elibrary_id: 618867 | ORCID: ... | RESEARCHER_ID: ..."), the received/accepted
dates, "DOI:" and "EDN:" lines, the how-to-cite line, a funding statement, the abstract, a
"References" block (one reference a line) and a "See also:" block (pairs of author and title
lines). Lines after the author block are recognised by content, not position, because the
site leaves out what an article does not have.

Decisions (see docs/record-format.md for the user-facing version):

* An affiliation keeps its whole printed text (e-mails removed) as ``Organization.name``, as the
  model asks; ``city`` and ``country`` (ISO code) are filled in only when the last part is a
  country this module knows, so nothing is guessed for unknown places.
* The funder is set only when the statement says who funded the work ("supported by the
  Russian Science Foundation"). "Prepared at IG RAS within a state assignment" names where the
  work was done, not who paid, so no funder is set and an info notice says so.
* Field paths in notices use 1-based indexes, the same as ``Contributor.position``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import InputError, Location
from ..model import (
    Award,
    Container,
    DateValue,
    Funding,
    Identifier,
    Notice,
    Organization,
    Pages,
    Reference,
    Rejected,
    RelatedItem,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
)
from ..sources import InputSource
from .base import readers
from .identify import identifier
from .page_authors import AuthorBlock
from .page_patterns import (
    _AWARD,
    _CITATION,
    _DATE_PART,
    _DATES_LINE,
    _DOI_LINE,
    _DOI_URL,
    _EDN_LINE,
    _FUNDER,
    _FUNDER_ACRONYMS,
    _FUNDING,
    _ISSUE,
    _KEYWORDS_LINE,
    _LANGUAGE_NOTE,
    _LANGUAGES,
    _NAME_LINE,
    _PAGES,
    _REFERENCES_HEAD,
    _SEE_ALSO_HEAD,
    _VOLUME,
    _is_author_list,
    _is_marker,
    _pages,
    _parse_date,
    _text_lang,
)
from .page_references import parse_reference, split_initialled_names

__all__ = ["PageReader", "parse_page"]

class PageReader:
    """The article-page text format (one article per file)."""

    name = "page"
    aliases: tuple[str, ...] = ("page-text",)
    description = "article-page text of the Polis. Political Studies site (one article a file)"
    extensions: tuple[str, ...] = (".txt",)

    def sniff(self, head: bytes, filename: str) -> int:
        text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
        if not text or text[0] in "{[<@%" or text.startswith("TY  -"):
            return 0
        score = 0
        if re.search(r"(?m)^elibrary_id:\s*\d", text):
            score += 40
        if re.search(r"(?mi)^Article received:", text):
            score += 40
        if re.search(r"(?m)^DOI:\s*10\.", text):
            score += 20
        if re.search(r"(?m)^EDN:\s*[A-Z]{6}\s*$", text):
            score += 20
        if re.search(r"(?m)^References\s*$", text):
            score += 10
        if re.search(r"(?m)^See also:\s*$", text):
            score += 10
        if score and filename.lower().endswith(".txt"):
            score += 5
        return min(score, 95)

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        text = source.read_text()
        yield parse_page(text, source.label)


def parse_page(text: str, label: str = "<page>") -> Work:
    """The Work described by one article page; InputError when the text is no article page."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    if not any(lines):
        raise InputError(f"{label} holds no text",
                         hint="give an article page with at least a title",
                         where=Location(file=label))
    first = next(line.strip() for line in lines if line.strip())
    other = _OTHER_FORMAT.match(first)
    if other:
        # Otherwise the first line of an XML, JSON, YAML, BibTeX or RIS file becomes a title.
        raise InputError(f"{label} looks like {other.lastgroup}, not article page text",
                         hint="name the format with --from (see `ld-publish formats`)",
                         where=Location(file=label, line=1))
    return _PageParser(lines, label).parse()


_OTHER_FORMAT = re.compile(
    r"(?P<XML><[?!A-Za-z])|(?P<JSON>[{\[])|(?P<YAML>#|---\s*$|%YAML|[A-Za-z_][\w-]*:\s+\S.*$)"
    r"|(?P<BibTeX>@[A-Za-z]+\s*[{(])|(?P<RIS>[A-Z][A-Z0-9]  - )")


@dataclass
class _PageParser(AuthorBlock):
    lines: list[str]
    label: str
    notices: list[Notice] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    dates: list[WorkDate] = field(default_factory=list)
    funding: list[Funding] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    keywords: list[Text] = field(default_factory=list)
    citation: str | None = None

    def notice(self, path: str, message: str, value: str | None = None,
               hint: str | None = None, severity: str = "warning") -> None:
        self.notices.append(Notice(path, message, value, hint, severity))  # type: ignore[arg-type]

    def parse(self) -> Work:
        head_end = next((i for i, line in enumerate(self.lines)
                         if _REFERENCES_HEAD.match(line.strip())
                         or _SEE_ALSO_HEAD.match(line.strip())), len(self.lines))
        pos, title = self._title()
        pos, contributors = self._authors(pos, head_end)
        for number in range(pos, head_end):
            self._body_line(self.lines[number].strip(), number + 1)
        references, related = self._tail(head_end)
        if not (contributors or self.identifiers or references or self.citation or self.dates):
            raise InputError(
                f"{self.label} does not look like an article page: no authors, DOI, EDN, "
                "dates, citation or references found",
                hint="check the file; name its format with --from if it is not page text",
                where=Location(file=self.label))
        if head_end == len(self.lines) and self.abstract and not re.search(
                r"[.!?…)\]\"”»]\s*$", self.abstract[-1]):
            # The page ends mid-sentence inside the abstract: the file was cut off, and a
            # shortened record must not be published as if whole.
            raise InputError(
                f"{self.label} ends in the middle of the abstract; the page looks truncated",
                hint="fetch or save the page again; a whole page ends with a full sentence, "
                     "its references or its \"See also\" list",
                where=Location(file=self.label, line=len(self.lines)))
        if references and not related and not re.search(
                r"(?:[.!?)\]\"”»\d]|https?://\S+)\s*$", references[-1].raw or ""):
            # The last reference stops mid-word with nothing after it: the file was cut off.
            raise InputError(
                f"{self.label} ends in the middle of reference {references[-1].position}; "
                "the page looks truncated",
                hint="fetch or save the page again; a reference ends with a full stop, a "
                     "closing bracket, page numbers or its DOI",
                where=Location(file=self.label, line=len(self.lines)))
        container, issue, volume, pages = self._container()
        doi = next((i.value for i in self.identifiers if i.scheme == "doi"), None)
        edn = next((i.value for i in self.identifiers if i.scheme == "edn"), None)
        key = doi or (f"edn:{edn}" if edn else "sha256:" + hashlib.sha256(
            "\n".join(self.lines).strip().encode("utf-8")).hexdigest())
        abstract = "\n".join(self.abstract).strip()
        return Work(
            key=key,
            source=Source(path=self.label, format="page", position=1, line=1),
            type=WorkType.JOURNAL_ARTICLE,
            title=Text(title, _text_lang(title)) if title else None,
            abstracts=(Text(abstract, _text_lang(abstract)),) if abstract else (),
            language=self._language(),
            contributors=tuple(contributors),
            container=container,
            volume=volume,
            issue=issue,
            pages=pages,
            identifiers=tuple(self.identifiers),
            dates=tuple(self.dates),
            funding=tuple(self.funding),
            references=tuple(references),
            related=tuple(related),
            keywords=tuple(self.keywords),
            citation=self.citation,
            notices=tuple(self.notices),
            unmapped=tuple(self.unmapped),
        )

    # -- header ------------------------------------------------------------------------------

    def _title(self) -> tuple[int, str | None]:
        first = next((i for i, line in enumerate(self.lines) if line.strip()), 0)
        candidate = self.lines[first].strip()
        looks_like_title = not (_NAME_LINE.match(candidate) or _is_marker(candidate))
        if first == 0 and looks_like_title:
            return 1, candidate
        if looks_like_title:
            self.notice("title", "blank lines before the title were skipped", None,
                        None, "info")
            return first + 1, candidate
        self.notice("title", "the page has no title line", None,
                    "the first line of an article page must be the article title", "violation")
        return first, None

    def _body_line(self, line: str, number: int) -> None:
        if not line:
            return
        if _DATES_LINE.match(line):
            self._dates(line)
        elif match := _DOI_LINE.match(line):
            self._doi(match.group("value").strip())
        elif match := _EDN_LINE.match(line):
            self._edn(match.group("value").strip(), "identifiers.edn")
        elif match := _KEYWORDS_LINE.match(line):
            self.keywords.extend(Text(k.strip(), _text_lang(k)) for k in
                                 re.split(r"[;,]", match.group("value")) if k.strip())
        elif self.citation is None and _CITATION.search(line) and len(line) < 2000:
            self.citation = line
        elif len(line) < 1500 and _FUNDING.search(line):
            self.funding.append(self._funding(line, len(self.funding) + 1))
        else:
            self.abstract.append(line)

    def _dates(self, line: str) -> None:
        for match in _DATE_PART.finditer(line):
            kind = match.group("kind").lower()
            value = match.group("value").strip()
            parsed = _parse_date(value)
            if parsed is None:
                self.notice(f"dates.{kind}", f"cannot read the {kind} date {value!r}", value,
                            "dates look like 2024.08.14 19:26 (year.month.day hour:minute)",
                            "violation")
            else:
                self.dates.append(WorkDate(kind, parsed))  # type: ignore[arg-type]

    def _doi(self, value: str) -> None:
        doi = identifier("doi", value, "identifiers.doi", self.notices)
        if doi is None:
            return
        if any(i.scheme == "doi" for i in self.identifiers):
            self.notice("identifiers.doi", "a second DOI line was left out", value)
            return
        self.identifiers.append(doi)

    def _edn(self, value: str, path: str) -> None:
        edn = identifier("edn", value, path, self.notices)
        if edn is not None and not any(i.scheme == "edn" for i in self.identifiers):
            self.identifiers.append(edn)

    def _funding(self, line: str, number: int) -> Funding:
        awards: list[Award] = []
        for match in _AWARD.finditer(line):
            title = match.group("title")
            # "No. 124032900015-3 (FMWS-2024-0008)": the bracketed code is another number of
            # the same state assignment, not a second grant.
            alt = match.group("alt")
            awards.append(Award(match.group("number").rstrip("."),
                                title.strip().rstrip(".") if title else None,
                                (alt.rstrip("."),) if alt else ()))
        funder: Organization | None = None
        named = _FUNDER.search(line)
        if named:
            name = (named.group("name") or named.group("ministry")).strip()
            funder = Organization(_FUNDER_ACRONYMS.get(name, name))
        else:
            for acronym, full in _FUNDER_ACRONYMS.items():
                if re.search(rf"\b{acronym}\b", line):
                    funder = Organization(full)
                    break
        if funder is None:
            self.notice(f"funding[{number}].funder",
                        "the funding statement names no funder; none was set", line,
                        "an institution where the work was prepared is not taken as its funder",
                        "info")
        return Funding(funder=funder, statement=line, awards=tuple(awards))

    def _container(self) -> tuple[Container | None, str | None, str | None, Pages | None]:
        if self.citation is None:
            return None, None, None, None
        match = _CITATION.search(self.citation)
        assert match is not None  # the line was chosen because it matches
        tail = match.group("tail")
        issue = _ISSUE.search(tail)
        volume = _VOLUME.search(tail)
        pages = _PAGES.search(tail)
        self.dates.append(WorkDate("published", DateValue(int(match.group("year")))))
        doi_match = _DOI_URL.search(tail)
        if doi_match:
            self._cross_check_doi(doi_match.group(1).rstrip(".,;"))
        edn_match = re.search(r"\bEDN:\s*(\S+?)(?=[\s.(]|$)", tail)
        if edn_match:
            edn = next((i.value for i in self.identifiers if i.scheme == "edn"), None)
            if edn is None:
                self._edn(edn_match.group(1), "citation")
            elif edn != edn_match.group(1):
                self.notice("citation", "the citation gives another EDN than the EDN line",
                            edn_match.group(1))
        container = Container(title=match.group("journal").strip(), type=WorkType.JOURNAL)
        return (container, issue.group("issue").rstrip(".") if issue else None,
                volume.group("volume") if volume else None, _pages(pages.group("pages"))
                if pages else None)

    def _cross_check_doi(self, printed: str) -> None:
        notices: list[Notice] = []
        found = identifier("doi", printed, "citation", notices, severity="warning")
        self.notices.extend(notices)
        if found is None:
            return
        normal = found.value
        doi = next((i.value for i in self.identifiers if i.scheme == "doi"), None)
        if doi is None:
            self.identifiers.append(found)
            self.notice("identifiers.doi", "the DOI was taken from the citation line", printed,
                        None, "info")
        elif doi != normal:
            self.notice("citation", "the citation gives another DOI than the DOI line", printed,
                        "check which DOI belongs to the article")

    def _language(self) -> str | None:
        if self.citation:
            match = _LANGUAGE_NOTE.search(self.citation)
            if match:
                lang = _LANGUAGES.get(match.group("lang"))
                if lang is None:
                    self.notice("language", "unknown language note in the citation",
                                match.group(0))
                return lang
        return None

    # -- references and "See also" ------------------------------------------------------------

    def _tail(self, start: int) -> tuple[list[Reference], list[RelatedItem]]:
        references: list[Reference] = []
        related: list[RelatedItem] = []
        section = None
        pending: str | None = None
        for line in (line.strip() for line in self.lines[start:]):
            if _REFERENCES_HEAD.match(line):
                section = "references"
            elif _SEE_ALSO_HEAD.match(line):
                section = "see-also"
            elif not line:
                continue
            elif section == "references":
                reference, notices = parse_reference(line, len(references) + 1)
                references.append(reference)
                self.notices.extend(notices)
            elif pending is None and _is_author_list(line):
                pending = line
            else:
                related.append(self._related(pending, line, len(related) + 1))
                pending = None
        if pending is not None:
            related.append(self._related(None, pending, len(related) + 1))
        return references, related

    def _related(self, names: str | None, line: str, number: int) -> RelatedItem:
        citation = f"{names} {line}" if names else line
        match = _CITATION.search(line)
        if names is None:
            self.notice(f"related[{number}].authors", "a 'See also' entry has no author line",
                        line)
        if not match:
            self.notice(f"related[{number}]", "cannot read the 'See also' entry", line,
                        None, "info")
            return RelatedItem("see-also", citation=citation,
                               authors=split_initialled_names(names or ""))
        issue = _ISSUE.search(match.group("tail"))
        return RelatedItem(
            "see-also", citation=citation, title=line[: match.start()].strip().rstrip("."),
            authors=split_initialled_names(names or ""),
            container_title=match.group("journal").strip(), year=match.group("year"),
            issue=issue.group("issue").rstrip(".") if issue else None)


readers.register("page", PageReader(), aliases=PageReader.aliases)
