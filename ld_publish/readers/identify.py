"""The one way readers build an :class:`~ld_publish.model.Identifier`.

Every reader hands what its source wrote to :func:`identifier` with the record field it came
from. The value is checked by :func:`ld_publish.identifiers.check` for its scheme; a valid one
comes back in canonical form with the source's spelling kept as ``original``, and whatever the
check changed beyond spelling or found suspicious is a notice. An invalid one is left out and
becomes a notice naming the field, the value, what is wrong and what to do - never dropped or
changed silently, never published, never used to mint an IRI.
"""

from __future__ import annotations

from ..errors import IdentifierError, IdentifierPlaceholder
from ..identifiers import check
from ..model import Identifier, Notice, Severity

__all__ = ["identifier"]


def identifier(scheme: str, value: object, field: str, notices: list[Notice], *,
               severity: Severity = "violation", qualifier: str | None = None,
               original: str | None = None) -> Identifier | None:
    """The checked identifier of ``scheme`` written as ``value`` in ``field``, or ``None``.

    ``severity`` is the reader's for an invalid identifier (the one it gives a bad ORCID iD;
    references and related items use ``warning``: the entry stays, without the identifier). A
    placeholder is always a warning: it says the source has none. ``original`` overrides the
    spelling kept (a reader that had to complete the value, e.g. ``PMC`` before a bare number).
    An empty value is no identifier and no notice.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        if value is not None:
            notices.append(Notice(field, f"{scheme} identifier is not text; left out",
                                  repr(value)[:200], "write the identifier as a string",
                                  severity))
        return None
    written = value.strip()
    if not written:
        return None
    try:
        checked = check(scheme, value)
    except IdentifierPlaceholder as exc:
        notices.append(Notice(field, f"{exc.message}; left out", original or written,
                              exc.hint, "warning"))
        return None
    except IdentifierError as exc:
        notices.append(Notice(field, f"{exc.message}; left out", original or written, exc.hint,
                              severity))
        return None
    for remark in checked.remarks:
        notices.append(Notice(field, remark.message, original or written, remark.hint,
                              remark.severity))
    spelling = original if original is not None else written
    return Identifier(scheme, checked.value, None if spelling == checked.value else spelling,
                      qualifier)
