"""Fuzzing every reader through the CLI: mutants of real fixture files, exported.

Each mutant (tests/fuzzing.py: cut short, bytes flipped, re-encoded, a huge, deep or repeated
value, another format spliced in) is exported once with the reader detected and once with
``--from`` forcing it. Whatever the input, the export must end with a documented exit code, no
traceback or internal error, and a balanced report that accounts for every record (written or
quarantined with a reason) and for the input itself.

The suite runs a few mutants per reader; ``bench/fuzz_readers.py`` runs hundreds, with values
past the record limits, and lists every failure instead of stopping at the first.
``LD_PUBLISH_FUZZ_EXAMPLES`` sets the number of mutants per reader here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings

from ld_publish.cli import main as cli
from ld_publish.readers import readers
from tests.fuzzing import FIXTURES, Mutant, check_export, mutants

EXAMPLES = int(os.environ.get("LD_PUBLISH_FUZZ_EXAMPLES", "15"))


def test_every_registered_reader_has_fixtures_to_mutate() -> None:
    # A reader added without fixtures here would never be fuzzed.
    assert set(FIXTURES) == set(readers.names())
    for paths in FIXTURES.values():
        assert all(path.is_file() for path in paths)


def export(mutant: Mutant, folder: Path, forced: bool) -> None:
    folder.mkdir()
    path = folder / mutant.file_name
    path.write_bytes(mutant.data)
    out = folder / "out"
    args = ["export", *(["--from", mutant.reader] if forced else []), str(path), "-o",
            str(out), "-j", "1", "-q"]
    result = CliRunner().invoke(cli, args)
    what = f"{mutant.describe()}{' (--from)' if forced else ''}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{what}: {type(result.exception).__name__}: "
                             f"{result.exception}") from result.exception
    check_export(out, result.exit_code, result.stderr, [path], what)


@pytest.mark.parametrize("reader", sorted(FIXTURES))
def test_mutated_inputs_end_in_output_or_quarantine_never_in_a_traceback(
        reader: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              phases=[Phase.generate, Phase.shrink],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(mutants(reader))
    def one(mutant: Mutant) -> None:
        folder = tmp_path_factory.mktemp(reader)
        export(mutant, folder / "detected", forced=False)
        export(mutant, folder / "forced", forced=True)

    one()
