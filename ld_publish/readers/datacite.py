"""The ``datacite`` reader: DataCite REST API JSON and metadata kernel XML (2.0 to 4.x).

JSON comes as ``{"data": {"attributes": ...}}``, ``{"data": [...]}`` (a list response) or a bare
attributes object; XML as a ``<resource>`` document, rewritten into the attributes shape by
:mod:`.datacite_xml` so both map through :func:`attributes_to_work`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..errors import InputError, Location, RecordError
from ..model import (
    Contributor,
    ContributorRole,
    DateKind,
    Funding,
    Identifier,
    License,
    Organization,
    Reference,
    Rejected,
    RelatedItem,
    RelationType,
    Source,
    Text,
    Work,
    WorkDate,
    WorkType,
)
from ..sources import InputSource
from .base import at_least_one, readers
from .common import (
    Findings,
    classify_json,
    load_json,
    split_pages,
    stable_key,
)
from .datacite_values import (
    _container,
    _funding,
    _identifier,
    _list,
    _person,
    _publisher,
)
from .datacite_xml import is_datacite_xml, resource_to_attributes
from .jsondepth import too_deep

__all__ = ["DataciteReader", "attributes_to_work"]

_GENERAL: dict[str, WorkType] = {
    "journalarticle": WorkType.JOURNAL_ARTICLE, "book": WorkType.BOOK,
    "bookchapter": WorkType.BOOK_CHAPTER, "dissertation": WorkType.THESIS,
    "dataset": WorkType.DATASET, "preprint": WorkType.PREPRINT,
    "conferencepaper": WorkType.PROCEEDINGS_ARTICLE,
    "conferenceproceeding": WorkType.PROCEEDINGS, "report": WorkType.REPORT,
    "software": WorkType.SOFTWARE, "computationalnotebook": WorkType.SOFTWARE,
    "journal": WorkType.JOURNAL, "peerreview": WorkType.REVIEW,
    "datapaper": WorkType.JOURNAL_ARTICLE,
}
# Free-text resourceType / schemaOrg / citeproc hints, consulted when the general type is vague.
_HINTS: dict[str, WorkType] = {
    "blogposting": WorkType.BLOG_POST, "blog post": WorkType.BLOG_POST,
    "post-weblog": WorkType.BLOG_POST, "scholarlyarticle": WorkType.JOURNAL_ARTICLE,
    "journal article": WorkType.JOURNAL_ARTICLE, "article": WorkType.JOURNAL_ARTICLE,
    "article-journal": WorkType.JOURNAL_ARTICLE, "thesis": WorkType.THESIS,
    "book": WorkType.BOOK, "monograph": WorkType.BOOK, "chapter": WorkType.BOOK_CHAPTER,
    "report": WorkType.REPORT,
    "webpage": WorkType.WEB_PAGE, "preprint": WorkType.PREPRINT,
    "paper-conference": WorkType.PROCEEDINGS_ARTICLE, "dataset": WorkType.DATASET,
}
_DATES: dict[str, DateKind] = {
    "created": "created", "issued": "issued", "updated": "updated", "available": "available",
    "accepted": "accepted", "submitted": "received",
}
_RELATIONS: dict[str, RelationType] = {
    "ispartof": "is-part-of", "haspart": "has-part", "ispublishedin": "is-part-of",
    "references": "references", "cites": "references", "iscitedby": "is-referenced-by",
    "isreferencedby": "is-referenced-by", "issupplementto": "is-supplement-to",
    "issupplementedby": "is-supplemented-by", "isnewversionof": "is-version-of",
    "ispreviousversionof": "has-version", "isversionof": "is-version-of",
    "hasversion": "has-version", "isidenticalto": "is-identical-to",
    "isderivedfrom": "is-derived-from", "issourceof": "is-source-of",
    "reviews": "is-review-of", "isreviewedby": "is-reviewed-by",
}
_HANDLED = frozenset({
    "id", "doi", "url", "types", "identifiers", "alternateIdentifiers", "creators",
    "contributors", "titles", "publisher", "publicationYear", "subjects", "dates", "language",
    "relatedIdentifiers", "version", "rightsList", "descriptions", "fundingReferences",
    "container", "schemaVersion",
})


class DataciteReader:
    name = "datacite"
    aliases: tuple[str, ...] = ("datacite-json", "datacite-xml")
    description = "DataCite REST API JSON or metadata kernel XML (2.0-4.x)"
    extensions: tuple[str, ...] = (".json", ".xml")

    def sniff(self, head: bytes, filename: str) -> int:
        if is_datacite_xml(head):
            return 95
        return 85 if classify_json(head) == "datacite" else 0

    def read(self, source: InputSource) -> Iterator[Work | Rejected]:
        return at_least_one(self._read(source), source)

    def _read(self, source: InputSource) -> Iterator[Work | Rejected]:
        data = source.read_bytes()
        if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            try:
                resource = resource_to_attributes(data, source.label)
            except ValueError as exc:
                raise InputError(str(exc), hint="give a DataCite kernel <resource> document",
                                 where=Location(file=source.label)) from None
            yield _safe(resource, Source(source.label, self.name, 1, None, "resource"),
                        data.decode("utf-8", "replace"))
            return
        document, cut = load_json(source)
        for position, (pointer, item) in enumerate(_items(document), 1):
            src = Source(source.label, self.name, position, None, pointer)
            raw = json.dumps(item, ensure_ascii=False, indent=1)
            deep = too_deep(item, src, raw) if cut else None
            if deep is not None:
                yield deep
                continue
            if not isinstance(item, dict):
                yield Rejected(src, "a DataCite record must be a JSON object", raw, None,
                               "each record is {\"attributes\": {...}} or the attributes")
                continue
            attributes: dict[str, Any] = item
            if isinstance(item.get("attributes"), dict):
                attributes = {**item["attributes"]}
                if "id" not in attributes and isinstance(item.get("id"), str):
                    attributes["id"] = item["id"]
            if not _DATACITE_KEYS & attributes.keys():
                # Any JSON object would otherwise become a (titleless) DataCite record.
                yield Rejected(src, "not a DataCite record: none of "
                               + ", ".join(sorted(_DATACITE_KEYS)) + " is present", raw, None,
                               "give DataCite REST API JSON ({\"data\": {\"attributes\": "
                               "{...}}}) or kernel XML")
                continue
            yield _safe(attributes, src, raw)


# Keys only DataCite metadata has (the kernel's property names as the REST API spells them).
_DATACITE_KEYS = frozenset({"types", "creators", "titles", "publicationYear",
                            "relatedIdentifiers", "fundingReferences", "rightsList"})


def _items(document: Any) -> Iterator[tuple[str | None, Any]]:
    if isinstance(document, dict) and "data" in document:
        data = document["data"]
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield f"data[{index}]", item
        else:
            yield "data", data
    elif isinstance(document, list):
        for index, item in enumerate(document):
            yield f"[{index}]", item
    else:
        yield None, document


def _safe(attributes: dict[str, Any], src: Source, raw: str) -> Work | Rejected:
    try:
        return attributes_to_work(attributes, src)
    except RecordError as exc:  # a value that must not be read (an unsafe DTD)
        return Rejected(src, exc.message, raw, exc.where.field, exc.hint)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return Rejected(src, f"the record has a value of an unexpected kind: {exc}", raw, None,
                        "compare the record with the DataCite metadata schema")


def _work_type(types: dict[str, Any], findings: Findings) -> WorkType:
    general = str(types.get("resourceTypeGeneral") or "")
    mapped = _GENERAL.get(general.lower().replace(" ", ""))
    if mapped:
        return mapped
    for key in ("resourceType", "schemaOrg", "citeproc", "bibtex"):
        hint = types.get(key)
        if isinstance(hint, str) and hint.strip().lower() in _HINTS:
            return _HINTS[hint.strip().lower()]
    findings.notice("types.resourceTypeGeneral", "resource type has no closer match; read as "
                    "'other'", general or None, severity="info" if general else "warning")
    return WorkType.OTHER


def attributes_to_work(attrs: dict[str, Any], src: Source) -> Work:
    findings = Findings()
    for key in attrs:
        if key not in _HANDLED:
            findings.leave(key)
    types: dict[str, Any] = attrs["types"] if isinstance(attrs.get("types"), dict) else {}
    work_type = _work_type(types, findings)

    identifiers: list[Identifier] = []
    doi = findings.doi(attrs["doi"], "doi") if attrs.get("doi") else None
    if doi is None and isinstance(attrs.get("id"), str) and "doi.org/" in attrs["id"]:
        doi = findings.doi(attrs["id"], "id")
    if doi:
        identifiers.append(doi)
    url = attrs.get("url") if isinstance(attrs.get("url"), str) else None
    for key in ("identifiers", "alternateIdentifiers"):
        value_key = "identifier" if key == "identifiers" else "alternateIdentifier"
        type_key = "identifierType" if key == "identifiers" else "alternateIdentifierType"
        for index, item in enumerate(_list(attrs.get(key))):
            path = f"{key}[{index}]"
            # The DOI repeated as a URL in identifiers[] is DataCite's normal form, not a slip.
            scratch = Findings()
            ident = _identifier(item.get(value_key), str(item.get(type_key) or ""), path,
                                scratch)
            if not (ident and doi and ident.scheme == "doi" and ident.value == doi.value):
                findings.notices.extend(scratch.notices)
            if ident is None:
                continue
            if ident.scheme == "doi" and doi is not None:
                if ident.value != doi.value:
                    findings.notice(path, "a second, different DOI; kept as an identifier",
                                    item.get(value_key))
                    identifiers.append(ident)
                continue
            if ident.scheme == "url":
                if url is None:
                    url = ident.value
                continue
            identifiers.append(ident)
            if doi is None and ident.scheme == "doi":
                doi = ident

    contributors: list[Contributor] = []
    for index, creator in enumerate(_list(attrs.get("creators"))):
        contributors.append(_person(creator, len(contributors) + 1, "author",
                                    f"creators[{index}]", findings))
    counts: dict[str, int] = {}
    funder_contributors: list[Funding] = []
    for index, person in enumerate(_list(attrs.get("contributors"))):
        kind = str(person.get("contributorType") or "")
        if kind.lower() == "funder":
            # Kernels 2 and 3 name funders as contributors; 4.0 moved them to funding.
            funder = _person({**person, "nameType": "Organizational"}, 1, "contributor",
                             f"contributors[{index}]", findings)
            if funder.name:
                funder_contributors.append(Funding(Organization(
                    funder.name, funder.identifiers)))
            continue
        role: ContributorRole = {"editor": "editor", "translator": "translator"}.get(
            kind.lower(), "contributor")  # type: ignore[assignment]
        if role == "contributor" and kind:
            findings.notice(f"contributors[{index}].contributorType", f"contributor type "
                            f"{kind!r} has no role of its own; kept as 'contributor'", kind,
                            severity="info")
        counts[role] = counts.get(role, 0) + 1
        contributors.append(_person(person, counts[role], role, f"contributors[{index}]",
                                    findings))

    title = None
    subtitles: list[Text] = []
    translated: list[Text] = []
    for index, item in enumerate(_list(attrs.get("titles"))):
        path = f"titles[{index}]"
        text = findings.text(item.get("title"), f"{path}.title", item.get("lang"))
        if text is None:
            continue
        kind = str(item.get("titleType") or "").lower()
        if not kind and title is None:
            title = text
        elif kind == "subtitle":
            subtitles.append(text)
        elif kind == "translatedtitle" or (kind in ("alternativetitle", "") and text.lang
                                            and title and text.lang != title.lang):
            translated.append(text)
        else:
            findings.leave(path)
    if title is None:
        findings.notice("titles", "the record has no main title", None, "add a title",
                        "violation")

    publisher = _publisher(attrs.get("publisher"), findings)

    dates: list[WorkDate] = []
    for index, item in enumerate(_list(attrs.get("dates"))):
        path = f"dates[{index}]"
        kind_text = str(item.get("dateType") or "")
        date_kind = _DATES.get(kind_text.lower())
        if date_kind is None:
            findings.leave(f"{path} ({kind_text or 'no dateType'})")
            continue
        raw = item.get("date")
        if isinstance(raw, str) and "/" in raw.strip("/"):
            findings.notice(f"{path}.date", "a date range; only its start is kept", raw,
                            severity="info")
            raw = raw.split("/")[0]
        value = findings.date(raw, f"{path}.date")
        if value:
            dates.append(WorkDate(date_kind, value))
        if item.get("dateInformation"):
            findings.leave(f"{path}.dateInformation")
    year = findings.date(str(attrs["publicationYear"]), "publicationYear") \
        if attrs.get("publicationYear") else None
    if year:
        issued = next((d.value for d in dates if d.kind == "issued"), None)
        dates.insert(0, WorkDate("published", issued if issued and issued.year == year.year
                                 else year))
    elif work_type != WorkType.OTHER:
        findings.notice("publicationYear", "the record has no publication year", None,
                        "DataCite requires publicationYear")

    abstracts: list[Text] = []
    for index, item in enumerate(_list(attrs.get("descriptions"))):
        path = f"descriptions[{index}]"
        if str(item.get("descriptionType") or "Abstract").lower() == "abstract":
            text = findings.text(item.get("description"), f"{path}.description",
                                 item.get("lang"))
            if text:
                abstracts.append(text)
        else:
            findings.leave(f"{path} ({item.get('descriptionType')})")

    keywords: list[Text] = []
    subjects: list[str] = []
    for index, item in enumerate(_list(attrs.get("subjects"))):
        value = item.get("subject") if isinstance(item, dict) else item
        if not isinstance(value, str) or not value.strip():
            continue
        if isinstance(item, dict) and item.get("subjectScheme"):
            subjects.append(value.strip())
        else:
            text = findings.text(value, f"subjects[{index}]",
                                 item.get("lang") if isinstance(item, dict) else None)
            if text:
                keywords.append(text)

    licenses: list[License] = []
    for index, item in enumerate(_list(attrs.get("rightsList"))):
        uri = item.get("rightsUri") or item.get("rightsURI")
        if isinstance(uri, str) and uri.strip():
            licenses.append(License(uri.strip()))
        else:
            findings.notice(f"rightsList[{index}]", "rights statement without a URI; left out",
                            item.get("rights") or item, "add rightsUri, e.g. the licence URL")

    funding = [_funding(item, f"fundingReferences[{index}]", findings)
               for index, item in enumerate(_list(attrs.get("fundingReferences")))]
    funding += [f for f in funder_contributors if f.funder is not None and all(
        g.funder is None or g.funder.name != f.funder.name for g in funding)]

    related: list[RelatedItem] = []
    references: list[Reference] = []
    for index, item in enumerate(_list(attrs.get("relatedIdentifiers"))):
        path = f"relatedIdentifiers[{index}]"
        relation_text = str(item.get("relationType") or "")
        relation = _RELATIONS.get(relation_text.lower())
        if relation is None:
            findings.notice(f"{path}.relationType", f"relation {relation_text!r} has no closer "
                            "match; kept as 'is-related-to'", relation_text, severity="info")
            relation = "is-related-to"
        ident = _identifier(item.get("relatedIdentifier"),
                            str(item.get("relatedIdentifierType") or ""), f"{path}."
                            "relatedIdentifier", findings)
        if ident is None:
            continue
        related.append(RelatedItem(relation, identifiers=(ident,)))
        if relation == "references" and not any(
                ident in (r.doi, *r.identifiers) or (ident.scheme == "url" and r.url ==
                                                     ident.value) for r in references):
            references.append(Reference(
                len(references) + 1,
                doi=ident if ident.scheme == "doi" else None,
                url=ident.value if ident.scheme == "url" else None,
                identifiers=() if ident.scheme in ("doi", "url") else (ident,)))

    container = _container(attrs.get("container"), work_type, findings)
    language = attrs.get("language") if isinstance(attrs.get("language"), str) else None

    if doi:
        key = doi.value
    else:
        key = stable_key("datacite", json.dumps(attrs, sort_keys=True, ensure_ascii=False,
                                                default=str))
    volume = issue = None
    pages = None
    if isinstance(attrs.get("container"), dict):
        volume = attrs["container"].get("volume")
        issue = attrs["container"].get("issue")
        first, last = attrs["container"].get("firstPage"), attrs["container"].get("lastPage")
        if first:
            pages = split_pages(f"{first}-{last}" if last else str(first))
    return Work(
        key=key, source=src, type=work_type, title=title, subtitles=tuple(subtitles),
        translated_titles=tuple(translated), abstracts=tuple(abstracts), language=language,
        contributors=tuple(contributors), container=container,
        volume=str(volume) if volume else None, issue=str(issue) if issue else None,
        pages=pages, identifiers=tuple(identifiers), dates=tuple(dates),
        funding=tuple(funding), references=tuple(references), related=tuple(related),
        licenses=tuple(licenses), keywords=tuple(keywords), subjects=tuple(subjects),
        publisher=publisher, url=url,
        version=str(attrs["version"]) if attrs.get("version") else None,
        notices=tuple(findings.notices), unmapped=tuple(findings.unmapped),
    )


readers.register("datacite", DataciteReader(), aliases=DataciteReader.aliases)
