"""Load throughput into each store, against `oxigraph load` on the same N-Quads.

    python bench/bench_load.py [--records 10000] [--record-triples 74] [--skip STORE...]
        [--virtuoso-paths ld_dir bulk-dir]

Generates synthetic record graphs (50-100 triples each), loads them into the embedded store, an
Oxigraph server and Virtuoso (each started on loopback in a temporary folder), and prints a
markdown table. A second load of the same records measures the unchanged-hash skip.
"""

from __future__ import annotations

import argparse
import functools
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ld_publish.graph import RecordGraph
from ld_publish.loaders import LoaderOptions, load_graphs, loaders
from ld_publish.loaders.embedded import EmbeddedLoader
from tests.stores import VirtuosoServer, start_oxigraph, start_virtuoso, stop

SCHEMA = "http://schema.org/"
EX = "https://example.org/bench/"


def synthetic(n: int, rng: random.Random, mean: int = 74) -> RecordGraph:
    work = ox.NamedNode(f"{EX}work/{n}")
    triples = [ox.Triple(work, ox.NamedNode(f"{SCHEMA}name"), ox.Literal(f"Title {n} \"q\" 😀")),
               ox.Triple(work, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                         ox.NamedNode(f"{SCHEMA}ScholarlyArticle"))]
    size = rng.randint(48, 98) if mean == 74 else rng.randint(mean * 2 // 3, mean * 4 // 3)
    for i in range(size // 4):
        person = ox.NamedNode(f"{EX}work/{n}/author/{i}")
        triples += [
            ox.Triple(work, ox.NamedNode(f"{SCHEMA}author"), person),
            ox.Triple(person, ox.NamedNode(f"{SCHEMA}name"), ox.Literal(f"Author {i} of {n}")),
            ox.Triple(person, ox.NamedNode(f"{SCHEMA}identifier"),
                      ox.Literal(f"0000-0002-{n:04d}-{i:04d}")),
            ox.Triple(work, ox.NamedNode(f"{SCHEMA}keywords"),
                      ox.Literal(f"keyword {i}", language="en")),
        ]
    return RecordGraph.build(f"bench:{n}", f"{EX}graph/{n}", work.value, triples)


def timed_load(loader_factory, graphs: list[RecordGraph],  # type: ignore[no-untyped-def]
               bulk: bool = False) -> tuple[float, float]:
    loader = loader_factory()
    start = time.monotonic()
    report = load_graphs(graphs, loader, bulk=bulk)
    first = time.monotonic() - start
    assert report.loaded == len(graphs), report.summary()
    start = time.monotonic()
    again = load_graphs(graphs, loader)
    second = time.monotonic() - start
    assert again.unchanged == len(graphs)
    loader.close()
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--record-triples", type=int, default=74,
                        help="mean triples per record (74: the mapping's typical record)")
    parser.add_argument("--skip", nargs="*", default=[], help="stores to leave out")
    parser.add_argument("--virtuoso-paths", nargs="*", default=list(VIRTUOSO_PATHS),
                        choices=list(VIRTUOSO_PATHS),
                        help="Virtuoso rows to run (the staged replace of 10,000 small records "
                             "takes over ten minutes)")
    args = parser.parse_args()
    rng = random.Random(42)
    graphs = [synthetic(n, rng, args.record_triples) for n in range(args.records)]
    triples = sum(len(g) for g in graphs)
    rows: list[tuple[str, float, float | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "data.nq"
        data.write_bytes(b"".join(g.nquads() for g in graphs))
        start = time.monotonic()
        subprocess.run(["oxigraph", "load", "--location", str(work / "cli"), "--file", str(data)],
                       check=True, capture_output=True)
        rows.append(("`oxigraph load` (reference, no replace/hash)", time.monotonic() - start,
                     None))
        if "embedded" not in args.skip:
            start = time.monotonic()
            reference = ox.Store(str(work / "bulk_load"))
            reference.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
            reference.flush()
            del reference
            rows.append(("pyoxigraph `bulk_load` (reference, no replace/hash)",
                         time.monotonic() - start, None))
            t = timed_load(lambda: EmbeddedLoader(work / "embedded"), graphs)
            rows.append(("embedded pyoxigraph", *t))
            t = timed_load(lambda: EmbeddedLoader(work / "embedded-bulk"), graphs, bulk=True)
            rows.append(("embedded pyoxigraph, `--bulk`", *t))
        if "oxigraph" not in args.skip:
            # A fresh server for each variant: after CLEAR ALL, lookups wade through the
            # storage engine's tombstones for a while and the comparison would not be fair.
            server = start_oxigraph(work / "oxiserver-post")
            try:
                start = time.monotonic()
                httpx.post(f"{server.base}/store", content=data.read_bytes(), timeout=600,
                           headers={"Content-Type": "application/n-quads"}).raise_for_status()
                rows.append(("Oxigraph server, one `/store` POST (reference, no replace/hash)",
                             time.monotonic() - start, None))
            finally:
                stop(server.proc)
            for label, bulk in (("Oxigraph server (Update, 64/batch)", False),
                                ("Oxigraph server, `--bulk`", True)):
                server = start_oxigraph(work / f"oxiserver-{bulk}")
                try:
                    opts = LoaderOptions(endpoint=server.base, store_type="oxigraph-server")
                    t = timed_load(functools.partial(loaders.get("sparql"), opts), graphs,
                                   bulk=bulk)
                    rows.append((label, *t))
                finally:
                    stop(server.proc)
        if "virtuoso" not in args.skip:
            rows += bench_virtuoso(work, data, graphs, args.virtuoso_paths)
    print(f"\n{len(graphs)} records, {triples} triples "
          f"({triples / len(graphs):.0f} per record)\n")
    print("| store | load s | triples/s | records/s | reload unchanged s |")
    print("|---|---:|---:|---:|---:|")
    for name, secs, again in rows:
        print(f"| {name} | {secs:.1f} | {triples / secs:,.0f} | {len(graphs) / secs:,.0f} | "
              f"{'-' if again is None else f'{again:.1f}'} |")


#: Virtuoso rows: its own bulk loader on the whole file, then each load path.
VIRTUOSO_PATHS = {
    "ld_dir": "Virtuoso `ld_dir` + `rdf_loader_run` + checkpoint (reference, no replace/hash)",
    "staged": "Virtuoso (staged PUT + `MOVE`, 4 PUTs in flight)",
    "post": "Virtuoso, `--bulk` (Graph Store POSTs, 4 in flight)",
    "bulk-dir": "Virtuoso, `--bulk --bulk-dir` (`ld_dir` per batch, hashes as a second file)",
    "bulk-dir-replace": "Virtuoso, `--bulk --bulk-dir` over changed records (staged by `ld_dir`"
                        " + `MOVE`)",
    "put-replace": "Virtuoso, `--bulk` over changed records (staged by PUTs + `MOVE`)",
}


def bench_virtuoso(work: Path, data: Path, graphs: list[RecordGraph], paths: list[str]
                   ) -> list[tuple[str, float, float | None]]:
    """Virtuoso's own bulk loader on the file, then each load path; a fresh server each."""
    rows: list[tuple[str, float, float | None]] = []
    if "ld_dir" in paths:
        rows.append(bench_ld_dir(work, data))
    for path, bulk, bulk_dir in (("staged", False, False), ("post", True, False),
                                 ("bulk-dir", True, True)):
        if path not in paths:
            continue
        server, opts = virtuoso_with_folder(work, path, bulk_dir)
        try:
            t = timed_load(functools.partial(loaders.get("sparql"), opts), graphs, bulk=bulk)
            rows.append((VIRTUOSO_PATHS[path], *t))
        finally:
            stop(server.proc)
    for path, bulk_dir in (("bulk-dir-replace", True), ("put-replace", False)):
        if path in paths:
            rows.append(bench_replace(work, graphs, path, bulk_dir))
    return rows


def virtuoso_with_folder(work: Path, path: str, bulk_dir: bool
                         ) -> tuple[VirtuosoServer, LoaderOptions]:
    """A fresh Virtuoso for one row, with a folder it may read, and the loader options (the
    folder as --bulk-dir when ``bulk_dir``)."""
    server = start_virtuoso(work / f"virtuoso-{path}")
    folder = server.directory / "bulk"
    folder.mkdir()
    return server, LoaderOptions(endpoint=server.base, store_type="virtuoso", user="dba",
                                 password=server.password, timeout=600,
                                 bulk_dir=str(folder) if bulk_dir else None)


def bench_replace(work: Path, graphs: list[RecordGraph], path: str, bulk_dir: bool
                  ) -> tuple[str, float, float | None]:
    """A bulk load over a store holding an older version of every record: all replaced."""
    server, opts = virtuoso_with_folder(work, path, bulk_dir)
    try:
        loader = loaders.get("sparql")(opts)
        load_graphs(graphs, loader, bulk=True)
        changed = [RecordGraph.from_terms(g.key, g.name, g.root, [
            *g.terms, (f"<{g.root}>", f"<{SCHEMA}version>", '"2"')]) for g in graphs]
        start = time.monotonic()
        report = load_graphs(changed, loader, bulk=True)
        seconds = time.monotonic() - start
        assert report.loaded == len(graphs), report.summary()
        loader.close()
        return VIRTUOSO_PATHS[path], seconds, None
    finally:
        stop(server.proc)


def bench_ld_dir(work: Path, data: Path) -> tuple[str, float, float | None]:
    server = start_virtuoso(work / "virtuoso-ld_dir")
    try:
        # The server may read its own folder only (DirsAllowed), so the file goes there.
        shutil.copy(data, server.directory / "data.nq")
        start = time.monotonic()
        server.isql(f"ld_dir('{server.directory}', 'data.nq', 'urn:bench')")
        server.isql("rdf_loader_run()")
        server.isql("checkpoint")
        return VIRTUOSO_PATHS["ld_dir"], time.monotonic() - start, None
    finally:
        stop(server.proc)


if __name__ == "__main__":
    main()
