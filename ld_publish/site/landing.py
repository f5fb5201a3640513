"""A record's landing page: the article for people, and for machines in the same file.

For people: title, authors in byline order with ORCID links and affiliations, journal, volume,
issue, pages, dates, DOI, abstract, funding, references with their DOIs linked, related
articles. For machines: the record's JSON-LD in a ``<script type="application/ld+json">``,
Highwire Press ``citation_*`` meta tags (what Google Scholar reads), Dublin Core ``DC.*`` meta
tags, and FAIR signposting links (``cite-as``, ``describedby``, ``alternate``, ``author``,
``license``). Everything shown comes from the record graph (:mod:`.view`).
"""

from __future__ import annotations

import re

from .html import alternates, attr, esc, is_link, lang_attr, link, page
from .view import RecordView, Text

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def highwire_date(value: str | None) -> str | None:
    """``2025-01-13T…`` as ``2025/01/13`` (or ``2025/01``, ``2025``), as Google Scholar asks."""
    if not value:
        return None
    match = _DATE.match(value)
    if match is None:
        return None
    return "/".join(part for part in match.groups() if part)


def script_json(data: bytes) -> str:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` as JSON escapes, so no string in
    the data can close the element (``</script>``) or open a comment. In our JSON they occur
    only inside strings, where the escapes mean the same characters."""
    text = data.decode("utf-8")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _meta(name: str, content: str | None, lang: str | None = None) -> str:
    if not content:
        return ""
    return f'<meta name="{attr(name)}" content="{attr(content)}"{lang_attr(lang)}>\n'


def _head(view: RecordView, page_url: str, docs: list[tuple[str, str, str]],
          license_iri: str | None, jsonld: bytes) -> str:
    parts: list[str] = []
    add = parts.append
    title = view.title
    add(_meta("citation_title", title.value if title else None, title.lang if title else None))
    for author in view.authors:
        add(_meta("citation_author", author.name))
        for org in author.affiliations:
            add(_meta("citation_author_institution", org))
        if author.orcid:
            add(_meta("citation_author_orcid", author.orcid))
    add(_meta("citation_publication_date", highwire_date(view.published)))
    add(_meta("citation_journal_title", view.journal))
    add(_meta("citation_publisher", view.publisher))
    add(_meta("citation_volume", view.volume))
    add(_meta("citation_issue", view.issue))
    add(_meta("citation_firstpage", view.first_page))
    add(_meta("citation_lastpage", view.last_page))
    add(_meta("citation_doi", view.doi))
    for issn in view.issn:
        add(_meta("citation_issn", issn))
    if view.abstracts:
        add(_meta("citation_abstract", view.abstracts[0].value, view.abstracts[0].lang))
    for language in view.languages:
        add(_meta("citation_language", language))
    for keyword in view.keywords:
        add(_meta("citation_keywords", keyword))
    for ref in view.references:
        add(_meta("citation_reference", ref.text + (
            f"; citation_doi={ref.doi[16:]}" if ref.doi and ref.doi[16:].casefold() not in
            ref.text.casefold() else "")))
    add(_meta("DC.title", title.value if title else None, title.lang if title else None))
    for author in view.authors:
        add(_meta("DC.creator", author.name))
    add(_meta("DC.date", view.published))
    add(_meta("DC.identifier", view.doi_iri or view.iri))
    add(_meta("DC.publisher", view.publisher))
    add(_meta("DC.source", view.journal))
    for language in view.languages:
        add(_meta("DC.language", language))
    add(_meta("DC.type", "Text"))
    rights = view.licenses[0] if view.licenses else license_iri
    add(_meta("DC.rights", rights))
    if view.abstracts:
        add(_meta("DC.description", view.abstracts[0].value, view.abstracts[0].lang))
    # Signposting (https://signposting.org/FAIR/): the persistent IRI, the metadata documents.
    cite_as = view.doi_iri or view.iri
    if is_link(cite_as):
        add(f'<link rel="cite-as" href="{attr(cite_as)}">\n')
    add(f'<link rel="canonical" href="{attr(page_url)}">\n')
    for url, media, _label in docs:
        add(f'<link rel="describedby" type="{attr(media)}" href="{attr(url)}">\n')
        add(f'<link rel="alternate" type="{attr(media)}" href="{attr(url)}">\n')
    for author in view.authors:
        if author.orcid and is_link(author.orcid):
            add(f'<link rel="author" href="{attr(author.orcid)}">\n')
    for licence in (view.licenses or ((license_iri,) if license_iri else ())):
        if is_link(licence):
            add(f'<link rel="license" href="{attr(licence)}">\n')
    add(f'<script type="application/ld+json">{script_json(jsonld)}</script>\n')
    return "".join(parts)


def _text(tag: str, text: Text, cls: str = "") -> str:
    cls_attr = f' class="{cls}"' if cls else ""
    return f"<{tag}{cls_attr}{lang_attr(text.lang)}>{esc(text.value)}</{tag}>\n"


def _reference(text: str, doi: str | None) -> str:
    """The reference as printed, its DOI linked where the text gives it, else after it."""
    if not doi or not is_link(doi):
        return esc(text)
    at = text.casefold().find(doi.casefold())
    if at < 0:
        return f'{esc(text)} <a href="{attr(doi)}">{esc(doi)}</a>'
    end = at + len(doi)
    return f'{esc(text[:at])}<a href="{attr(doi)}">{esc(text[at:end])}</a>{esc(text[end:])}'


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def human_date(value: str | None) -> str:
    """``2024-08-14T19:26:00`` as ``14 August 2024`` (a year or year-month as far as known)."""
    match = _DATE.match(value or "")
    if match is None:
        return value or ""
    year, month, day = match.groups()
    if month is None or not 1 <= int(month) <= 12:
        return year
    name = _MONTHS[int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


def _dl(rows: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{esc(label)}</dt><dd>{value}</dd>\n" for label, value in rows if value)
    return f'<dl class="facts">\n{items}</dl>\n' if items else ""


def _body(view: RecordView, license_iri: str | None) -> str:
    parts: list[str] = ['<article>\n<header class="record">\n']
    add = parts.append
    add(_text("h1", view.title or Text("Untitled record")))
    for subtitle in view.subtitles:
        add(_text("p", subtitle, "subtitle"))
    if view.authors:
        add('<ol class="authors">\n')
        for author in view.authors:
            orcid = (" " + link(author.orcid, "ORCID", "author")) if author.orcid else ""
            orgs = "".join(f'<span class="affiliation">{esc(o)}</span>'
                           for o in author.affiliations)
            add(f'<li><span class="name">{link(author.iri, author.name)}</span>{orcid}'
                f"{orgs}</li>\n")
        add("</ol>\n")
    add("</header>\n")
    pages = view.pagination or "–".join(p for p in (view.first_page, view.last_page) if p)
    journal = link(view.journal_iri, view.journal) if view.journal and view.journal_iri else (
        esc(view.journal or ""))
    add(_dl([("Journal", journal), ("ISSN", esc(", ".join(view.issn))),
             ("Volume", esc(view.volume or "")), ("Issue", esc(view.issue or "")),
             ("Pages", esc(pages)), ("Received", esc(human_date(view.received))),
             ("Accepted", esc(human_date(view.accepted))),
             ("Published", esc(human_date(view.published))),
             ("Available online", esc(human_date(view.available))),
             ("DOI", link(view.doi_iri, view.doi_iri) if view.doi_iri else ""),
             ("Publisher", esc(view.publisher or "")),
             ("Language", esc(", ".join(view.languages))),
             ("Keywords", esc("; ".join(view.keywords))),
             ("Licence", ", ".join(link(x) for x in (view.licenses or (
                 (license_iri,) if license_iri else ()))))]))
    if view.abstracts:
        add('<section aria-labelledby="abstract">\n<h2 id="abstract">Abstract</h2>\n')
        for abstract in view.abstracts:
            add(_text("p", abstract, "abstract"))
        add("</section>\n")
    if view.grants or view.funders:
        add('<section aria-labelledby="funding">\n<h2 id="funding">Funding</h2>\n<ul>\n')
        for grant in view.grants:
            bits = [esc(grant.name)] if grant.name else []
            if grant.funders:
                bits.append("funded by " + esc(", ".join(grant.funders)))
            if grant.numbers:
                bits.append("grant " + esc(", ".join(grant.numbers)))
            about = f'<p class="note">{esc(grant.description)}</p>' if grant.description else ""
            add(f"<li>{'; '.join(bits)}{about}</li>\n")
        for funder in view.funders:
            add(f"<li>{esc(funder)}</li>\n")
        add("</ul>\n</section>\n")
    if view.references:
        add('<section aria-labelledby="references">\n<h2 id="references">References</h2>\n'
            '<ol class="references">\n')
        for ref in view.references:
            add(f"<li>{_reference(ref.text, ref.doi)}</li>\n")
        add("</ol>\n</section>\n")
    if view.related:
        add('<section aria-labelledby="related">\n<h2 id="related">Related articles</h2>\n'
            "<ul>\n")
        for item in view.related:
            add(f"<li>{link(item.iri, item.text)}</li>\n")
        add("</ul>\n</section>\n")
    add("</article>\n")
    return "".join(parts)


def landing_page(view: RecordView, *, base: str, path: str, page_url: str, site_title: str,
                 jsonld: bytes, license_iri: str | None = None) -> bytes:
    """The landing page of one record; ``path`` is its entry's path in the site folder."""
    docs = alternates(base, path)
    title = view.title or Text("Untitled record")
    return page(title=title.value, title_lang=title.lang, base=base, site_title=site_title,
                head=_head(view, page_url, docs, license_iri, jsonld),
                body=_body(view, license_iri), documents=docs)
