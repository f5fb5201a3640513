"""Deterministic IRIs: DOI, ORCID and ROR IRIs where the record has them, else minted under the
base.

Every minted IRI derives from what the thing *is* (the record key, an ISSN, an eLibrary id, a
normalised name or reference text), never from where it stands in the record, so the same input
gives the same IRIs on every run and machine, and inserting an author or a reference renames
nothing else. Path segments are percent-encoded (``/`` too) so a strict parser accepts them and
keys cannot escape their slot. The rules are in docs/mapping.md ("IRIs").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from ..errors import UsageError
from ..identifiers import doi_iri, iri_escape, is_valid_iri
from ..terms import Term, iri

DEFAULT_BASE = "https://ld-publish.example/"


def check_base(base: str) -> str:
    if not is_valid_iri(base) or not base.endswith(("/", "#")) or not re.match(
            r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]+", base):
        raise UsageError(f"--base {base!r} is not an absolute IRI ending in / or #",
                         hint="use something like https://data.example.org/ld/")
    return base


# Small caches: hits come from within one record (its key, DOIs it repeats); larger ones only
# grow with the run.
@lru_cache(maxsize=1024)
def segment(text: str) -> str:
    """One path segment: every delimiter encoded, so ``a/b`` cannot become two segments."""
    return iri_escape(text, keep="")


def normalized(text: str) -> str:
    """The form two spellings of one name share: NFC, white space collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def digest(text: str, size: int = 16) -> str:
    """A short, stable hash of ``text`` (hex; ``size`` characters)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:size]


def slug(text: str) -> str:
    """A readable, stable segment from free text (journal titles, organisation names): equal
    after :func:`normalized` gives the same slug."""
    key = normalized(text)
    lowered = re.sub(r"[^\w]+", "-", key, flags=re.UNICODE).strip("-")
    return segment(f"{lowered[:60]}-{digest(key, 8)}" if lowered else digest(key, 8))


@lru_cache(maxsize=1024)
def doi_node(doi: str) -> Term:
    return iri(doi_iri(doi))


class Minter:
    """IRIs for the nodes of one record."""

    def __init__(self, base: str, record_key: str) -> None:
        self.base = base
        self.record = f"{base}work/{segment(record_key)}"

    def graph(self, record_key: str) -> Term:
        return iri(f"{self.base}graph/{segment(record_key)}")

    def local(self, *parts: str | int) -> Term:
        """A node that belongs to this record, e.g. ``local("author", 2)``."""
        return iri(self.record + "/" + "/".join(segment(str(p)) for p in parts))

    def shared(self, kind: str, *parts: str) -> Term:
        """A node other records may share: a journal by ISSN, a person by eLibrary id."""
        return iri(f"{self.base}{kind}/" + "/".join(segment(p) for p in parts))

    def scheme(self, name: str) -> Term:
        """An identifier scheme the DataCite ontology has no individual for (EDN, eLibrary)."""
        return iri(f"{self.base}scheme/{segment(name)}")

    def identifier(self, scheme: str, value: str) -> Term:
        """An identifier as an entity, shared by every record that has it: its IRI is what it
        says (scheme and value), so two records describe it alike."""
        return iri(f"{self.base}id/{segment(scheme)}/{segment(value)}")
