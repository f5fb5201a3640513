"""ld-publish against the naive path, side by side in one run on the same records, with a plot.

    python bench/bench_compare.py [--counts 50 1000 20000] [--naive-max 50] [--size rich]
                                  [--plot docs/bench-export.png]

For each N the same synthetic records (bench_export.py's generator) go through

* ``ld-publish export`` (a fresh process, every core: read, map, validate with the fast engine,
  Turtle + JSON-LD per record, N-Quads for the dataset), and
* the naive path (for N up to ``--naive-max``: pySHACL takes seconds per rich record with
  the project's shapes, whose SPARQL constraints it evaluates in Python): the same readers and
  mapping, then what a hand-written pipeline does: an rdflib ``Graph`` per record,
  ``pyshacl.validate`` with the project's shapes, and rdflib's Turtle and JSON-LD serialisers,
  in one process.

Each run reports wall time, records/s, triples/s and the peak RSS of its largest process. The
table is printed as markdown and, with ``--plot``, records/s and peak memory against N are
drawn (matplotlib, log scale on N) into a PNG.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_export import synthetic_record  # noqa: E402

# The naive path, run in its own process so its peak memory is its own.
NAIVE = r'''
import sys
from pathlib import Path
import pyshacl, rdflib
from ld_publish.mapping import map_work
from ld_publish.readers import readers
from ld_publish.sources import InputSource
from ld_publish.validation.shapes import load_shapes
source, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
shapes = load_shapes().graph
triples = 0
for n, work in enumerate(readers.get("jsonl").read(InputSource.from_path(source))):
    mapped = map_work(work)
    graph = rdflib.Graph()
    graph.parse(data=mapped.graph.ntriples().decode("utf-8"), format="nt")
    triples += len(graph)
    conforms, _report, _text = pyshacl.validate(graph, shacl_graph=shapes, advanced=True)
    (out / f"{n}.ttl").write_text(graph.serialize(format="turtle"), "utf-8")
    (out / f"{n}.jsonld").write_text(graph.serialize(format="json-ld"), "utf-8")
print(triples)
'''


@dataclass
class Run:
    path: str
    records: int
    triples: int
    seconds: float
    peak_mib: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds


# Runs the command and prints the peak RSS (KiB) of its largest process, workers included: a
# wrapper of its own per run, since RUSAGE_CHILDREN only ever grows within one process.
_MEASURED = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
             "sys.exit(done.returncode)")


def _run(args: list[str]) -> tuple[float, str, float]:
    """(seconds, stdout, peak RSS in MiB) of one command."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *args], capture_output=True,
                          text=True, cwd=ROOT, check=False)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout, int(done.stderr.strip().splitlines()[-1]) / 1024


def ld_publish(records: Path, count: int, folder: Path) -> Run:
    seconds, _, peak = _run([sys.executable, "-m", "ld_publish", "export", str(records), "-o",
                             str(folder), "-q"])
    report = json.loads((folder / "report.json").read_text("utf-8"))
    assert report["written"] == count, report
    triples = sum(1 for _ in (folder / "dataset.nq").open("rb"))
    return Run("ld-publish", count, triples, seconds, peak)


def naive(records: Path, count: int, folder: Path) -> Run:
    seconds, out, peak = _run([sys.executable, "-c", NAIVE, str(records), str(folder)])
    return Run("naive (rdflib + pySHACL)", count, int(out.strip()), seconds, peak)


def plot(runs: list[Run], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (speed, memory) = plt.subplots(1, 2, figsize=(10, 4))
    for name in dict.fromkeys(r.path for r in runs):
        mine = [r for r in runs if r.path == name]
        speed.plot([r.records for r in mine], [r.per_second for r in mine], "o-", label=name)
        memory.plot([r.records for r in mine], [r.peak_mib for r in mine], "o-", label=name)
    speed.set(xscale="log", yscale="log", xlabel="records", ylabel="records/s",
              title="Export speed")
    memory.set(xscale="log", xlabel="records", ylabel="peak RSS (MiB)", title="Peak memory")
    for axis in (speed, memory):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", nargs="+", type=int, default=[50, 1000, 20000])
    parser.add_argument("--naive-max", type=int, default=50)
    parser.add_argument("--size", choices=["rich", "compact"], default="rich")
    parser.add_argument("--plot", type=Path, default=None)
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for count in sorted(args.counts):
            records = scratch / f"records-{count}.jsonl"
            rng = random.Random(7)
            with records.open("w", encoding="utf-8") as handle:
                for n in range(count):
                    handle.write(json.dumps(synthetic_record(n, rng, args.size)) + "\n")
            if count <= args.naive_max:
                runs.append(naive(records, count, scratch / f"naive-{count}"))
            runs.append(ld_publish(records, count, scratch / f"ld-{count}"))
            records.unlink()
    print(f"\n{args.size} records\n")
    print("| path | records | triples/record | seconds | records/s | triples/s | peak RSS "
          "(MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        digits = 0 if r.per_second >= 100 else 2
        print(f"| {r.path} | {r.records:,} | {r.triples / r.records:.0f} | {r.seconds:.1f} | "
              f"{r.per_second:,.{digits}f} | {r.triples / r.seconds:,.0f} | {r.peak_mib:.0f} |")
    for count in sorted(args.counts):
        pair = {r.path: r for r in runs if r.records == count}
        if len(pair) == 2:
            fast, slow = pair["ld-publish"], pair["naive (rdflib + pySHACL)"]
            print(f"\nN = {count:,}: ld-publish {fast.per_second / slow.per_second:.0f}× "
                  "the naive path")
    if args.plot:
        plot(runs, args.plot)
        print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
