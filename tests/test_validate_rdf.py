"""``ld-publish validate`` on RDF as published: every serialisation an export writes (and TriG),
told by extension and content, each named graph of a dataset checked on its own; added and
replacing shapes; exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner, Result

from ld_publish.cli import main

from .paths import CORPUS, FIXTURES

SEED = FIXTURES / "page" / "seed.txt"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    inputs = [str(SEED), str(CORPUS / "crossref"), str(CORPUS / "jats")]
    result = run("export", *inputs, "-o", str(out), "-q", "-t", "turtle,jsonld,ntriples")
    assert result.exit_code == 0, result.output
    return out


def _one(out: Path, extension: str) -> Path:
    return sorted((out / "records").glob(f"*.{extension}"))[0]


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "nt"])
def test_each_exported_document_validates_as_published(exported: Path, extension: str) -> None:
    result = run("validate", str(_one(exported, extension)), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totals"]["records"] == 1 and report["conforms"] is True


def test_a_dataset_is_checked_graph_by_graph(exported: Path) -> None:
    result = run("validate", str(exported / "dataset.nq"), "--format", "json")
    assert result.exit_code == 0, result.output
    keys = [r["key"] for r in json.loads(result.stdout)["records"]]
    assert len(keys) == 4 and all(k.startswith("https://ld-publish.example/graph/") for k in keys)


def test_trig_and_content_detection(exported: Path, tmp_path: Path) -> None:
    quads = list(ox.parse(path=str(exported / "dataset.nq"), format=ox.RdfFormat.N_QUADS))
    trig = tmp_path / "dataset.trig"
    trig.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG) or b"")
    # N-Quads with no telling extension: told by its first line.
    anonymous = tmp_path / "dump"
    anonymous.write_bytes((exported / "dataset.nq").read_bytes())
    result = run("validate", str(trig), str(anonymous), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["records"] == 8


def test_a_broken_graph_exits_1_and_names_the_field(exported: Path, tmp_path: Path) -> None:
    graph = rdflib.Graph().parse(_one(exported, "ttl"), format="turtle")
    work = next(graph.subjects(rdflib.URIRef("http://prismstandard.org/namespaces/basic/2.0/doi"),
                               None))
    graph.remove((work, rdflib.URIRef("http://purl.org/dc/terms/title"), None))
    graph.remove((work, rdflib.URIRef("http://schema.org/name"), None))
    graph.remove((work, rdflib.URIRef("http://schema.org/headline"), None))
    broken = tmp_path / "broken.ttl"
    graph.serialize(broken, format="turtle")
    result = run("validate", str(broken))
    assert result.exit_code == 1, result.output
    assert "title: the work has no title" in result.stdout
    turtle = run("validate", str(broken), "--format", "turtle")
    report = rdflib.Graph().parse(data=turtle.stdout, format="turtle")
    [root] = report.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert report.value(root, SH.conforms) == rdflib.Literal(False)
    assert any(report.value(r, SH.focusNode) == work for r in report.objects(root, SH.result))


@pytest.mark.parametrize("name, content", [
    ("bad.ttl", b"@prefix ex: <http://example.org/> .\nex:a ex:b ."),
    ("bad.nt", b"<http://a> <http://b> \"unterminated .\n"),
    ("bad.jsonld", b'{"@context": {"@vocab": "http://schema.org/"}, "@id": "http://a", '
                   b'"name": '),
    ("scattered.nq", b"<http://a> <http://b> <http://c> <http://g> .\n<http://a> <http://b> "
                  b"<http://d> <http://h> .\n<http://a> <http://b> <http://e> <http://g> .\n"),
])
def test_unreadable_rdf_exits_2_naming_the_file(tmp_path: Path, name: str,
                                                content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("validate", str(path))
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr
    assert "Traceback" not in result.output


def test_json_ld_with_a_remote_context_is_a_record_not_rdf() -> None:
    # Schema.org JSON-LD pointing at https://schema.org: the schema-org reader's, nothing fetched.
    record = CORPUS / "schema-org" / "bolognese_schema_org_blogposting_10.5438-4k3m-nyvg.jsonld"
    result = run("validate", str(record), "--format", "json")
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)["records"]
    assert entry["key"] == "10.5438/4k3m-nyvg"


def test_from_names_an_rdf_format(exported: Path, tmp_path: Path) -> None:
    copy = tmp_path / "record.data"
    copy.write_bytes(_one(exported, "ttl").read_bytes())
    assert run("validate", str(copy)).exit_code == 0  # told Turtle by its first line
    assert run("validate", "--from", "turtle", str(copy)).exit_code == 0
    wrong = run("validate", "--from", "ntriples", str(copy))
    assert wrong.exit_code == 2 and "not valid N-Triples" in wrong.stderr


def test_added_shapes_and_replaced_shapes(exported: Path, tmp_path: Path) -> None:
    strict = tmp_path / "strict.ttl"
    strict.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/shapes#> .
        @prefix schema: <http://schema.org/> .
        ex:TwoAbstracts a sh:NodeShape ; sh:targetClass schema:ScholarlyArticle ;
            sh:property ex:TwoAbstracts-count .
        ex:TwoAbstracts-count sh:path schema:abstract ; sh:minCount 2 ;
            sh:message "we want an abstract in two languages" .
    """, encoding="utf-8")
    lenient = tmp_path / "lenient.ttl"
    lenient.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/shapes#> .
        ex:Nothing a sh:NodeShape ; sh:targetNode ex:nothing ; sh:minLength 1 .
    """, encoding="utf-8")
    record = str(_one(exported, "ttl"))
    added = run("validate", record, "--shapes", str(strict))
    assert added.exit_code == 1 and "abstract in two languages" in added.stdout
    broken = tmp_path / "no-title.ttl"
    graph = rdflib.Graph().parse(record, format="turtle")
    graph.remove((None, rdflib.URIRef("http://purl.org/dc/terms/title"), None))
    graph.serialize(broken, format="turtle")
    assert run("validate", str(broken)).exit_code == 1
    assert run("validate", str(broken), "--shapes", str(lenient),
               "--replace-shapes").exit_code == 0
    assert run("validate", str(broken), "--replace-shapes").exit_code == 2


def test_shapes_the_fast_engine_cannot_run_fall_back_to_pyshacl(exported: Path,
                                                                tmp_path: Path) -> None:
    xone = tmp_path / "xone.ttl"
    xone.write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/shapes#> .
        @prefix schema: <http://schema.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:OneKind a sh:NodeShape ; sh:targetClass schema:ScholarlyArticle ;
            sh:xone ( [ sh:path schema:headline ; sh:minCount 1 ]
                      [ sh:path schema:abstract ; sh:minCount 1 ] ) ;
            sh:message "a headline or an abstract, not both" .
    """, encoding="utf-8")
    result = run("validate", str(_one(exported, "ttl")), "--shapes", str(xone),
                 "--replace-shapes")
    assert result.exit_code == 1, result.output
    assert "a headline or an abstract, not both" in result.stdout
    assert run("validate", str(_one(exported, "ttl")), "--shapes", str(xone),
               "--replace-shapes", "--engine", "fast").exit_code == 2


def test_an_export_folder_is_checked_through_its_dataset(exported: Path) -> None:
    # dataset.nq holds every record once; report.json and the context are bookkeeping.
    result = run("validate", str(exported), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["records"] == 4


def test_standard_input_named_as_rdf(exported: Path) -> None:
    data = _one(exported, "ttl").read_bytes()
    result = CliRunner().invoke(main, ["validate", "--from", "turtle", "-", "--format", "json"],
                                input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["records"] == 1
