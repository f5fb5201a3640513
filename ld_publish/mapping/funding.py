"""Funding: the work ``schema:funding`` / ``frapo:isFundedBy`` one grant per award number
(``schema:MonetaryGrant`` + ``frapo:Grant``, with its number, title and funder), and
``schema:funder`` / ``frapo:isFundedBy`` the funder itself.

A grant is an entity of its own, shared by the works it funds: its IRI is its funder and award
number. A funding statement is published once: on its grant when it names one award (or none),
on the work when it names several, so no text is repeated per grant.
"""

from __future__ import annotations

from ..model import Award, Funding
from ..terms import Term
from .agents import add_organization
from .builder import GraphBuilder
from .iris import Minter, digest, normalized, segment
from .namespaces import DCTERMS, FRAPO, SCHEMA


def grant_node(minter: Minter, funder: Term | None, award: Award | None,
               statement: str | None) -> Term:
    """Keyed by funder and award number; a grant without a number by its statement's text,
    within the record (nothing else names it)."""
    if award is not None:
        owner = digest(funder, 12) if funder else "unknown-funder"
        return minter.shared("grant", owner, segment(award.number))
    return minter.local("funding", digest(normalized(statement or funder or "")))


def add_funding(b: GraphBuilder, minter: Minter, work: Term,
                funding: tuple[Funding, ...]) -> None:
    for number, fund in enumerate(funding, 1):
        field = f"funding[{number}]"
        funder = None
        if fund.funder is not None:
            funder = add_organization(b, minter, fund.funder, f"{field}.funder")
            b.both(work, SCHEMA.funder, FRAPO.isFundedBy, funder)
        awards: tuple[Award | None, ...] = fund.awards or (None,)
        for index, award in enumerate(awards, 1):
            grant = grant_node(minter, funder, award, fund.statement)
            b.field_of(grant, f"{field}.awards[{index}]" if award else field)
            b.type(grant, schema=SCHEMA.MonetaryGrant, spar=(FRAPO.Grant,))
            b.both(work, SCHEMA.funding, FRAPO.isFundedBy, grant)
            if award is not None:
                path = f"{field}.awards[{index}]"
                for value in (award.number, *award.other_numbers):
                    literal = b.plain(value, f"{path}.number")
                    b.both(grant, SCHEMA.identifier, FRAPO.hasGrantNumber, literal)
                if award.title:
                    title = b.plain(award.title, f"{path}.title")
                    b.both(grant, SCHEMA.name, DCTERMS.title, title)
            if funder is not None:
                b.both(grant, SCHEMA.funder, FRAPO.isAwardedBy, funder)
            if fund.statement and len(awards) == 1:
                statement = b.plain(fund.statement, f"{field}.statement")
                b.both(grant, SCHEMA.description, DCTERMS.description, statement)
        if fund.statement and len(awards) > 1:
            # Several grants from one statement: the text once, as the work's credit line.
            statement = b.plain(fund.statement, f"{field}.statement")
            b.schema(work, SCHEMA.creditText, statement)
            b.spar(work, DCTERMS.description, statement)
