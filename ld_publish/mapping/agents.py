"""People and organisations: contributors linked directly (``schema:author`` → Person), their order
in PRO roles chained with ``oco:hasNext``, affiliations, and organisations as funders,
publishers or authors.

Each contributor's IRI comes from who they are, never from their position: the ORCID IRI, else
an IRI minted from another stable identifier (eLibrary id, ResearcherID, Scopus id, ISNI, an
e-mail address's hash), else from the name within the record (docs/mapping.md, "IRIs").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..identifiers import canonical, is_valid_iri
from ..model import Contributor, Identifier, Organization
from ..terms import Term, iri
from .builder import GraphBuilder
from .ids import add_identifiers
from .iris import Minter, digest, doi_node, segment, slug
from .namespaces import DCTERMS, FOAF, OCO, PRO, RDF_TYPE, SCHEMA

_EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")

_PRO_ROLES = {"author": PRO.author, "editor": PRO.editor, "translator": PRO.translator,
              "contributor": PRO.contributor}
_SCHEMA_ROLES = {"author": SCHEMA.author, "editor": SCHEMA.editor,
                 "translator": SCHEMA.translator, "contributor": SCHEMA.contributor}
# Identifiers that name a person across records, in the order they are preferred for the IRI.
_PERSON_SCHEMES = ("elibrary", "researcherid", "scopus", "isni")


def _valid(identifiers: tuple[Identifier, ...], scheme: str) -> str | None:
    """The first identifier of ``scheme`` that is valid, canonical: only such a value may name
    a person or an organisation (readers drop the others; this guards records built in code)."""
    return next((value for ident in identifiers if ident.scheme == scheme
                 and (value := canonical(scheme, ident.value)) is not None), None)


def organization_node(minter: Minter, org: Organization) -> Term:
    """ROR IRI, Funder Registry DOI IRI, or an IRI minted from the normalised name."""
    ror = _valid(org.identifiers, "ror")
    if ror:
        return iri(ror)
    funder = _valid(org.identifiers, "crossref-funder")
    if funder:
        return doi_node(funder)
    return minter.shared("organization", slug(org.name))


def add_organization(b: GraphBuilder, minter: Minter, org: Organization, field: str) -> Term:
    node = organization_node(minter, org)
    b.field_of(node, field)
    b.type(node, schema=SCHEMA.Organization, spar=(FOAF.Organization,))
    name = b.plain(org.name, f"{field}.name")
    b.both(node, SCHEMA.name, FOAF.name, name)
    if org.identifiers:
        add_identifiers(b, minter, node, org.identifiers, field)
    if org.department:
        # schema:department links an organisation to another one, its department.
        department = minter.shared("organization", slug(f"{org.name}|{org.department}"))
        b.schema(node, SCHEMA.department, department)
        b.schema(department, RDF_TYPE, SCHEMA.Organization)
        b.schema(department, SCHEMA.name, b.plain(org.department, f"{field}.department"))
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
        _email(b, node, org.email, f"{field}.email")
    return node


@dataclass(frozen=True, slots=True)
class Agent:
    """A contributor's IRI and ``slot``, the readable key its roles are minted under."""

    node: Term
    slot: str


def agent_of(minter: Minter, person: Contributor) -> Agent:
    """Who the contributor is, by the most stable identifier the record gives."""
    orcid = _valid(person.identifiers, "orcid")
    if orcid:
        return Agent(iri("https://orcid.org/" + orcid), "orcid-" + orcid)
    if person.kind == "organization":
        org = Organization(person.name, person.identifiers)
        node = organization_node(minter, org)
        return Agent(node, "org-" + digest(node, 12))
    for scheme in _PERSON_SCHEMES:
        value = _valid(person.identifiers, scheme)
        if value:
            return Agent(minter.shared("person", scheme, value), f"{scheme}-{segment(value)}")
    email = next((e for e in person.emails if _EMAIL_RE.match(e)), None)
    if email:
        # Hashed: the IRI must not publish the address (the address itself is published
        # only as a literal, where the source gives it).
        key = digest("mailto:" + email.strip().lower(), 20)
        return Agent(minter.shared("person", "email", key), "email-" + key)
    name = slug(person.name)
    return Agent(minter.local("person", name), "name-" + name)


def add_contributors(b: GraphBuilder, minter: Minter, work: Term,
                     contributors: tuple[Contributor, ...]) -> None:
    by_role: dict[str, list[tuple[int, Contributor]]] = {}
    for index, person in enumerate(contributors, 1):
        by_role.setdefault(person.role, []).append((index, person))
    for role_name, entries in by_role.items():
        entries.sort(key=lambda entry: entry[1].position)
        slots: set[str] = set()
        placed: list[tuple[int, Term]] = []  # (position, role node)
        agents: list[Term] = []
        for index, person in entries:
            agent = agent_of(minter, person)
            slot = agent.slot
            n = 1
            while slot in slots:  # the same person (or name) twice in one byline
                n += 1
                slot = f"{agent.slot}-{n}"
            slots.add(slot)
            role = minter.local(role_name, slot)
            _add_contributor(b, minter, work, person, agent.node, role, f"contributors[{index}]")
            agents.append(agent.node)
            placed.append((person.position, role))
        b.ordered(work, _SCHEMA_ROLES[role_name], agents)
        _chain(b, placed)


def _chain(b: GraphBuilder, placed: list[tuple[int, Term]]) -> None:
    # oco:hasNext links each role to the roles one position further, so a gap (1, 2, 4)
    # leaves a second head and two contributors in one position a fork: the shapes report both.
    by_position: dict[int, list[Term]] = {}
    for position, role in placed:
        by_position.setdefault(position, []).append(role)
    for position, roles in by_position.items():
        for following in by_position.get(position + 1, ()):
            for role in roles:
                b.spar(role, OCO.hasNext, following)


def _email(b: GraphBuilder, node: Term, email: str, field: str) -> None:
    # One statement per address: schema:email where Schema.org is emitted, else foaf:mbox.
    if b.with_schema:
        b.schema(node, SCHEMA.email, b.plain(email, field))
    elif is_valid_iri("mailto:" + email):
        b.spar(node, FOAF.mbox, iri("mailto:" + email))


def _add_contributor(b: GraphBuilder, minter: Minter, work: Term, person: Contributor,
                     agent: Term, role: Term, field: str) -> None:
    b.field_of(agent, field)
    b.field_of(role, field)
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
            _email(b, agent, email, f"{field}.emails")
    if person.identifiers:
        add_identifiers(b, minter, agent, person.identifiers, field)

    b.schema(work, _SCHEMA_ROLES[person.role], agent)
    if person.role == "author":
        b.spar(work, DCTERMS.creator, agent)
    b.spar(role, RDF_TYPE, PRO.RoleInTime)
    b.spar(role, PRO.withRole, _PRO_ROLES[person.role])
    b.spar(role, PRO.isHeldBy, agent)
    b.spar(work, PRO.isDocumentContextFor, role)
    for number, org in enumerate(person.affiliations, 1):
        org_node = add_organization(b, minter, org, f"{field}.affiliations[{number}]")
        if not is_org:
            b.schema(agent, SCHEMA.affiliation, org_node)
        b.spar(role, PRO.relatesToOrganization, org_node)
