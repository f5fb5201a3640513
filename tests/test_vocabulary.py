"""Every class and property ld-publish emits is defined by its vocabulary and used within its
domain and range, checked against extracts of the vocabularies themselves (tests/vocab/, each
copied from the vocabulary's published file; README there) on the exports of every fixture, in
every profile."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from ld_publish.cli import main

from .paths import CORPUS, FIXTURES
from .vocabcheck import Vocabularies

# Page fixtures are variants of one article: one key, so each is exported in a run of its own.
PAGES = sorted(p for p in (FIXTURES / "page").glob("*.txt") if p.name != "whitespace_only.txt")
INPUTS = [
    *sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.md"),
    *sorted((FIXTURES / "native").glob("*")),
    *sorted((FIXTURES / "crossref").glob("*")),
    FIXTURES / "jats" / "synthetic-doctype.xml",
    *sorted((FIXTURES / "datacite").glob("*")), *sorted((FIXTURES / "csl").glob("*")),
    *sorted((FIXTURES / "ris").glob("*")), *sorted((FIXTURES / "bibtex").glob("*")),
    *sorted((FIXTURES / "schemaorg").glob("*")),
]


@pytest.fixture(scope="module")
def vocabularies() -> Vocabularies:
    return Vocabularies()


@pytest.fixture(scope="module", params=["both", "schema", "spar"])
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
             ) -> list[Path]:
    files: list[Path] = []
    for number, inputs in enumerate([INPUTS, *([page] for page in PAGES)]):
        out = tmp_path_factory.mktemp(f"vocab-{request.param}-{number}")
        result = CliRunner().invoke(main, ["export", *map(str, inputs), "-o", str(out), "-q",
                                           "-j", "1", "--profile", request.param])
        assert result.exit_code == 0, result.output
        files += sorted((out / "records").glob("*.ttl"))
    assert len(files) >= 35
    return files


def test_every_term_is_defined_and_used_within_its_domain_and_range(
        vocabularies: Vocabularies, exported: list[Path]) -> None:
    problems = []
    for path in exported:
        graph = rdflib.Graph().parse(path, format="turtle")
        problems += [f"{path.name}: {p}" for p in vocabularies.check(graph)]
    assert not problems, "\n".join(problems[:40])


def test_no_blank_node_and_no_folder_in_any_export(exported: list[Path]) -> None:
    folders = {str(FIXTURES), "fixtures/", str(FIXTURES.parent.parent)}
    for path in exported:
        graph = rdflib.Graph().parse(path, format="turtle")
        for s, _, o in graph:
            assert not isinstance(s, rdflib.BNode) and not isinstance(o, rdflib.BNode), path
            if isinstance(o, rdflib.Literal):
                assert not any(folder in str(o) for folder in folders), (path, o)


@pytest.mark.parametrize("turtle, complaint", [
    # The defects of the first graph, each found by the check (so it can fail).
    ("<http://x/r> a pro:RoleInTime ; fabio:hasSequenceIdentifier \"1\" .", "domain"),
    ("<http://x/w> a fabio:JournalArticle ; fabio:hasDateReceived "
     "\"2020-01-01\"^^xsd:date .", "range"),
    ("<http://x/w> a fabio:JournalArticle ; schema:author \"Smith\" .", "domain"),
    ("<http://x/w> a schema:ScholarlyArticle ; schema:author \"Smith\" .", "range"),
    ("<http://x/w> a schema:ScholarlyArticle ; prism:coverDate \"2020\" .", "not a property"),
    ("<http://x/w> a fabio:NoSuchClass .", "not a class"),
    ("<http://x/w> a schema:ScholarlyArticle ; schema:author [ a schema:Person ] .", "blank"),
    ("<http://x/i> a datacite:Identifier ; datacite:usesIdentifierScheme datacite:nosuch .",
     "not defined"),
    ("<http://x/w> a schema:ScholarlyArticle ; schema:email <mailto:a@b.c> .", "domain"),
])
def test_the_check_finds_what_it_is_for(vocabularies: Vocabularies, turtle: str,
                                        complaint: str) -> None:
    prefixes = """
        @prefix fabio: <http://purl.org/spar/fabio/> . @prefix pro: <http://purl.org/spar/pro/> .
        @prefix schema: <http://schema.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix prism: <http://prismstandard.org/namespaces/basic/2.0/> .
        @prefix datacite: <http://purl.org/spar/datacite/> .
    """
    graph = rdflib.Graph().parse(data=prefixes + turtle, format="turtle")
    problems = vocabularies.check(graph)
    assert any(complaint in p.message for p in problems), problems
