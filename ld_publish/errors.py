"""The one exception hierarchy of ld-publish.

Every error a user can meet is a subclass of :class:`LdPublishError`. Each carries an exit code
(documented in the README), a message that names *where* (file, record, field) and a ``hint``
that says what to do next. The CLI prints ``str(error)`` and exits with ``error.exit_code``;
it never shows a traceback for these.

Exit codes:

====  =====================================================================
0     success
1     invalid records (``validate``, or ``export``/``load`` with ``--strict``)
2     usage or input error (bad option, unreadable or unrecognisable input), or another
      run holds the output folder (:class:`BusyError`)
3     runtime error (a store, the file system or the ``--cluster`` Dask cluster failed)
====  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_INPUT = 2
EXIT_RUNTIME = 3


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was found: the file, the record inside it, the field inside that."""

    file: str | None = None
    record: str | None = None
    field: str | None = None
    line: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.record:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)


class LdPublishError(Exception):
    """Base class. ``exit_code`` tells the CLI how to end; ``hint`` what the user can do."""

    exit_code: int = EXIT_RUNTIME

    def __init__(self, message: str, *, hint: str | None = None,
                 where: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.where = where or Location()

    def __str__(self) -> str:
        text = self.message
        where = self.where
        if where.file and where.file in text:
            # The message already names the file; say the rest of the place only.
            where = Location(record=where.record, field=where.field)
        place = where.describe()
        if place:
            text = f"{place}: {text}"
        if self.hint:
            text = f"{text}\n  hint: {self.hint}"
        return text


class UsageError(LdPublishError):
    """A bad option or combination of options."""

    exit_code = 2


class InputError(LdPublishError):
    """Input that cannot be read at all: missing file, unknown format, empty, binary garbage."""

    exit_code = 2


class UnclaimedSource(InputError):
    """A file found in a folder that no reader recognises (a README, a PDF): skipped with a
    note, not a failure; the same file named on its own is an :class:`InputError`."""


class RecordError(InputError):
    """One record inside an input is broken. The record is quarantined; the others go on."""


class IdentifierError(RecordError):
    """An identifier (DOI, ORCID, ISSN, ...) is malformed or fails its checksum."""


class IdentifierPlaceholder(IdentifierError):
    """A placeholder written where the source has no identifier (ISSN ``0000-0000``): a missing
    identifier, not a wrong one, so readers report it as a warning whatever their severity for
    invalid identifiers."""


class UnsafeInputError(InputError):
    """Input that tries something hostile: external XML entities, entity bombs, remote contexts."""


class InvalidRecordsError(LdPublishError):
    """Some records violate the SHACL shapes (raised with ``--strict`` and by ``validate``)."""

    exit_code = 1


class StoreError(LdPublishError):
    """A triplestore refused or failed a request."""

    exit_code = 3


class StoreAuthError(StoreError):
    """The store answered 401/403: credentials are wrong or missing. Never retried."""


class OutputError(LdPublishError):
    """Writing output failed (disk full, permission denied)."""

    exit_code = 3


class ClusterError(LdPublishError):
    """The Dask cluster of ``--cluster`` cannot be reached, has no workers, or lost them."""

    exit_code = 3


class BusyError(LdPublishError):
    """Another ld-publish run holds the output folder (or store) this run needs."""

    exit_code = 2
