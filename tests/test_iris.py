"""Minted IRIs come from what a thing is, not where it stands: the same input gives the same IRIs
from any folder, and inserting an author or a reference renames nothing else."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from click.testing import CliRunner

from ld_publish.cli import main
from ld_publish.mapping import map_work
from ld_publish.model import Contributor, Identifier, Reference, Work
from ld_publish.readers import readers
from ld_publish.sources import InputSource

from .paths import FIXTURES

SEED = FIXTURES / "page" / "seed.txt"


def _seed() -> Work:
    [work] = readers.get("page").read(InputSource.from_path(SEED))
    assert isinstance(work, Work)
    return work


def _nodes(work: Work) -> set[str]:
    graph = map_work(work).graph
    return {t for s, _, o in graph.terms for t in (s, o) if t.startswith("<")}


def test_the_same_file_in_two_folders_gives_the_same_bytes(tmp_path: Path) -> None:
    runs = []
    for folder in ("a", "b/deeper"):
        source = tmp_path / folder / "seed.txt"
        source.parent.mkdir(parents=True)
        shutil.copy(SEED, source)
        out = tmp_path / f"out-{folder.replace('/', '-')}"
        result = CliRunner().invoke(main, ["export", str(source), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        runs.append({p.relative_to(out): p.read_bytes() for p in (out / "records").iterdir()})
        runs[-1]["dataset.nq"] = (out / "dataset.nq").read_bytes()  # type: ignore[index]
    assert runs[0] == runs[1]
    assert str(tmp_path).encode() not in b"".join(runs[0].values())


def test_inserting_an_author_or_a_reference_renames_nothing_else() -> None:
    work = _seed()
    before = _nodes(work)
    newcomer = Contributor("Newcomer N.", 1, identifiers=(Identifier("orcid",
                                                                     "0000-0002-1825-0097"),))
    shifted = tuple(dataclasses.replace(c, position=c.position + 1) for c in work.contributors)
    new_ref = Reference(1, raw="Inserted, A. (2020). A new first reference.")
    references = (new_ref, *(dataclasses.replace(r, position=r.position + 1)
                             for r in work.references))
    after = _nodes(dataclasses.replace(work, contributors=(newcomer, *shifted),
                                       references=references))
    assert before <= after
    assert len(after - before) >= 3  # the newcomer, their role, the new reference entry


def test_an_invalid_identifier_in_a_record_built_in_code_names_no_one() -> None:
    # Readers never keep one; the mapping still refuses to mint from or publish an identifier
    # that fails its scheme's check (issue 9: a bad ResearcherID minted a person IRI).
    work = _seed()
    first = work.contributors[0]
    bad = dataclasses.replace(first, identifiers=(
        Identifier("researcherid", "nonsense/../x"), Identifier("orcid", "0000-0001-9665-5667")),
        affiliations=tuple(dataclasses.replace(org, identifiers=(
            Identifier("ror", "https://ror.org/01k4yrm30"),)) for org in first.affiliations))
    mapped = map_work(dataclasses.replace(work, contributors=(bad, *work.contributors[1:])))
    nodes = {t for s, _, o in mapped.graph.terms for t in (s, o) if t.startswith("<")}
    assert not [n for n in nodes if "nonsense" in n or "01k4yrm30" in n or "5667" in n]
    notes = {(n.field, n.value) for n in mapped.notices if n.severity == "violation"}
    assert ("contributors[1].identifiers.researcherid", "nonsense/../x") in notes
    assert ("contributors[1].identifiers.orcid", "0000-0001-9665-5667") in notes
    assert ("contributors[1].affiliations[1].identifiers.ror",
            "https://ror.org/01k4yrm30") in notes
