"""The site's front page: every article, grouped by journal issue, linked to its page.

Each record leaves a small :class:`Listing` (title, authors, where it appeared) while the site
is built; the page is made from those at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .html import esc, lang_attr, link, page
from .view import RecordView


@dataclass(frozen=True, slots=True)
class Listing:
    url: str  # the record page
    title: str
    lang: str | None
    authors: tuple[str, ...]
    journal: str
    volume: str
    issue: str
    year: str
    first_page: str


def listing(view: RecordView, url: str) -> Listing:
    title = view.title
    return Listing(url, title.value if title else "Untitled record",
                   title.lang if title else None, tuple(a.name for a in view.authors),
                   view.journal or "", view.volume or "", view.issue or "",
                   (view.published or "")[:4], view.first_page or "")


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    # "10" after "9": issue and volume numbers are text in the graph.
    return tuple((int(part), "") if part.isdigit() else (0, part)
                 for part in re.findall(r"\d+|\D+", text))


def _group_name(item: Listing) -> str:
    """``Volume 3, Issue 2 (2014)``, as much of it as is known."""
    where = ", ".join(b for b in (f"Volume {item.volume}" if item.volume else "",
                                  f"Issue {item.issue}" if item.issue else "") if b)
    if not item.year:
        return where or "Articles"
    return f"{where} ({item.year})" if where else item.year


def index_page(listings: list[Listing], base: str, title: str) -> bytes:
    """``index.html``: journals in name order, their issues newest first."""
    groups: dict[tuple[str, str, str, str], list[Listing]] = {}
    for item in listings:
        groups.setdefault((item.journal, item.year, item.volume, item.issue), []).append(item)
    order = sorted(groups, key=lambda g: (g[0] == "", g[0].casefold(), g[0],
                                          [-n for n, _ in _natural(g[1])], _natural(g[2]),
                                          _natural(g[3])))
    body = [f"<h1>{esc(title)}</h1>\n",
            f"<p>{len(listings)} articles. Each page is also available as Turtle, JSON-LD and "
            "N-Triples.</p>\n"]
    journal = None
    for key in order:
        if key[0] != journal:
            journal = key[0]
            body.append(f"<h2>{esc(journal or 'Other articles')}</h2>\n")
        items = sorted(groups[key], key=lambda i: (_natural(i.first_page), i.title, i.url))
        first = items[0]
        body.append(f"<section>\n<h3>{esc(_group_name(first))}</h3>\n<ul>\n")
        for item in items:
            authors = f' <span class="byline">{esc(", ".join(item.authors))}</span>' if (
                item.authors) else ""
            body.append(f"<li><span{lang_attr(item.lang)}>{link(item.url, item.title)}</span>"
                        f"{authors}</li>\n")
        body.append("</ul>\n</section>\n")
    docs = [(base + "void.ttl", "text/turtle", "dataset description (Turtle)"),
            (base + "dataset.nq.gz", "application/n-quads", "all data (N-Quads, gzip)"),
            (base + "sitemap.xml", "application/xml", "sitemap")]
    return page(title=title, title_lang=None, base=base, site_title=title, head="",
                body="".join(body), documents=docs)
