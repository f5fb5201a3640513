"""Plot ``bench_export.py`` results: records/s and peak memory against N, per record size.

Reads the Markdown tables ``bench_export.py`` prints (one or more files, e.g. runs of
different N on one day) and draws a PNG (matplotlib, log scale on N):

    python bench/bench_export.py 20000 1000000 --size compact --to turtle --dataset nq.gz \\
        > scale-big.md
    python bench/bench_export.py 1000 100000 --size compact --to turtle --dataset nq.gz \\
        > scale-small.md
    python bench/plot_export.py scale-small.md scale-big.md --out docs/bench-scale.png
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NamedTuple


class Row(NamedTuple):
    size: str
    records: int
    records_per_s: int
    triples_per_s: int
    peak_mib: float


def rows(path: Path) -> list[Row]:
    """The table rows of one ``bench_export.py`` output."""
    found = []
    for line in path.read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 8 or not cells[1].replace(",", "").isdigit():
            continue  # the header, its rule, or other text
        size, records, _, _, per_s, triples_s, _, peak = cells
        found.append(Row(size, int(records.replace(",", "")), int(per_s.replace(",", "")),
                         int(triples_s.replace(",", "")), float(peak)))
    return found


def plot(found: list[Row], out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (speed, memory) = plt.subplots(1, 2, figsize=(10, 4))
    for size in dict.fromkeys(row.size for row in found):
        mine = sorted((row for row in found if row.size == size), key=lambda row: row.records)
        n = [row.records for row in mine]
        speed.plot(n, [row.records_per_s for row in mine], "o-", label=f"{size} records")
        memory.plot(n, [row.peak_mib for row in mine], "o-", label=f"{size} records")
    speed.set(xscale="log", xlabel="records", ylabel="records/s", title="Export speed",
              ylim=(0, None))
    memory.set(xscale="log", xlabel="records", ylabel="peak RSS of the largest process (MiB)",
               title="Peak memory", ylim=(0, None))
    for axis in (speed, memory):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/bench-scale.png"))
    args = parser.parse_args()
    found = [row for table in args.tables for row in rows(table)]
    if not found:
        raise SystemExit("no bench_export.py table rows in the files given")
    plot(found, args.out)
    print(f"{len(found)} runs -> {args.out}")


if __name__ == "__main__":
    main()
