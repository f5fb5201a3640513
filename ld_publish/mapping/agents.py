"""People and organisations: contributors in order (Schema.org list + PRO roles in time),
affiliations, and organisations as funders, publishers or authors."""

from __future__ import annotations

import hashlib
import re

from ..identifiers import is_valid_iri
from ..model import Contributor, Identifier, Organization
from ..terms import Term, iri, literal
from .builder import GraphBuilder, Object
from .ids import add_identifiers
from .iris import Minter, doi_node, slug
from .namespaces import FABIO, FOAF, OCO, PRO, RDF_TYPE, SCHEMA

_EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")

_PRO_ROLES = {"author": PRO.author, "editor": PRO.editor, "translator": PRO.translator,
              "contributor": PRO.contributor}
_SCHEMA_ROLES = {"editor": SCHEMA.editor, "translator": SCHEMA.translator,
                 "contributor": SCHEMA.contributor}


def organization_node(minter: Minter, org: Organization) -> Term:
    """ROR IRI, Funder Registry DOI IRI, or a stable IRI minted from the printed name."""
    for ident in org.identifiers:
        if ident.scheme == "ror":
            return iri(ident.value)
        if ident.scheme == "crossref-funder":
            return doi_node(ident.value)
    return minter.shared("organization", slug(org.name))


def add_organization(b: GraphBuilder, minter: Minter, org: Organization, field: str,
                     *path: str | int) -> Term:
    node = organization_node(minter, org)
    b.type(node, schema=SCHEMA.Organization, spar=(FOAF.Organization,))
    name = b.plain(org.name, f"{field}.name")
    b.both(node, SCHEMA.name, FOAF.name, name)
    others = tuple(i for i in org.identifiers if i.scheme not in ("ror",))
    if others:
        add_identifiers(b, minter, node, others, *path)
    if org.department:
        b.schema(node, SCHEMA.department, b.plain(org.department, f"{field}.department"))
    if org.city or org.region or org.country:
        # Keyed by what it says, so one organisation printed alike by two authors has one
        # address node, not one per affiliation.
        address = minter.shared("address", slug(
            "|".join(part or "" for part in (org.name, org.city, org.region, org.country))))
        b.schema(node, SCHEMA.address, address)
        b.schema(address, RDF_TYPE, SCHEMA.PostalAddress)
        if org.city:
            b.schema(address, SCHEMA.addressLocality, b.plain(org.city, f"{field}.city"))
        if org.region:
            b.schema(address, SCHEMA.addressRegion, b.plain(org.region, f"{field}.region"))
        if org.country:
            b.schema(address, SCHEMA.addressCountry, b.plain(org.country, f"{field}.country"))
    if org.email and _EMAIL_RE.match(org.email):
        b.schema(node, SCHEMA.email, b.plain(org.email, f"{field}.email"))
    return node


def agent_node(minter: Minter, person: Contributor) -> Term:
    """ORCID IRI; else an IRI shared across records by eLibrary id or ResearcherID; else local."""
    orcid = person.identifier("orcid")
    if orcid:
        return iri("https://orcid.org/" + orcid.value)
    for scheme in ("elibrary", "researcherid", "scopus", "isni"):
        ident = person.identifier(scheme)
        if ident:
            return minter.shared("person", scheme, ident.value)
    if person.kind == "organization":
        ror = next((i for i in person.identifiers if i.scheme == "ror"), None)
        if ror:
            return iri(ror.value)
    return minter.local(person.role, person.position, "agent")


def add_contributors(b: GraphBuilder, minter: Minter, work: Term,
                     contributors: tuple[Contributor, ...]) -> None:
    by_role: dict[str, list[tuple[int, Contributor]]] = {}
    for index, person in enumerate(contributors):
        by_role.setdefault(person.role, []).append((index, person))
    for role, entries in by_role.items():
        entries.sort(key=lambda entry: entry[1].position)
        agents = [_add_contributor(b, minter, work, person, index) for index, person in entries]
        if role == "author":
            # Schema.org keeps author order only through an RDF list (JSON-LD @list).
            items: list[Object] = list(agents)
            b.schema(work, SCHEMA.author, b.rdf_list(items, f"a{_list_tag(minter)}n"))
        else:
            for agent in agents:
                b.schema(work, _SCHEMA_ROLES[role], agent)
        _link_roles(b, minter, role, [person for _, person in entries])


def _list_tag(minter: Minter) -> str:
    # Blank-node labels must not collide between records loaded into one store.
    return hashlib.sha256(minter.record.encode()).hexdigest()[:16]


def _role_node(minter: Minter, role: str, position: int) -> Term:
    return minter.local(role, position)


def _link_roles(b: GraphBuilder, minter: Minter, role: str, people: list[Contributor]) -> None:
    # oco:hasNext links only consecutive positions, so a gap (1, 2, 4) leaves the role at 4
    # without a predecessor, which the shapes report.
    positions = {p.position for p in people}
    for position in sorted(positions):
        if position + 1 in positions:
            b.spar(_role_node(minter, role, position), OCO.hasNext,
                   _role_node(minter, role, position + 1))


def _add_contributor(b: GraphBuilder, minter: Minter, work: Term, person: Contributor,
                     index: int) -> Term:
    field = f"contributors[{index + 1}]"
    agent = agent_node(minter, person)
    is_org = person.kind == "organization"
    if is_org:
        b.type(agent, schema=SCHEMA.Organization, spar=(FOAF.Organization,))
    else:
        b.type(agent, schema=SCHEMA.Person, spar=(FOAF.Person,))
    name = b.plain(person.name, f"{field}.name")
    b.both(agent, SCHEMA.name, FOAF.name, name)
    if person.given and not is_org:
        given = b.plain(person.given, f"{field}.given")
        b.both(agent, SCHEMA.givenName, FOAF.givenName, given)
    if person.family and not is_org:
        family = b.plain(person.family, f"{field}.family")
        b.both(agent, SCHEMA.familyName, FOAF.familyName, family)
    for email in person.emails:
        if _EMAIL_RE.match(email):
            b.schema(agent, SCHEMA.email, b.plain(email, f"{field}.emails"))
            mbox = "mailto:" + email
            if is_valid_iri(mbox):
                b.spar(agent, FOAF.mbox, iri(mbox))
    ids: tuple[Identifier, ...] = person.identifiers
    if ids:
        add_identifiers(b, minter, agent, ids, person.role, person.position)

    role = _role_node(minter, person.role, person.position)
    b.spar(role, RDF_TYPE, PRO.RoleInTime)
    b.spar(role, PRO.withRole, _PRO_ROLES[person.role])
    b.spar(role, PRO.isHeldBy, agent)
    b.spar(work, PRO.isDocumentContextFor, role)
    b.spar(role, FABIO.hasSequenceIdentifier, literal(str(person.position)))
    for number, org in enumerate(person.affiliations, 1):
        org_node = add_organization(b, minter, org, f"{field}.affiliations[{number}]",
                                    person.role, person.position, "affiliation", number)
        b.schema(agent, SCHEMA.affiliation, org_node)
        b.spar(role, PRO.relatesToOrganization, org_node)
    return agent
