"""Export throughput without and with ``--cluster``: the same records, the same output.

    python bench/bench_cluster.py 5000 --size rich

Rows: the local pool (``-j`` one per core), ``--cluster local:1`` and ``--cluster local:2``
(start-up of the cluster included: a fresh process per row, as a user runs it). Each run writes
into its own fresh folder under ``--dir``; the outputs are checked to be byte-identical (records/
and dataset.nq) before anything is printed. No test asserts any of these figures.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import generate

MODES: dict[str, list[str]] = {
    "local pool": [],
    "--cluster local:1": ["--cluster", "local:1"],
    "--cluster local:2": ["--cluster", "local:2"],
}


def run(source: Path, out: Path, extra: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ld_publish", "export", str(source), "-o", str(out),
                    "-q", *extra], check=True)
    return time.perf_counter() - start


def _same(first: Path, other: Path) -> bool:
    if (first / "dataset.nq").read_bytes() != (other / "dataset.nq").read_bytes():
        return False
    names = sorted(p.name for p in (first / "records").iterdir())
    if names != sorted(p.name for p in (other / "records").iterdir()):
        return False
    return all((first / "records" / n).read_bytes() == (other / "records" / n).read_bytes()
               for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--size", choices=["rich", "compact"], default="rich")
    parser.add_argument("--partition-size", default=None,
                        help="--partition-size for the cluster runs (default: the automatic)")
    parser.add_argument("--dir", default="output", help="where the runs write (default output/)")
    args = parser.parse_args()
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-cluster-", dir=args.dir))
    try:
        source = scratch / "records.jsonl"
        generate(source, args.count, size=args.size)
        rows = []
        for name, extra in MODES.items():
            if extra and args.partition_size:
                extra = [*extra, "--partition-size", args.partition_size]
            out = scratch / name.replace(" ", "_").replace(":", "").replace("-", "")
            seconds = run(source, out, extra)
            with (out / "dataset.nq").open("rb") as dataset:
                triples = sum(1 for _ in dataset)
            rows.append((name, out, seconds, triples))
        if not all(_same(rows[0][1], row[1]) for row in rows[1:]):
            raise SystemExit("the cluster runs did not write what the local run wrote")
        print("| mode | records | seconds | records/s | triples/s |")
        print("|---|---:|---:|---:|---:|")
        for name, _, seconds, triples in rows:
            print(f"| {name} | {args.count:,} | {seconds:.2f} | {args.count / seconds:,.0f} "
                  f"| {triples / seconds:,.0f} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
