"""DataCite metadata kernel XML turned into the DataCite REST API JSON shape.

The ``datacite`` reader maps one shape only; an XML ``<resource>`` is first rewritten here into
the ``attributes`` object the REST API serves for the same record (kernel 4.x element and
attribute names become the API's camelCase keys). Parsing goes through :mod:`ld_publish.xmlsafe`:
no DTD, no external entity, no network.

Every kernel since 2.0 is read: the elements kept their names from 2.0 to 4.x, so the older
kernels differ only in what they lack (no ``givenName``/``familyName`` or ``nameType``: the
``creatorName`` alone, split by the reader when it is "Family, Given"), in the 2.x top-level
``<rights>`` (3.0 put it into ``<rightsList>``) and in funders written as contributors of type
``Funder`` (before ``fundingReferences`` came in 4.0; the reader turns them into funding).
"""

from __future__ import annotations

import re
from typing import Any

from ..xmlsafe import parse_xml
from .markup import element_text

__all__ = ["KERNEL_NAMESPACES", "is_datacite_xml", "resource_to_attributes"]

KERNEL_NAMESPACES = ("http://datacite.org/schema/kernel-4", "http://datacite.org/schema/kernel-3",
                     "http://datacite.org/schema/kernel-2")
# kernel-2.0, kernel-2.1, kernel-2.2, kernel-3, kernel-3.0, kernel-3.1, kernel-4, kernel-4.x
_KERNEL = re.compile(rb"http://datacite\.org/schema/kernel-[234](?:\.[0-9]+)?[\"' /]")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Attribute names whose API spelling is not simply the XML name.
_ATTRS = {"schemeURI": "schemeUri", "rightsURI": "rightsUri", "awardURI": "awardUri",
          "valueURI": "valueUri", "classificationCode": "classificationCode"}


def is_datacite_xml(head: bytes) -> bool:
    return b"<resource" in head and bool(_KERNEL.search(head))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _attrs(element: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in element.attrib.items():
        if name == _XML_LANG:
            out["lang"] = value
        else:
            local = _local(name)
            out[_ATTRS.get(local, local)] = value
    return out


def _children(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def _named(element: Any, prefix: str) -> dict[str, Any]:
    """A creator or contributor: name parts, name identifiers, affiliations."""
    item: dict[str, Any] = {}
    item.update({k: v for k, v in _attrs(element).items()})
    identifiers: list[dict[str, str]] = []
    affiliations: list[dict[str, str]] = []
    for child in _children(element):
        name = _local(child.tag)
        if name == f"{prefix}Name":
            item["name"] = _text(child)
            for key, value in _attrs(child).items():
                item[key] = value
        elif name in ("givenName", "familyName"):
            item[name] = _text(child)
        elif name == "nameIdentifier":
            identifiers.append({"nameIdentifier": _text(child), **_attrs(child)})
        elif name == "affiliation":
            affiliations.append({"name": _text(child), **_attrs(child)})
        else:
            item.setdefault("_unknown", []).append(name)
    if identifiers:
        item["nameIdentifiers"] = identifiers
    if affiliations:
        item["affiliation"] = affiliations
    return item


def _list(element: Any, value_key: str) -> list[dict[str, Any]]:
    return [{value_key: _text(child), **_attrs(child)} for child in _children(element)]


def resource_to_attributes(data: bytes, label: str) -> dict[str, Any]:
    """The REST API ``attributes`` object for the ``<resource>`` in ``data``."""
    root = parse_xml(data, label).root
    if _local(root.tag) != "resource":
        raise ValueError(f"the root element is <{_local(root.tag)}>, not <resource>")
    out: dict[str, Any] = {"schemaVersion": root.nsmap.get(None) if root.nsmap else None}
    for child in _children(root):
        name = _local(child.tag)
        if name == "identifier":
            kind = child.get("identifierType", "")
            value = _text(child)
            if kind.upper() == "DOI":
                out["doi"] = value
            out.setdefault("identifiers", []).append(
                {"identifier": value, "identifierType": kind})
        elif name == "creators":
            out["creators"] = [_named(c, "creator") for c in _children(child)]
        elif name == "contributors":
            out["contributors"] = [_named(c, "contributor") for c in _children(child)]
        elif name == "titles":
            out["titles"] = _list(child, "title")
        elif name == "publisher":
            attrs = _attrs(child)
            publisher: dict[str, str] | str = \
                {"name": _text(child), **attrs} if attrs else _text(child)
            if "publisher" in out:
                # The schema allows one; a second is kept aside and reported as unmapped.
                out[f"publisher[{sum(k.startswith('publisher') for k in out)}]"] = publisher
            else:
                out["publisher"] = publisher
        elif name == "publicationYear":
            out["publicationYear"] = _text(child)
        elif name == "resourceType":
            out["types"] = {"resourceType": _text(child), **_attrs(child)}
        elif name == "subjects":
            out["subjects"] = _list(child, "subject")
        elif name == "dates":
            out["dates"] = _list(child, "date")
        elif name == "language":
            out["language"] = _text(child)
        elif name == "alternateIdentifiers":
            out["alternateIdentifiers"] = _list(child, "alternateIdentifier")
        elif name == "relatedIdentifiers":
            out["relatedIdentifiers"] = _list(child, "relatedIdentifier")
        elif name in ("sizes", "formats"):
            out[name] = [_text(c) for c in _children(child)]
        elif name == "version":
            out["version"] = _text(child)
        elif name == "rightsList":
            out.setdefault("rightsList", []).extend(_list(child, "rights"))
        elif name == "rights":
            # Kernel 2.x: one top-level <rights>, free text that is often the licence URL.
            text = _text(child)
            entry = {"rights": text, **_attrs(child)}
            if re.match(r"https?://\S+$", text) and "rightsUri" not in entry:
                entry["rightsUri"] = text
            out.setdefault("rightsList", []).append(entry)
        elif name == "descriptions":
            out["descriptions"] = [
                {"description": element_text(c), **_attrs(c)} for c in _children(child)]
        elif name == "fundingReferences":
            out["fundingReferences"] = [_funding(c) for c in _children(child)]
        else:
            # geoLocations, relatedItems and anything newer: reported as unmapped by the reader.
            out[name] = [_local(c.tag) for c in _children(child)] or _text(child)
    return out


def _funding(element: Any) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for child in _children(element):
        name = _local(child.tag)
        item[name] = _text(child)
        attrs = _attrs(child)
        if name == "funderIdentifier" and "funderIdentifierType" in attrs:
            item["funderIdentifierType"] = attrs["funderIdentifierType"]
        elif name == "awardNumber" and "awardUri" in attrs:
            item["awardUri"] = attrs["awardUri"]
    return item
