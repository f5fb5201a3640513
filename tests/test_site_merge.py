"""``site`` of one work from several sources: the merged record is the one published.

The real Crossref JSON and BibTeX entry of 10.7554/elife.01567 (tests/fixtures/corpus, as
test_merge_export.py uses them): the BibTeX entry, read first, is published while the records
stream; at their end its page, its nodes, the dump and the run-wide files are made the merged
record's (ld_publish/site/merging.py).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib.compare import isomorphic

from ld_publish.layout import file_name
from ld_publish.mapping.iris import segment
from tests.test_merge_export import (
    BIB,
    BIB_URL,
    CITO,
    CROSSREF,
    CROSSREF_URL,
    KEY,
    SCHEMA,
    WORK,
    _native,
    cli,
    export,
    folder_bytes,
    inputs_with_two_merges,
)

BASE = "https://journal.example/ld/"
TITLE = "Merge test"
PAGE = "work/10.7554/elife.01567"  # the page's path; its IRI is {BASE}{PAGE_KEY}
PAGE_KEY = f"work/{segment(KEY)}"


def site(out: Path, *inputs: Path | str, options: tuple[str, ...] = ()) -> dict[str, Any]:
    result = cli("site", *map(str, inputs), "-o", str(out), "--base", BASE, "--title", TITLE,
                 *options)
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads((out / "report.json").read_text("utf-8"))
    report["stderr"] = result.stderr
    return report


def page_graph(out: Path, ext: str = ".ttl") -> rdflib.Graph:
    return rdflib.Graph().parse(out / (PAGE + ext),
                                format="turtle" if ext == ".ttl" else "json-ld")


def test_the_page_of_a_work_from_two_sources_is_the_merged_record(tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = site(out, BIB, CROSSREF)
    assert f"merged {CROSSREF} #1 into {BIB}:1 #1 ({KEY})" in report["stderr"]
    assert "1 records merged" in report["stderr"]
    assert (report["read"], report["published"], report["quarantined"], report["merged"]) == (
        2, 1, 0, 1)
    (merge,) = report["merges"]
    assert merge["status"] == "published" and merge["path"] == PAGE
    assert merge["sources"] == [f"{BIB}:1 #1", f"{CROSSREF} #1"]
    assert {"abstracts", "references", "contributors"} <= set(merge["taken"][f"{CROSSREF} #1"])

    # The landing page: the BibTeX entry's URL, Crossref's abstract, references, affiliations
    # and funding.
    html = (out / (PAGE + ".html")).read_text("utf-8")
    assert "lookup/doi/10.7554/eLife.01567" in html
    assert 'id="abstract"' in html and 'id="references"' in html and 'id="funding"' in html
    assert html.count('name="citation_reference"') == 27
    assert html.count('name="citation_author_institution"') >= 5

    # The documents at the page are export's merged record, byte for byte (same base), and
    # the dump holds that graph alone: the first record's is gone.
    exported = tmp_path / "export"
    export(exported, BIB, CROSSREF, options=("--base", BASE, "-q"))
    for ext in ("ttl", "jsonld"):
        assert (out / f"{PAGE}.{ext}").read_bytes() == (
            exported / "records" / f"{file_name(KEY)}.{ext}").read_bytes()
    assert gzip.decompress((out / "dataset.nq.gz").read_bytes()) == (
        exported / "dataset.nq").read_bytes()
    graph = page_graph(out)
    assert isomorphic(graph, page_graph(out, ".jsonld"))
    assert set(graph.objects(WORK, SCHEMA.url)) == {BIB_URL}
    assert len(set(graph.objects(WORK, CITO.cites))) == 27
    # The front page lists the work once; VoID counts the merged graph's quads.
    assert (out / "index.html").read_text("utf-8").count(f'href="{BASE}{PAGE_KEY}"') == 1
    void = rdflib.Graph().parse(out / "void.ttl", format="turtle")
    triples = void.value(rdflib.URIRef(BASE + "dataset"),
                         rdflib.URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) == len((exported / "dataset.nq").read_bytes().splitlines())


def test_a_merged_site_is_the_site_of_the_merged_graph_published_alone(tmp_path: Path
                                                                       ) -> None:
    """Every file (page, nodes minted in the record, shared nodes, VoID, index, sitemap,
    server configuration, manifest) is what publishing the merged graph directly gives: the
    first record's graph was taken back out of everything."""
    from ld_publish.merge import merge
    from ld_publish.model import Work
    from ld_publish.pipeline import Options, process_work, read_records
    from ld_publish.site.build import SiteOptions, _Build
    from ld_publish.site.output import SiteWriter
    from ld_publish.site.paths import Manifest

    out = tmp_path / "site"
    site(out, BIB, CROSSREF, options=("-q",))
    works = [w for w in read_records([str(BIB), str(CROSSREF)]) if isinstance(w, Work)]
    merged = process_work(merge(works).work,
                          Options(base=BASE, formats=(), keep_graph=True)).graph
    assert merged is not None
    direct = tmp_path / "direct"
    direct.mkdir()
    build = _Build(direct, BASE, SiteOptions(TITLE), SiteWriter(
        direct, None, Manifest(BASE, title=TITLE)))
    assert build.record(merged)
    build.writer.manifest.merged.add(PAGE_KEY)  # (what the merge phase notes for rebuilds)
    build.finish()
    ours, theirs = folder_bytes(out), folder_bytes(direct)
    for name in ("report.json", "dataset.nq.gz", ".ld-publish.lock"):
        ours.pop(name, None)
        theirs.pop(name, None)
    assert set(ours) == set(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []
    # The BibTeX entry's own nodes (none of the merged graph's) are not left behind.
    assert len(ours) > 400


def test_a_merged_site_is_the_same_bytes_in_every_run_and_a_rebuild_writes_nothing(
        tmp_path: Path) -> None:
    runs = [tmp_path / "a", tmp_path / "b"]
    for out, workers in zip(runs, ("1", "2"), strict=True):
        site(out, BIB, CROSSREF, options=("-q", "-j", workers))
    first = folder_bytes(runs[0])
    assert folder_bytes(runs[1]) == first
    assert json.loads(first["site.json"])["merged"] == [PAGE_KEY]
    before = {name: (runs[0] / name).stat().st_mtime_ns for name in first}
    again = site(runs[0], BIB, CROSSREF)
    assert " 0 written" in again["stderr"] and " 0 removed" in again["stderr"]
    assert folder_bytes(runs[0]) == first
    assert {name: (runs[0] / name).stat().st_mtime_ns for name in first} == before
    # Without the second source, the rebuild is the BibTeX entry's site, as if built afresh.
    site(runs[0], BIB, options=("-q",))
    site(tmp_path / "alone", BIB, options=("-q",))
    assert folder_bytes(runs[0]) == folder_bytes(tmp_path / "alone")


def test_prefer_on_site_flips_the_fields_both_sources_have(tmp_path: Path) -> None:
    site(tmp_path / "plain", CROSSREF, BIB, options=("-q",))
    assert set(page_graph(tmp_path / "plain").objects(WORK, SCHEMA.url)) == {CROSSREF_URL}
    report = site(tmp_path / "preferred", CROSSREF, BIB, options=("-q", "--prefer", "bibtex"))
    graph = page_graph(tmp_path / "preferred")
    assert set(graph.objects(WORK, SCHEMA.url)) == {BIB_URL}
    assert len(set(graph.objects(WORK, CITO.cites))) == 27  # the BibTeX entry has none
    assert "url" in report["merges"][0]["taken"][f"{BIB}:1 #1"]
    html = (tmp_path / "preferred" / (PAGE + ".html")).read_text("utf-8")
    assert "lookup/doi/10.7554/eLife.01567" in html
    result = cli("site", str(BIB), "-o", str(tmp_path / "bad"), "--base", BASE,
                 "--prefer", "nope")
    assert result.returncode == 2 and "unknown reader 'nope'" in result.stderr
    assert not (tmp_path / "bad").exists()


def test_a_merge_that_breaks_the_shapes_leaves_the_first_record_published(
        tmp_path: Path) -> None:
    received = _native(tmp_path / "received.json", [{"kind": "received", "value": "2020-05-01"}])
    accepted = _native(tmp_path / "accepted.json", [{"kind": "accepted", "value": "2019-01-01"}])
    site(tmp_path / "alone", received, options=("-q",))
    report = site(tmp_path / "site", received, accepted, options=("-q",))
    assert (report["read"], report["published"], report["quarantined"], report["merged"]) == (
        2, 1, 0, 1)
    (merge,) = report["merges"]
    assert merge["status"] == "quarantined" and merge["violations"]
    assert any("dates" in v["field"] for v in merge["violations"])
    ours, alone = folder_bytes(tmp_path / "site"), folder_bytes(tmp_path / "alone")
    ours.pop("report.json")
    alone.pop("report.json")
    assert ours == alone


def test_a_cluster_site_with_merges_is_the_local_site_byte_for_byte(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    inputs = inputs_with_two_merges(tmp_path)
    local = site(tmp_path / "local", *inputs, options=("-q",))
    assert (local["merged"], [m["status"] for m in local["merges"]]) == (
        2, ["published", "published"])
    cluster = site(tmp_path / "cluster", *inputs, options=(
        "-q", "--cluster", "local:2", "--partition-size", "16K"))
    assert folder_bytes(tmp_path / "cluster") == folder_bytes(tmp_path / "local")
    assert cluster["merges"] == local["merges"]


def test_the_front_page_lists_the_merged_record(tmp_path: Path) -> None:
    """The front-page line is made again from the merged record (here: its authors)."""
    record = {"format": "ld-publish/1", "doi": "10.5555/12345678", "title": "A minimal record",
              "contributors": [{"name": "Josiah Carberry", "given": "Josiah",
                                "family": "Carberry"}]}
    one = tmp_path / "one.json"
    one.write_text(json.dumps(record), "utf-8")
    two = tmp_path / "two.json"
    two.write_text(json.dumps({**record, "contributors": [
        *record["contributors"], {"name": "Ada Quill", "given": "Ada", "family": "Quill"}]}),
        "utf-8")
    site(tmp_path / "alone", one, options=("-q",))
    assert "Ada Quill" not in (tmp_path / "alone" / "index.html").read_text("utf-8")
    report = site(tmp_path / "site", one, two, options=("-q",))
    assert report["merges"][0]["status"] == "published"
    assert "Ada Quill" in (tmp_path / "site" / "index.html").read_text("utf-8")
