"""Best-effort parsing of one reference string as the article-page site prints it.

The site prints references in an APA-like style ("Agnew, J.A. (2013). Title. Journal, 47(1),
1-12. https://doi.org/...") with Russian-language works transliterated and marked "(In Russ.)".
Parsing only fills what it recognises; ``Reference.raw`` always keeps the line as printed, and a
line that matches no pattern still becomes a Reference with just ``raw`` (and the DOI, if any).
"""

from __future__ import annotations

import re

from ..model import Identifier, Notice, Reference, WorkType
from .identify import identifier

__all__ = ["parse_reference", "split_apa_names", "split_initialled_names"]

_DOI_URL = re.compile(r"https?://(?:dx\.)?doi\.org/(\S+)", re.IGNORECASE)
_OTHER_URL = re.compile(r"https?://\S+")
_LANG_NOTE = re.compile(r"\(\s*(In\s+[A-Z][a-z]+\.?)\s*\)")
# "Names (Eds.). (2002). rest" or "Names (2013). rest"; the year may carry a letter (2015a).
_HEAD = re.compile(
    r"^(?P<names>.+?)\s*(?:\((?P<eds>Eds?\.)\)\.?\s*)?"
    r"\((?P<year>(?:1[5-9]|20)\d{2}[a-z]?|n\.\s?d\.)\)\.?\s*(?P<rest>.*)$"
)
# Initials as printed: "J.A.", "N.-L.", "Yu.V.", "P.Ya." (Latin or Cyrillic letters).
_INITIALS = r"(?:[^\W\d_]{1,2}\.\s?-?)+"
_FAMILY_FIRST = re.compile(rf"\s*(?:&\s*)?([^,&]+?),\s*({_INITIALS})\s*(?:,|(?=&)|$)")
_INITIALS_FIRST = re.compile(rf"\s*(?:&\s*)?({_INITIALS})\s*([^,&]+?)\s*(?:,|(?=&)|$)")
# ", 47(1), 1-12" at the end: volume, optional issue, pages (or a single page).
_JOURNAL_TAIL = re.compile(
    r"^(?P<front>.+?),\s*(?P<volume>\d+[A-Za-z]?)(?:\s*\((?P<issue>[^)]+)\))?,\s*"
    r"(?P<pages>[A-Za-z]?\d+(?:\s*[-–]\s*[A-Za-z]?\d+)?)\.?$"
)
_CHAPTER = re.compile(
    r"^(?P<title>.+?[.?!])\s+In\s+(?:(?P<eds>.+?)\s*\(Eds?\.\),\s*)?(?P<book>.+?)\s*"
    r"\(pp\.\s*(?P<pages>[^)]+)\)\.?\s*(?P<imprint>.*)$"
)
_IMPRINT = re.compile(r"(?:^|(?<=[.?!])\s+)(?P<place>[^.:?!]+?):\s*(?P<publisher>[^:]+?)\.?$")


def parse_reference(raw: str, position: int) -> tuple[Reference, list[Notice]]:
    """The Reference for one printed line, plus notices about what could not be used."""
    notices: list[Notice] = []
    text = raw.strip()
    doi: Identifier | None = None
    url: str | None = None
    doi_match = _DOI_URL.search(text)
    if doi_match:
        # The sentence's own full stop after the DOI URL is not part of the DOI.
        printed = doi_match.group(1).rstrip(".,;")
        doi = identifier("doi", printed, f"references[{position}].doi", notices,
                         severity="warning")
        text = (text[: doi_match.start()] + text[doi_match.end():]).strip()
    else:
        url_match = _OTHER_URL.search(text)
        if url_match:
            url = url_match.group(0).rstrip(".,;")
            text = (text[: url_match.start()] + text[url_match.end():]).strip()
    note_match = _LANG_NOTE.search(text)
    language_note = note_match.group(1) if note_match else None
    if note_match:
        text = (text[: note_match.start()] + text[note_match.end():]).strip()
    text = text.rstrip(" .")

    fields: dict[str, object] = {}
    head = _HEAD.match(text)
    if head:
        names = split_apa_names(head.group("names"))
        fields["editors" if head.group("eds") else "authors"] = names
        fields["year"] = head.group("year")
        fields.update(_parse_body(head.group("rest")))
    return Reference(
        position=position, raw=raw.strip(), doi=doi, url=url, language_note=language_note,
        **fields,  # type: ignore[arg-type]
    ), notices


def _parse_body(rest: str) -> dict[str, object]:
    chapter = _CHAPTER.match(rest)
    if chapter:
        out: dict[str, object] = {
            "type": WorkType.BOOK_CHAPTER, "title": chapter.group("title").rstrip("."),
            "container_title": chapter.group("book").strip().rstrip(".,"),
            "pages": chapter.group("pages").strip(),
        }
        if chapter.group("eds"):
            out["editors"] = split_apa_names(chapter.group("eds"))
        imprint = _IMPRINT.search(chapter.group("imprint").strip())
        if imprint:
            out["place"] = imprint.group("place").strip()
            out["publisher"] = imprint.group("publisher").strip()
        return out
    journal = _JOURNAL_TAIL.match(rest)
    if journal:
        title, container = _split_title(journal.group("front"))
        out = {"type": WorkType.JOURNAL_ARTICLE, "volume": journal.group("volume"),
               "pages": journal.group("pages")}
        if journal.group("issue"):
            out["issue"] = journal.group("issue")
        if title:
            out["title"] = title
        if container:
            out["container_title"] = container
        return out
    imprint = _IMPRINT.search(rest)
    if imprint and imprint.start() > 0:
        return {"type": WorkType.BOOK, "title": rest[: imprint.start()].strip().rstrip("."),
                "place": imprint.group("place").strip(),
                "publisher": imprint.group("publisher").strip()}
    return {"title": rest.strip().rstrip(".")} if rest.strip() else {}


def _split_title(front: str) -> tuple[str | None, str | None]:
    # The journal name follows the title's final full stop or question mark. Journal names
    # with a full stop ("Izvestiya RAN. Seriya ...") get split wrongly; raw keeps the truth.
    cut = max(front.rfind(". "), front.rfind("? "), front.rfind("! "))
    if cut < 0:
        return None, front.strip() or None
    end = cut + 1 if front[cut] in "?!" else cut
    return front[:end].strip() or None, front[cut + 2:].strip() or None


def split_apa_names(text: str) -> tuple[str, ...]:
    """Names in "Family, I.I., Family, I., & Family, I." or "I. Family, & I. Family" order."""
    text = text.strip().rstrip(",")
    for pattern, family_first in ((_FAMILY_FIRST, True), (_INITIALS_FIRST, False)):
        names: list[str] = []
        pos = 0
        while pos < len(text):
            match = pattern.match(text, pos)
            if not match or match.end() == pos:
                break
            first, second = match.group(1).strip(), match.group(2).strip()
            names.append(f"{first}, {second}" if family_first else f"{first} {second}")
            pos = match.end()
        if names and pos >= len(text.rstrip()):
            return tuple(names)
    return (text,) if text else ()


def split_initialled_names(text: str) -> tuple[str, ...]:
    """Names in the site's "Family I.I., Family I.," form, as printed."""
    return tuple(part.strip() for part in text.split(",") if part.strip())
