"""The long fuzz run: many mutants of every reader's fixtures, exported through the CLI.

    python bench/fuzz_readers.py [--examples 300] [--seed 1] [--reader ris ...] [--long]
                                 [--subprocess]

Each mutant (tests/fuzzing.py: truncation, byte flips, other encodings, huge, deep and repeated
values, another format spliced in) is exported with ``ld-publish export`` in-process (click's
runner; ``--subprocess`` runs the real ``python -m ld_publish`` for each instead) and checked
against tests.fuzzing.check_export. Unlike the suite, a failure does not stop the run: every
failing mutant is listed with its operations, and the slowest exports are reported. ``--long``
uses values past the record limits (1.1 M characters, 100,000 levels, 25,000 items).
Exit status 1 when any mutant failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from ld_publish.cli import main as cli  # noqa: E402
from tests.fuzzing import FIXTURES, LONG, SUITE, Mutant, check_export, mutants  # noqa: E402

#: An export of one mutant that takes longer than this, plus PER_RECORD for each record it
#: read, is reported as a hang (a mutant that repeats a line 25,000 times is 25,000 records).
TIME_BOUND = 60.0
PER_RECORD = 0.02


def export(mutant: Mutant, forced: bool, real_process: bool) -> tuple[float, str | None]:
    """(seconds, failure or None) for one export of ``mutant``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / mutant.file_name
        path.write_bytes(mutant.data)
        out = Path(tmp) / "out"
        args = ["export", *(["--from", mutant.reader] if forced else []), str(path),
                "-o", str(out), "-j", "1", "-q"]
        what = f"{mutant.describe()}{' (--from)' if forced else ''}"
        start = time.monotonic()
        try:
            if real_process:
                done = subprocess.run([sys.executable, "-m", "ld_publish", *args], cwd=ROOT,
                                      capture_output=True, text=True, timeout=10 * TIME_BOUND,
                                      env={**os.environ, "PYTHONPATH": str(ROOT)})
                code, stderr = done.returncode, done.stderr
            else:
                result = CliRunner().invoke(cli, args)
                code, stderr = result.exit_code, result.stderr
                if result.exception is not None and not isinstance(result.exception,
                                                                   SystemExit):
                    stderr += f"\nTraceback: {type(result.exception).__name__}: " \
                              f"{result.exception}"
        except subprocess.TimeoutExpired:
            return 10 * TIME_BOUND, f"{what}: no end after {10 * TIME_BOUND:.0f} s"
        seconds = time.monotonic() - start
        try:
            report = check_export(out, code, stderr, [path], what)
        except AssertionError as exc:
            return seconds, str(exc)
        if seconds > TIME_BOUND + PER_RECORD * report["read"]:
            return seconds, f"{what}: took {seconds:.1f} s"
        return seconds, None


def run(reader: str, examples: int, seed_value: int, long: bool, real_process: bool
        ) -> tuple[list[str], list[tuple[float, str]]]:
    failures: list[str] = []
    timings: list[tuple[float, str]] = []

    @seed(seed_value)
    @settings(max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(mutants(reader, LONG if long else SUITE))
    def one(mutant: Mutant) -> None:
        for forced in (False, True):
            seconds, failure = export(mutant, forced, real_process)
            timings.append((seconds, mutant.describe()))
            if failure and failure not in failures:
                failures.append(failure)
                print(f"FAIL {failure}\n", flush=True)

    one()
    return failures, timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=300, help="mutants per reader")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reader", action="append", choices=sorted(FIXTURES))
    parser.add_argument("--long", action="store_true", help="values past the record limits")
    parser.add_argument("--subprocess", action="store_true",
                        help="run each export as a real process (slow)")
    args = parser.parse_args()
    failures: list[str] = []
    timings: list[tuple[float, str]] = []
    started = time.monotonic()
    for reader in args.reader or sorted(FIXTURES):
        found, times = run(reader, args.examples, args.seed, args.long, args.subprocess)
        print(f"{reader}: {len(times)} exports, {len(found)} failures, slowest "
              f"{max(times)[0]:.2f} s", flush=True)
        failures += found
        timings += times
    print(f"\n{len(timings)} exports in {time.monotonic() - started:.0f} s; "
          f"{len(failures)} failures")
    for seconds, what in sorted(timings, reverse=True)[:5]:
        print(f"  {seconds:6.2f} s  {what}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
