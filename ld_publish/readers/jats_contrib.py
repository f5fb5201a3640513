"""JATS ``contrib-group``/``contrib`` and ``aff`` -> contributors with affiliations."""

from __future__ import annotations

from ..model import Contributor, ContributorRole, Identifier, Organization
from .crossref_values import Findings
from .jats_xml import Element, child_text, text

_ROLES: dict[str, ContributorRole] = {
    "author": "author", "editor": "editor", "translator": "translator",
    "guest-editor": "editor", "section-editor": "editor", "series-editor": "editor",
}


def read_affiliations(root: Element, found: Findings) -> dict[str, Organization]:
    """Every ``aff`` with an id, by id (affiliations are referenced from contribs by xref)."""
    out: dict[str, Organization] = {}
    for index, aff in enumerate(root.iter("aff")):
        org = read_affiliation(aff, f"aff[{index}]", found)
        key = aff.get("id") or f"#{index}"
        if org:
            out[key] = org
    return out


def read_affiliation(aff: Element, path: str, found: Findings) -> Organization | None:
    original = None
    orgname = None
    divisions: list[str] = []
    identifiers: list[Identifier] = []
    for inst in aff.iter("institution"):
        kind = inst.get("content-type")
        value = text(inst)
        if not value:
            continue
        if kind == "original":
            original = value
        elif kind and kind.startswith("orgdiv"):
            divisions.append(value)
        elif orgname is None:
            orgname = value
    for ident in aff.iter("institution-id"):
        raw = text(ident) or ""
        scheme = (ident.get("institution-id-type") or "").lower()
        if scheme == "ror" or "ror.org" in raw:
            scheme = "ror"
        elif scheme in {"fundref", "doi"}:
            scheme = "crossref-funder"
        elif scheme not in {"isni", "grid", "ringgold", "wikidata", "crossref-funder"}:
            continue
        checked = found.ident(scheme, raw, f"{path}.institution-id")
        if checked is not None:
            identifiers.append(checked)
    city = region = None
    for named in aff.iter("named-content", "city", "state"):
        kind = named.get("content-type") if named.tag == "named-content" else named.tag
        if kind == "city":
            city = text(named)
        elif kind in ("state", "region"):
            region = text(named)
    country_el = aff.find(".//country")
    country = None
    if country_el is not None:
        country = (country_el.get("country") or "").strip().upper() or text(country_el)
    email = child_text(aff, ".//email")
    name = original or _aff_text(aff) or orgname
    if not name:
        return None
    return Organization(
        name=name, identifiers=tuple(identifiers),
        department=", ".join(divisions) or None, city=city, region=region,
        country=country, email=email)


def _aff_text(aff: Element) -> str | None:
    # The printed affiliation without its label ("1") and ids.
    parts: list[str] = []
    if aff.text:
        parts.append(aff.text)
    for child in aff:
        if child.tag not in ("label", "sup", "institution-id") and isinstance(child.tag, str):
            parts.append("".join(child.itertext()))
        if child.tail:
            parts.append(child.tail)
    value = " ".join(" ".join(parts).split()).strip(" ,;")
    return value.replace(" ,", ",") or None


def read_contributors(meta: Element, affs: dict[str, Organization], found: Findings,
                      corresp_emails: dict[str, list[str]]) -> tuple[Contributor, ...]:
    people: list[Contributor] = []
    counters: dict[str, int] = {}
    referenced = {rid for xref in meta.iter("xref") if xref.get("ref-type") == "aff"
                  for rid in (xref.get("rid") or "").split()}
    unreferenced = tuple(org for key, org in affs.items() if key not in referenced)
    index = -1
    for group in meta.findall("contrib-group"):
        group_affs = tuple(org for aff in group.findall("aff")
                           if (org := read_affiliation(aff, "contrib-group/aff", found)))
        for contrib in group.findall("contrib"):
            index += 1
            path = f"contrib[{index}]"
            raw_role = contrib.get("contrib-type") or "author"
            role = _ROLES.get(raw_role, "contributor")
            if raw_role not in _ROLES:
                found.note(f"{path}@contrib-type", "contributor type kept as contributor",
                           raw_role, severity="info")
            person = _contributor(contrib, path, role, counters.get(role, 0) + 1, found)
            if person is None:
                continue
            counters[role] = person.position
            own = [org for aff in contrib.findall("aff")
                   if (org := read_affiliation(aff, f"{path}.aff", found))]
            emails = list(person.emails)
            for xref in contrib.findall("xref"):
                for rid in (xref.get("rid") or "").split():
                    if xref.get("ref-type") == "aff" and rid in affs:
                        own.append(affs[rid])
                    elif xref.get("ref-type") == "aff":
                        found.note(f"{path}.xref", "affiliation reference to no aff", rid)
                    elif xref.get("ref-type") == "corresp":
                        emails += corresp_emails.get(rid, [])
            if not own:
                own = list(group_affs) or (list(unreferenced) if not referenced else [])
            people.append(Contributor(
                name=person.name, position=person.position, role=person.role,
                kind=person.kind, given=person.given, family=person.family,
                emails=tuple(dict.fromkeys(emails)), identifiers=person.identifiers,
                affiliations=tuple(dict.fromkeys(own))))
    return tuple(people)


def _contributor(contrib: Element, path: str, role: ContributorRole, position: int,
                 found: Findings) -> Contributor | None:
    given = family = None
    kind = "person"
    name_el = contrib.find("name")
    if name_el is None:
        name_el = contrib.find("name-alternatives/name")
    string_name = contrib.find("string-name")
    collab = contrib.find("collab")
    if name_el is not None:
        family = child_text(name_el, "surname")
        given = child_text(name_el, "given-names")
        suffix = child_text(name_el, "suffix")
        if name_el.get("name-style") in ("eastern", "islensk"):
            name = " ".join(p for p in (family, given) if p)
        else:
            name = " ".join(p for p in (given, family, suffix) if p)
    elif string_name is not None:
        family = child_text(string_name, "surname")
        given = child_text(string_name, "given-names")
        name = text(string_name) or ""
    elif collab is not None:
        kind = "organization"
        name = text(collab) or ""
    else:
        name = ""
    if not name:
        found.note(path, "contributor without a name; left out", text(contrib))
        return None
    identifiers: list[Identifier] = []
    for ident in contrib.findall("contrib-id"):
        raw = text(ident) or ""
        if (ident.get("contrib-id-type") or "").lower() != "orcid" and "orcid.org" not in raw:
            found.note(f"{path}.contrib-id", "contributor id scheme not carried over",
                       f"{ident.get('contrib-id-type')}: {raw}", severity="info")
            continue
        orcid = found.ident("orcid", raw, f"{path}.contrib-id")
        if orcid is not None:
            identifiers.append(orcid)
    emails = tuple(e for el in contrib.findall(".//email") if (e := text(el)))
    return Contributor(name=name, position=position, role=role,
                       kind=kind,  # type: ignore[arg-type]
                       given=given, family=family, emails=emails,
                       identifiers=tuple(identifiers))
