"""Funding: ``schema:funding`` → ``schema:MonetaryGrant`` and FRAPO grants with award numbers."""

from __future__ import annotations

from ..model import Funding
from ..terms import Term
from .agents import add_organization
from .builder import GraphBuilder
from .iris import Minter
from .namespaces import DCTERMS, FRAPO, RDF_TYPE, SCHEMA


def add_funding(b: GraphBuilder, minter: Minter, work: Term,
                funding: tuple[Funding, ...]) -> None:
    for number, fund in enumerate(funding, 1):
        field = f"funding[{number}]"
        funder = None
        if fund.funder is not None:
            funder = add_organization(b, minter, fund.funder, f"{field}.funder",
                                      "funding", number, "funder")
            b.both(work, SCHEMA.funder, FRAPO.isFundedBy, funder)
        # Each award is a grant; a statement without award numbers still gets one grant node
        # so the statement and funder are not lost.
        awards = fund.awards or (None,)
        for index, award in enumerate(awards, 1):
            grant = minter.local("funding", number, "grant", index)
            b.type(grant, schema=SCHEMA.MonetaryGrant, spar=(FRAPO.Grant,))
            b.both(work, SCHEMA.funding, FRAPO.isOutputOf, grant)
            if award is not None:
                value = b.plain(award.number, f"{field}.awards[{index}].number")
                b.both(grant, SCHEMA.identifier, FRAPO.hasGrantNumber, value)
                if award.title:
                    title = b.plain(award.title, f"{field}.awards[{index}].title")
                    b.both(grant, SCHEMA.name, DCTERMS.title, title)
            if fund.statement:
                statement = b.plain(fund.statement, f"{field}.statement")
                b.both(grant, SCHEMA.description, DCTERMS.description, statement)
            if funder is not None:
                b.both(grant, SCHEMA.funder, FRAPO.isAwardedBy, funder)
            b.spar(grant, RDF_TYPE, FRAPO.Grant)
