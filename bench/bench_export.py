"""Benchmark of ``ld-publish export``: records/s and peak memory, end to end.

Generates N synthetic records in ld-publish's own JSON Lines format, "rich" (3 authors with
ORCIDs and affiliations, an abstract, funding, 15 references of which 10 have DOIs, 2 related
items: about 390 triples) or "compact" (2 authors, an abstract, 3 references, 2 with DOIs:
about 185 triples),
then runs ``ld-publish export`` in a fresh process (read, map, validate, write Turtle, JSON-LD
and N-Quads) and reports wall time, records/s and the peak resident memory of the largest
process (the main process or one of its workers).

    python bench/bench_export.py                 # N = 1,000 and 20,000, both sizes
    python bench/bench_export.py 5000 --size rich --workers 1
    python bench/bench_export.py 20000 1000000 --size compact --to turtle --dataset nq.gz

``--merge-copies`` describes every work twice, in two files (the second copy in a file of its
own, each record with keywords the first lacks), so that the run merges every work: N works,
2N records read, N merges at the end of the run. ``--shuffle-copy`` puts the second copy in
another order (the merges are then met in an order other than their first records').
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ld_publish.identifiers import orcid_check_digit


def _orcid(rng: random.Random) -> str:
    base = "0000000" + "".join(rng.choice("0123456789") for _ in range(8))
    digits = base + orcid_check_digit(base)
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


SIZES = {"rich": (3, 15, 10, 2), "compact": (2, 3, 2, 0)}


def synthetic_record(n: int, rng: random.Random, size: str = "rich") -> dict[str, Any]:
    n_authors, n_refs, n_doi_refs, n_related = SIZES[size]
    doi = f"10.5555/bench.{n:07d}"
    authors = []
    for position in range(1, n_authors + 1):
        family = rng.choice(["Ivanova", "Smith", "García", "Müller", "Sato", "Okafor"])
        given = rng.choice(["Anna", "John", "María", "Jürgen", "Yuki", "Chidi"])
        authors.append({
            "name": f"{family} {given[0]}.", "position": position, "given": given,
            "family": family, "emails": [f"{given.lower()}.{n}@example.org"],
            "identifiers": [{"scheme": "orcid", "value": _orcid(rng)}],
            "affiliations": [{"name": f"Institute {rng.randint(1, 50)}", "country": "RU"}],
        })
    references = []
    for position in range(1, n_refs + 1):
        ref: dict[str, Any] = {
            "position": position,
            "raw": f"Author {position}. ({2000 + position}). Title {n}-{position}. Journal "
                   f"{position % 7}, {position}(2), 1-10.",
            "year": str(2000 + position), "title": f"Title {n}-{position}",
        }
        if position <= n_doi_refs:
            ref["doi"] = {"scheme": "doi", "value": f"10.5555/ref.{n}.{position}"}
            ref["raw"] += f" https://doi.org/10.5555/ref.{n}.{position}"
        references.append(ref)
    return {
        "format": "ld-publish/1",
        "key": doi,
        "type": "journal-article",
        "title": {"value": f"Synthetic article number {n} on cross-border regions", "lang": "en"},
        "abstracts": [{"value": "An abstract. " * 40, "lang": "en"}],
        "language": "en",
        "contributors": authors,
        "container": {"title": "Journal of Benchmarks", "type": "journal",
                      "identifiers": [{"scheme": "issn", "value": "2049-3630"}]},
        "volume": str(1 + n % 30), "issue": str(1 + n % 4),
        "pages": {"text": "1-20", "first": "1", "last": "20"},
        "identifiers": [{"scheme": "doi", "value": doi}],
        "dates": [{"kind": "published", "value": "2024-05-01"},
                  {"kind": "received", "value": "2023-12-01T10:00:00"}],
        "funding": [{"statement": "Supported by grant 1.", "awards": [{"number": f"G-{n}"}]}],
        "references": references,
        "related": [{"relation": "see-also", "citation": f"Related {n}-{i}", "title": f"R {i}"}
                    for i in range(1, n_related + 1)],
    }


def generate(path: Path, count: int, seed: int = 7, size: str = "rich") -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps(synthetic_record(n, rng, size), ensure_ascii=False) + "\n")


def second_copy(record: dict[str, Any], n: int) -> dict[str, Any]:
    """Another description of the work of ``record``: the same fields and keywords, which
    the merged record takes from this one."""
    return {**record, "keywords": [{"value": f"topic {n % 97}", "lang": "en"},
                                   {"value": "cross-border regions", "lang": "en"}]}


def generate_copy(path: Path, count: int, seed: int = 7, size: str = "rich",
                  shuffle: bool = False) -> None:
    """The works of :func:`generate` (same seed) described again (:func:`second_copy`), in
    input order or shuffled."""
    rng = random.Random(seed)
    if not shuffle:
        with path.open("w", encoding="utf-8") as handle:
            for n in range(count):
                record = second_copy(synthetic_record(n, rng, size), n)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    # The records draw from one generator, so they are made in order, into a scratch file,
    # and copied out shuffled by offset. Not held in memory: the measured export's peak RSS
    # includes what this process holds when it starts the export (a child's maxrss counts
    # its parent's pages until exec), ~2 KB a record.
    scratch = path.with_suffix(".ordered")
    offsets = []
    with scratch.open("wb") as handle:
        for n in range(count):
            offsets.append(handle.tell())
            record = second_copy(synthetic_record(n, rng, size), n)
            handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        offsets.append(handle.tell())
    order = list(range(count))
    random.Random(seed + 1).shuffle(order)
    with scratch.open("rb") as ordered, path.open("wb") as handle:
        for n in order:
            ordered.seek(offsets[n])
            handle.write(ordered.read(offsets[n + 1] - offsets[n]))
    scratch.unlink()


def run(count: int, workers: int, engine: str, size: str, folder: str,
        to: str = "turtle,jsonld", dataset: str = "nq", copies: str = "") -> dict[str, Any]:
    """One measured export into ``folder`` (a fresh folder; the caller removes it later).
    ``copies``: "" (each work once), "same" or "shuffled" (each work in two files, see
    ``--merge-copies``)."""
    source = Path(folder) / "records.jsonl"
    generate(source, count, size=size)
    sources = [str(source)]
    if copies:
        sources.append(str(Path(folder) / "copy.jsonl"))
        generate_copy(Path(sources[1]), count, size=size, shuffle=copies == "shuffled")
    out = Path(folder) / "out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ld_publish", "export", *sources, "-o",
                    str(out), "-q", "--workers", str(workers), "--engine", engine, "--to", to,
                    "--dataset", dataset],
                   check=True)
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    report = json.loads((out / "report.json").read_text())
    opener = gzip.open if dataset == "nq.gz" else open
    with opener(out / f"dataset.{dataset}", "rb") as quads:
        triples = sum(1 for _ in quads)
    return {"records": report["read"], "size": size, "triples": triples,
            "triples_per_s": round(triples / elapsed), "seconds": round(elapsed, 2),
            "records_per_s": round(report["read"] / elapsed), "written": report["written"],
            "quarantined": report["quarantined"], "merged": report["merged"],
            "peak_rss_mib": round(max(peak_kib, before) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[1000, 20000])
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    parser.add_argument("--engine", default="fast", choices=["fast", "pyshacl"])
    parser.add_argument("--size", choices=[*SIZES, "both"], default="both")
    parser.add_argument("--to", default="turtle,jsonld", help="formats of the record files")
    parser.add_argument("--dataset", default="nq", choices=["nq", "nq.gz"],
                        help="nq.gz for runs whose dataset.nq would not fit on the disk "
                             "(1,000,000 compact records: ~38 GB)")
    parser.add_argument("--dir", default="output", help="where the runs write (default output/)")
    parser.add_argument("--merge-copies", action="store_true",
                        help="describe each of the N works twice, in two files: N merges")
    parser.add_argument("--shuffle-copy", action="store_true",
                        help="with --merge-copies: the second copy in another order")
    args = parser.parse_args()
    sizes = list(SIZES) if args.size == "both" else [args.size]
    # Under output/ by default: where users write, on the project's disk. Every run writes
    # into its own fresh folder and all are removed only at the end: on ext4 without a
    # journal (this machine) creating files right after deleting many costs the kernel up to
    # 0.5 ms more per file while it skips recently freed inodes, and a benchmark should not
    # measure its own clean-up. (/tmp here also creates files ~15x slower than the project
    # disk.)
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="bench-", dir=args.dir)
    try:
        _table(args, sizes, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _table(args: argparse.Namespace, sizes: list[str], scratch: str) -> None:
    copies = ("shuffled" if args.shuffle_copy else "same") if args.merge_copies else ""
    print("| record size | records | triples/record | seconds | records/s | triples/s "
          "| written | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        for count in args.counts:
            # Each run in its own interpreter so one run's peak memory cannot hide another's.
            folder = Path(scratch) / f"{size}-{count}"
            folder.mkdir()
            result = json.loads(subprocess.run(
                [sys.executable, __file__, "--one", str(count), str(args.workers), args.engine,
                 size, str(folder), args.to, args.dataset, copies], check=True,
                capture_output=True, text=True).stdout)
            # With --merge-copies, "records" are the records read (2N) and "written" says
            # how many were merged into the N written.
            written = f"{result['written']:,}"
            if result["merged"]:
                written += f" (+{result['merged']:,} merged)"
            print(f"| {size} | {result['records']:,} "
                  f"| {result['triples'] // max(result['written'], 1)} "
                  f"| {result['seconds']} | {result['records_per_s']:,} "
                  f"| {result['triples_per_s']:,} | {written} "
                  f"| {result['peak_rss_mib']} |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 10 and sys.argv[1] == "--one":
        print(json.dumps(run(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5],
                             sys.argv[6], sys.argv[7], sys.argv[8], sys.argv[9])))
    else:
        main()
