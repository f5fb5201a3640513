"""The shapes against broken variants of the seed's published graph (tests/mutants.py): each is
written as Turtle and validated as published RDF, the way a consumer re-validates, through the
Python API and (for a sample) the CLI's exit code. Both engines must give the same findings on
every mutant.

The score is quoted in the README ("Validation"); a change in what is caught fails
``test_the_mutant_score`` until the README says it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from ld_publish.cli import main
from ld_publish.formats import TURTLE
from ld_publish.pipeline import Options
from ld_publish.rdf_input import read_graphs
from ld_publish.sources import InputSource
from ld_publish.validate import validate
from ld_publish.validation import load_shapes, raw_results

from .mutants import MUTANTS, NOT_VIOLATIONS, Seed

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests" / "fixtures" / "page" / "seed.txt"


@pytest.fixture(scope="module")
def seed_ttl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed")
    result = CliRunner().invoke(main, ["export", str(SEED), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    [path] = (out / "records").glob("*.ttl")
    return path


@pytest.fixture(scope="module")
def mutant_files(seed_ttl: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("mutants")
    files = {}
    for number, (name, mutate) in enumerate(MUTANTS.items(), 1):
        graph = rdflib.Graph().parse(seed_ttl, format="turtle")
        before = set(graph)
        mutate(Seed.of(graph))
        assert set(graph) != before, f"mutant {name!r} changed nothing"
        path = folder / f"{number:02d}.ttl"
        graph.serialize(path, format="turtle")
        files[name] = path
    return files


def test_there_are_at_least_forty_mutants() -> None:
    assert len(MUTANTS) >= 40


def test_the_unmutated_seed_conforms(seed_ttl: Path) -> None:
    assert validate([str(seed_ttl)]).conforms


def test_each_mutant_is_caught_unless_listed(mutant_files: dict[str, Path]) -> None:
    result = validate(list(map(str, mutant_files.values())), Options(formats=(), workers=1))
    assert not result.failed_sources
    assert len(result.report.records) == len(mutant_files)
    caught = {name for name, record in zip(mutant_files, result.report.records, strict=True)
              if not record.conforms}
    assert set(MUTANTS) - caught == NOT_VIOLATIONS
    for name, record in zip(mutant_files, result.report.records, strict=True):
        assert record.findings, f"{name}: no finding at all"
        violations = [f for f in record.findings if f.severity == "violation"]
        assert all(f.hint and f.field for f in violations), name


def test_the_mutant_score_is_the_one_the_readme_quotes() -> None:
    caught = len(MUTANTS) - len(NOT_VIOLATIONS)
    assert caught / len(MUTANTS) >= 0.9
    readme = (REPO / "README.md").read_text("utf-8")
    quoted = re.search(r"catches (\d+) of (\d+) mutants", readme)
    assert quoted, "the README does not quote the mutant score"
    assert (int(quoted.group(1)), int(quoted.group(2))) == (caught, len(MUTANTS))


@pytest.mark.parametrize("name", ["title removed", "ORCID IRI with a broken check digit",
                                  "received after accepted", "the work's types removed",
                                  "title lost its language tag"])
def test_the_cli_exit_code_says_it(name: str, mutant_files: dict[str, Path]) -> None:
    done = subprocess.run([sys.executable, "-m", "ld_publish", "validate",
                           str(mutant_files[name])], capture_output=True, text=True, cwd=REPO,
                          timeout=120)
    assert done.returncode == (0 if name in NOT_VIOLATIONS else 1), done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_engines_agree_on_every_mutant(mutant_files: dict[str, Path]) -> None:
    shapes = load_shapes()
    for name, path in mutant_files.items():
        [graph] = read_graphs(InputSource.from_path(path), TURTLE)
        fast = sorted(r.key for r in raw_results(graph, shapes, "fast"))
        reference = sorted(r.key for r in raw_results(graph, shapes, "pyshacl"))
        assert fast == reference, name

