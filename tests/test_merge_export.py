"""One work from several sources in one run, end to end: a real Crossref JSON and a real BibTeX
entry of one DOI (10.7554/elife.01567; tests/fixtures/corpus/MANIFEST.md) exported, loaded and
run on a cluster, as users run them (the CLI in subprocesses).

The BibTeX entry is the poorer description (no abstract, references, affiliations, funding or
licences); read first, it used to be the one published and the Crossref record quarantined.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from ld_publish.layout import file_name
from ld_publish.merge_store import SPILL_VARIABLE
from tests.paths import CORPUS

ROOT = Path(__file__).resolve().parent.parent
BIB = CORPUS / "bibtex" / "bolognese_crossref_elife01567.bib"
CROSSREF = CORPUS / "crossref" / "commonmeta-py_crossref_10.7554-elife.01567.json"
KEY = "10.7554/elife.01567"
WORK = URIRef("https://doi.org/10.7554/elife.01567")
GRAPH = URIRef("https://ld-publish.example/graph/10.7554%2Felife.01567")
BIB_URL = URIRef("http://elifesciences.org/lookup/doi/10.7554/eLife.01567")
CROSSREF_URL = URIRef("https://elifesciences.org/articles/01567")

SCHEMA = rdflib.Namespace("http://schema.org/")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
CITO = rdflib.Namespace("http://purl.org/spar/cito/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "ld_publish", *args], capture_output=True,
                            text=True, timeout=600, cwd=ROOT, input=stdin,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def export(out: Path, *inputs: Path | str, options: tuple[str, ...] = (),
           env: dict[str, str] | None = None) -> dict[str, Any]:
    result = cli("export", *map(str, inputs), "-o", str(out), *options, env=env)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads((out / "report.json").read_text("utf-8"))
    report["stderr"] = result.stderr
    return report


def turtle(out: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(out / "records" / f"{file_name(KEY)}.ttl", format="turtle")


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_the_poorer_first_description_gains_the_richer_fields_of_the_second(
        tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = export(out, BIB, CROSSREF, options=("--strict",))  # a merge is no failure
    assert "1 records merged" in report["stderr"]
    assert "not published" not in report["stderr"]
    assert f"merged {CROSSREF} #1 into {BIB}:1 #1" in report["stderr"]
    assert (report["read"], report["written"], report["quarantined"], report["merged"]) == (
        2, 1, 0, 1)
    assert report["balanced"]
    first, later = report["records"]
    assert first["status"] == "written" and later["status"] == "merged"
    assert later["into"] == f"{BIB}:1 #1"

    graph = turtle(out)
    # From Crossref: the abstract, the 27 references, the authors' affiliations, the funders,
    # the licence, the received and accepted dates.
    assert graph.value(WORK, DCTERMS.abstract) is not None
    assert len(set(graph.objects(WORK, CITO.cites))) == 27
    authors = set(graph.objects(WORK, SCHEMA.author))
    assert len(authors) == 5 and all(graph.value(a, SCHEMA.affiliation) for a in authors)
    assert graph.value(WORK, SCHEMA.funder) is not None
    assert graph.value(WORK, SCHEMA.license) is not None
    assert graph.value(WORK, DCTERMS.dateAccepted) == Literal(
        "2013-12-24", datatype=rdflib.XSD.date)
    # From the BibTeX entry, read first: the URL (both have one: the earlier wins a tie).
    assert set(graph.objects(WORK, SCHEMA.url)) == {BIB_URL}
    # Both sources in the provenance, each with its reader.
    derived = set(graph.objects(GRAPH, PROV.wasDerivedFrom))
    assert len(derived) == 2
    comments = {str(graph.value(graph.value(d, DCTERMS.isPartOf), rdflib.RDFS.comment))
                for d in derived}
    assert comments == {"read by the ld-publish bibtex reader",
                        "read by the ld-publish crossref reader"}
    titles = {str(graph.value(graph.value(d, DCTERMS.isPartOf), DCTERMS.title))
              for d in derived}
    assert titles == {BIB.name, CROSSREF.name}
    assert set(graph.objects(graph.value(GRAPH, PROV.wasGeneratedBy), PROV.used)) == derived

    # dataset.nq holds the same merged graph, once.
    dataset = rdflib.Dataset()
    dataset.parse(out / "dataset.nq", format="nquads")
    named = [g for g in dataset.graphs() if len(g)]
    assert [g.identifier for g in named] == [GRAPH]
    assert isomorphic(named[0], graph)
    assert set(folder_bytes(out / "records")) == {f"{file_name(KEY)}.ttl",
                                                 f"{file_name(KEY)}.jsonld"}
    assert not (out / "quarantine").exists() or not any((out / "quarantine").iterdir())

    # The report says what came from where.
    (merge,) = report["merges"]
    assert merge["key"] == KEY and merge["status"] == "written"
    assert merge["sources"] == [f"{BIB}:1 #1", f"{CROSSREF} #1"]
    assert merge["files"] == [f"records/{file_name(KEY)}.ttl",
                              f"records/{file_name(KEY)}.jsonld"]
    taken = merge["taken"]
    assert {"title", "url", "publisher", "volume"} <= set(taken[f"{BIB}:1 #1"])
    assert {"abstracts", "contributors", "references", "funding", "licenses", "dates",
            "container"} <= set(taken[f"{CROSSREF} #1"])
    assert not set(taken[f"{BIB}:1 #1"]) & set(taken[f"{CROSSREF} #1"]) - {"identifiers"}


def test_prefer_flips_the_fields_both_sources_have(tmp_path: Path) -> None:
    plain = export(tmp_path / "plain", CROSSREF, BIB)
    graph = turtle(tmp_path / "plain")
    assert set(graph.objects(WORK, SCHEMA.url)) == {CROSSREF_URL}
    assert "url" in plain["merges"][0]["taken"][f"{CROSSREF} #1"]

    preferred = export(tmp_path / "preferred", CROSSREF, BIB, options=("--prefer", "bibtex"))
    graph = turtle(tmp_path / "preferred")
    assert set(graph.objects(WORK, SCHEMA.url)) == {BIB_URL}
    publisher = graph.value(WORK, SCHEMA.publisher)
    assert str(graph.value(publisher, SCHEMA.name)) == "eLife Sciences Organisation, Ltd."
    # What the BibTeX entry lacks still comes from Crossref.
    assert len(set(graph.objects(WORK, CITO.cites))) == 27
    taken = preferred["merges"][0]["taken"]
    assert "url" in taken[f"{BIB}:1 #1"] and "references" in taken[f"{CROSSREF} #1"]


def test_merged_output_is_the_same_bytes_in_every_run(tmp_path: Path) -> None:
    runs = [tmp_path / "a", tmp_path / "b", tmp_path / "c"]
    for out, workers in zip(runs, ("1", "1", "2"), strict=True):
        export(out, BIB, CROSSREF, options=("-j", workers, "-q"))
    first = folder_bytes(runs[0])
    assert first[f"records/{file_name(KEY)}.ttl"]
    for out in runs[1:]:
        assert folder_bytes(out) == first


def test_a_key_repeated_within_one_source_is_still_a_quarantined_duplicate(
        tmp_path: Path) -> None:
    text = BIB.read_text("utf-8")
    twice = tmp_path / "twice.bib"
    twice.write_text(text + "\n" + text.replace("Sankar_2014", "Sankar_2014_again"), "utf-8")
    out = tmp_path / "out"
    report = export(out, twice, CROSSREF)
    assert (report["read"], report["written"], report["quarantined"], report["merged"]) == (
        3, 1, 1, 1)
    first, again, crossref = report["records"]
    assert first["status"] == "written"
    assert again["status"] == "quarantined" and f"same key {KEY!r}" in again["reason"]
    assert crossref["status"] == "merged"
    assert report["merges"][0]["sources"] == [f"{twice}:1 #1", f"{CROSSREF} #1"]


def test_an_unknown_prefer_reader_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("export", str(BIB), "-o", str(tmp_path / "out"), "--prefer", "bibtex,nope")
    assert result.returncode == 2
    assert "unknown reader 'nope'" in result.stderr
    assert not (tmp_path / "out" / "report.json").exists()


def _store_graph(store: Path) -> rdflib.Graph:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    result = cli("query", "--store", str(store), "--format", "ntriples", query)
    assert result.returncode == 0, result.stderr
    return rdflib.Graph().parse(data=result.stdout, format="nt")


def test_load_ends_with_the_merged_graph_in_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = cli("load", str(BIB), str(CROSSREF), "--store", str(store),
                 "--quarantine", str(tmp_path / "q"))
    assert result.returncode == 0, result.stderr
    assert "+ merged 1" in result.stderr
    loaded = _store_graph(store)
    export(tmp_path / "out", BIB, CROSSREF)
    assert isomorphic(loaded, turtle(tmp_path / "out"))
    assert len(set(loaded.objects(GRAPH, PROV.wasDerivedFrom))) == 2
    # Loading again changes nothing that lasts: the store ends with the merged graph.
    result = cli("load", str(BIB), str(CROSSREF), "--store", str(store),
                 "--quarantine", str(tmp_path / "q"), "--prefer", "crossref")
    assert result.returncode == 0, result.stderr
    again = _store_graph(store)
    assert set(again.objects(WORK, SCHEMA.url)) == {CROSSREF_URL}
    assert len(set(again.objects(WORK, CITO.cites))) == 27


def inputs_with_two_merges(tmp_path: Path) -> list[str]:
    """The real BibTeX + Crossref pair and 80 synthetic records, one of them described again
    in a file of its own: two merges (shared by the cluster tests of export and site)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_export import synthetic_record

    rng = random.Random(7)
    records = [synthetic_record(n, rng, "compact") for n in range(80)]
    # A second description of a record of the big file, in its own file: merged.
    again = {**records[10], "title": {"value": "Another title", "lang": "en"},
             "abstracts": [{"value": "A longer abstract than the first record has."}]}
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    (folder / "again.json").write_text(json.dumps(again), "utf-8")
    inputs = [str(BIB), str(folder / "big.jsonl"), str(CROSSREF), str(folder / "again.json")]
    return inputs


def test_a_cluster_run_with_merges_writes_what_a_local_run_writes(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    inputs = inputs_with_two_merges(tmp_path)
    local = tmp_path / "local"
    local_report = export(local, *inputs, options=("-q",))
    assert (local_report["merged"], len(local_report["merges"])) == (2, 2)
    out = tmp_path / "cluster"
    # The records to merge on disk from the first (the local run keeps them in memory).
    cluster_report = export(out, *inputs, options=("-q", "--cluster", "local:2",
                                                   "--partition-size", "16K"),
                            env={SPILL_VARIABLE: "0"})
    assert folder_bytes(out) == folder_bytes(local)
    assert cluster_report["merges"] == local_report["merges"]


def _native(path: Path, dates: list[dict[str, str]]) -> Path:
    path.write_text(json.dumps({
        "format": "ld-publish/1", "doi": "10.5555/12345678", "title": "A minimal record",
        "contributors": [{"name": "Josiah Carberry", "given": "Josiah", "family": "Carberry"}],
        "dates": dates}), "utf-8")
    return path


def test_a_merge_that_breaks_the_shapes_leaves_the_first_record_published(
        tmp_path: Path) -> None:
    # Each valid alone; united, the work is accepted before it was received.
    received = _native(tmp_path / "received.json", [{"kind": "received", "value": "2020-05-01"}])
    accepted = _native(tmp_path / "accepted.json", [{"kind": "accepted", "value": "2019-01-01"}])
    alone = export(tmp_path / "alone", received)
    out = tmp_path / "out"
    report = export(out, received, accepted)
    assert (report["read"], report["written"], report["quarantined"], report["merged"]) == (
        2, 1, 0, 1)
    (merge,) = report["merges"]
    assert merge["status"] == "quarantined" and merge["violations"]
    assert any("dates" in v["field"] for v in merge["violations"])
    assert json.loads((out / merge["file"]).read_text("utf-8"))["key"] == "10.5555/12345678"
    # The first record's graph stays, in records/ and dataset.nq, as if it were alone.
    name = f"records/{file_name('10.5555/12345678')}.ttl"
    assert (out / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()
    assert (out / "dataset.nq").read_bytes() == (tmp_path / "alone" / "dataset.nq").read_bytes()
    assert alone["written"] == 1

    store = tmp_path / "store"
    result = cli("load", str(received), str(accepted), "--store", str(store),
                 "--quarantine", str(tmp_path / "q"))
    assert result.returncode == 0, result.stderr
    assert "read 2 = loaded 1 + unchanged 0 + quarantined 0 + merged 1" in result.stderr
    assert "quarantined the merge of 10.5555/12345678" in result.stderr
    assert len(list((tmp_path / "q").iterdir())) == 1


def test_the_records_read_again_are_the_records_the_run_read(tmp_path: Path) -> None:
    from ld_publish.model import Work
    from ld_publish.pipeline import read_records, records_at

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_export import synthetic_record

    rng = random.Random(3)
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps(synthetic_record(n, rng, "compact")) + "\n"
                           for n in range(50)), "utf-8")
    inputs = [str(BIB), str(big), str(CROSSREF)]
    works = [w for w in read_records(inputs) if isinstance(w, Work)]
    wanted = {(w.source.path, w.source.line, w.source.position): w for w in works[::7]}
    missing = (str(big), 999, 999)
    assert records_at(inputs, None, [*wanted, missing]) == wanted


def test_a_gzipped_dataset_holds_the_merged_graph_too(tmp_path: Path) -> None:
    import gzip

    export(tmp_path / "plain", BIB, CROSSREF, options=("-q",))
    for run in ("a", "b"):
        export(tmp_path / run, BIB, CROSSREF, options=("-q", "--dataset", "nq.gz"))
    packed = (tmp_path / "a" / "dataset.nq.gz").read_bytes()
    assert packed == (tmp_path / "b" / "dataset.nq.gz").read_bytes()  # the same bytes
    assert gzip.decompress(packed) == (tmp_path / "plain" / "dataset.nq").read_bytes()
    assert not (tmp_path / "a" / "dataset.nq").exists()


def test_strict_fails_a_run_whose_merged_record_was_not_published(tmp_path: Path) -> None:
    # The first record stays published, but what the sources say together was refused: as
    # with a quarantined record, --strict makes that exit 1, in export, load and site alike.
    received = _native(tmp_path / "received.json", [{"kind": "received", "value": "2020-05-01"}])
    accepted = _native(tmp_path / "accepted.json", [{"kind": "accepted", "value": "2019-01-01"}])
    inputs = (str(received), str(accepted))
    runs = {
        "export": ("export", *inputs, "-o", str(tmp_path / "out")),
        "load": ("load", *inputs, "--store", str(tmp_path / "store"),
                 "--quarantine", str(tmp_path / "q")),
        "site": ("site", *inputs, "-o", str(tmp_path / "site"), "--base",
                 "https://journal.example/ld/", "--title", "Strict"),
    }
    for command, args in runs.items():
        lenient = cli(*args)
        assert lenient.returncode == 0, (command, lenient.stderr)
        assert "(1 merges not published)" in lenient.stderr, (command, lenient.stderr)
        strict = cli(*args, "--strict")
        assert strict.returncode == 1, (command, strict.stderr)
        assert "(1 merges not published)" in strict.stderr, (command, strict.stderr)
