"""HTTP content negotiation: which of the offered media types an ``Accept`` header prefers.

RFC 9110 section 12.5.1: each media range carries a quality (``q``, default 1); a type matches
the most specific range that covers it (``text/turtle`` before ``text/*`` before ``*/*``), and
that range's quality is the type's; ``q=0`` means "not acceptable". Ties go to the offer listed
first, so the server's order (DOCUMENT_FORMATS: HTML first) decides when the client does not.
No header at all means anything is acceptable. Parameters other than ``q`` (``charset``,
``profile``) are ignored when matching: every offer is UTF-8 and has one profile.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MediaRange", "negotiate", "parse_accept"]

_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")
#: Bounds the work one header can cause; real browsers send fewer than 20 ranges.
_MAX_RANGES = 64


@dataclass(frozen=True, slots=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How specifically this range names ``media_type`` (2 exact, 1 ``type/*``, 0 ``*/*``),
        or -1 when it does not cover it."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, lower-cased; malformed ranges are skipped
    (one bad range should not turn a usable header into a 406)."""
    ranges: list[MediaRange] = []
    for part in header.split(",")[:_MAX_RANGES]:
        media, *params = (p.strip() for p in part.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not _TOKEN.match(kind) or not _TOKEN.match(sub):
            continue
        if kind == "*" and sub != "*":
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.match(value) else None
        if q is not None:
            ranges.append(MediaRange(kind, sub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of the most specific range covering
    it, 0 when none does."""
    best, best_q = -1, 0.0
    for r in ranges:
        level = r.specificity(media_type)
        # Among equally specific ranges (a header may repeat one) the highest q wins.
        if level > best or (level == best and r.q > best_q):
            best, best_q = level, r.q
    return best_q if best >= 0 else 0.0


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or ``None`` when none is acceptable (answer 406).

    ``offers`` are media types in the server's order of preference. A missing or blank header
    accepts anything, so the first offer wins."""
    if accept is None or not accept.strip():
        return offers[0] if offers else None
    ranges = parse_accept(accept)
    if not ranges:
        # Nothing in the header could be read: treat it as absent rather than refuse.
        return offers[0] if offers else None
    chosen, chosen_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer.lower())
        if q > chosen_q:  # strictly greater: ties keep the earlier offer
            chosen, chosen_q = offer, q
    return chosen
