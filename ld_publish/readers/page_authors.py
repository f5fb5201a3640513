"""The author block of an article page: name lines, affiliation lines with e-mails, and id
lines (eLibrary id, ORCID, ResearcherID). A mixin of the page parser, which supplies the lines,
the notices and the not-mapped list."""

from __future__ import annotations

import unicodedata

from ..identifiers import scripts_of
from ..model import (
    Contributor,
    Identifier,
    Notice,
    Organization,
)
from .identify import identifier
from .page_patterns import (
    _EMAIL,
    _ID_FIELD,
    _ID_SCHEMES,
    _NAME_LINE,
    _is_id_line,
    _is_marker,
    _organization,
)


class AuthorBlock:
    """Parses the contributors between the title and the first body line."""

    lines: list[str]
    unmapped: list[str]
    notices: list[Notice]

    def notice(self, path: str, message: str, value: str | None = None,
               hint: str | None = None, severity: str = "warning") -> None:
        raise NotImplementedError  # the page parser records notices

    def _authors(self, pos: int, end: int) -> tuple[int, list[Contributor]]:
        contributors: list[Contributor] = []
        while pos < end:
            line = self.lines[pos].strip()
            if not line:
                pos += 1
                continue
            match = _NAME_LINE.match(line)
            if not match or _is_marker(line):
                break
            number = len(contributors) + 1
            name = line.rstrip(",").strip()
            pos += 1
            affiliations: tuple[Organization, ...] = ()
            emails: tuple[str, ...] = ()
            ids: tuple[Identifier, ...] = ()
            if pos < end and self._is_affiliation(self.lines[pos].strip()):
                affiliations, emails = self._affiliation(self.lines[pos].strip(), number)
                pos += 1
            if pos < end and _is_id_line(self.lines[pos].strip()):
                ids = self._author_ids(self.lines[pos].strip(), number)
                pos += 1
            self._check_script(name, number)
            contributors.append(Contributor(
                name=name, position=number, given=match.group("given").strip(),
                family=match.group("family").strip(), emails=emails, identifiers=ids,
                affiliations=affiliations))
        if not contributors:
            self.notice("contributors", "the page names no authors", None,
                        "author lines look like 'Family I.I.,' after the title", "warning")
        return pos, contributors

    def _is_affiliation(self, line: str) -> bool:
        return bool(line) and not (_NAME_LINE.match(line) or _is_marker(line)
                                   or _is_id_line(line))

    def _affiliation(self, line: str, number: int) -> tuple[tuple[Organization, ...],
                                                            tuple[str, ...]]:
        emails: list[str] = []
        organizations: list[Organization] = []
        for chunk in line.split(";"):
            parts = [p.strip() for p in chunk.split(",") if p.strip()]
            kept = []
            for part in parts:
                if "@" in part:
                    if _EMAIL.match(part):
                        emails.append(part)
                    else:
                        self.notice(f"contributors[{number}].emails", "not an e-mail address",
                                    part, "an address looks like name@example.org")
                else:
                    kept.append(part)
            if kept:
                organizations.append(_organization(kept))
        return tuple(organizations), tuple(emails)

    def _author_ids(self, line: str, number: int) -> tuple[Identifier, ...]:
        found: list[Identifier] = []
        for item in line.split("|"):
            match = _ID_FIELD.match(item)
            if not match or not match.group("value"):
                continue
            key, value = match.group("key").strip(), match.group("value")
            scheme = _ID_SCHEMES.get(key.lower().replace(" ", "_"))
            path = f"contributors[{number}].identifiers"
            if scheme is None:
                self.unmapped.append(f"contributors[{number}].{key}")
                self.notice(f"{path}.{key}", f"unknown author id field {key!r} left out", value,
                            None, "info")
                continue
            identifier = self._author_id(scheme, value, f"{path}.{scheme}")
            if identifier:
                found.append(identifier)
        return tuple(found)

    def _author_id(self, scheme: str, value: str, path: str) -> Identifier | None:
        # Every scheme is as serious as a bad ORCID iD here: an author id names the person
        # across records, and a wrong one would merge two people.
        return identifier(scheme, value, path, self.notices)

    def _check_script(self, name: str, number: int) -> None:
        scripts = scripts_of(name)
        if len(scripts) < 2:
            return
        counts: dict[str, int] = {}
        for ch in name:
            if ch.isalpha():
                script = unicodedata.name(ch, "?").split(" ", 1)[0]
                counts[script] = counts.get(script, 0) + 1
        main = max(counts, key=lambda s: counts[s])
        odd = ", ".join(f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, '?')})"
                        for ch in dict.fromkeys(name)
                        if ch.isalpha() and unicodedata.name(ch, "?").split(" ", 1)[0] != main)
        self.notice(f"contributors[{number}].name",
                    f"the name mixes {' and '.join(sorted(scripts))} letters: {odd}", name,
                    f"a look-alike letter was probably typed in another keyboard layout; the "
                    f"name is kept as printed - retype it in {main} letters at the source",
                    "warning")

    # -- body --------------------------------------------------------------------------------
