"""The seed page, exported by the CLI: every fact of the page, asserted with SPARQL against the
written files, in both serialisations, parsed by two parsers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from ld_publish.cli import main

SEED = Path(__file__).parent / "fixtures" / "page" / "seed.txt"
DOI = "https://doi.org/10.17976/jpps/2025.02.05"
PREFIXES = """
PREFIX schema: <http://schema.org/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX datacite: <http://purl.org/spar/datacite/>
PREFIX literal: <http://www.essepuntato.it/2010/06/literalreification/>
PREFIX biro: <http://purl.org/spar/biro/>
PREFIX c4o: <http://purl.org/spar/c4o/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX frapo: <http://purl.org/cerif/frapo/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oco: <https://w3id.org/oc/ontology/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed")
    result = CliRunner().invoke(main, ["export", str(SEED), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def _file(out: Path, ext: str) -> Path:
    [path] = (out / "records").glob(f"*.{ext}")
    return path


@pytest.fixture(scope="module")
def store(exported: Path) -> ox.Store:
    """The Turtle file loaded into a pyoxigraph store (default graph)."""
    s = ox.Store()
    s.load(path=str(_file(exported, "ttl")), format=ox.RdfFormat.TURTLE)
    return s


def ask(store: ox.Store, body: str) -> bool:
    result = store.query(PREFIXES + "ASK {" + body + "}")
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    rows = store.query(PREFIXES + query)
    assert isinstance(rows, ox.QuerySolutions)
    names = [v.value for v in rows.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in rows]


def test_turtle_and_jsonld_are_the_same_graph_in_two_parsers(exported: Path) -> None:
    ttl, jsonld = _file(exported, "ttl"), _file(exported, "jsonld")
    g_ttl = rdflib.Graph().parse(ttl, format="turtle")
    g_json = rdflib.Graph().parse(jsonld, format="json-ld")
    assert len(g_ttl) > 500
    assert isomorphic(g_ttl, g_json)
    ox_ttl = list(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))
    ox_json = list(ox.parse(path=str(jsonld), format=ox.RdfFormat.JSON_LD))
    assert len(ox_ttl) == len(ox_json) == len(g_ttl)


def test_outputs_conform_to_the_shapes_with_pyshacl(exported: Path) -> None:
    import pyshacl

    shapes = rdflib.Graph()
    for path in sorted((Path(__file__).parents[1] / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    data = rdflib.Graph().parse(_file(exported, "jsonld"), format="json-ld")
    conforms, _graph, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                              allow_warnings=True)
    assert conforms, text


def test_title_doi_edn_language(store: ox.Store) -> None:
    assert ask(store, f"""<{DOI}> a schema:ScholarlyArticle, fabio:JournalArticle ;
        dcterms:title "Theory and practice of cross-border regionalization. Lessons for Russia"@en ;
        schema:inLanguage "ru" .""")
    assert ask(store, f"""<{DOI}> datacite:hasIdentifier ?id .
        ?id datacite:usesIdentifierScheme ?scheme ; literal:hasLiteralValue "OUSNXK" .
        ?scheme a datacite:IdentifierScheme""")
    assert ask(store, f"""<{DOI}> schema:identifier
        [ schema:propertyID "EDN" ; schema:value "OUSNXK" ]""")
    assert ask(store, f'<{DOI}> datacite:hasIdentifier [ literal:hasLiteralValue '
                      f'"10.17976/jpps/2025.02.05" ; datacite:usesIdentifierScheme datacite:doi ]')


# Byline order from the PRO roles: position = 1 + the number of roles before it in the chain.
ORDERED_AUTHORS = """SELECT ?person (COUNT(DISTINCT ?before) AS ?n) WHERE {
    <%s> pro:isDocumentContextFor ?role .
    ?role pro:withRole pro:author ; pro:isHeldBy ?person .
    OPTIONAL { ?before oco:hasNext+ ?role }
} GROUP BY ?person ORDER BY ?n"""


def test_plain_schema_org_author_query_finds_both_authors(store: ox.Store) -> None:
    rows = select(store, f"""SELECT ?p ?n WHERE {{ <{DOI}> schema:author ?p . ?p schema:name ?n }}
                            ORDER BY ?n""")
    assert [r["n"] for r in rows] == ["Lomakina \u0410. I.", "Sebentzov A.B."]
    assert {"p": "https://orcid.org/0000-0001-9665-5666", "n": "Sebentzov A.B."} in rows
    # dcterms:creator says it for SPAR-only consumers.
    assert len(select(store, f"SELECT ?p WHERE {{ <{DOI}> dcterms:creator ?p }}")) == 2


def test_authors_in_order_with_every_identifier(store: ox.Store) -> None:
    order = select(store, ORDERED_AUTHORS % DOI)
    assert [r["n"] for r in order] == ["0", "1"]
    first, second = (r["person"] for r in order)
    assert first == "https://orcid.org/0000-0001-9665-5666"
    assert second == "https://ld-publish.example/person/elibrary/618858"  # by eLibrary id
    rows = select(store, f"""SELECT ?person ?name ?email ?aff WHERE {{
        <{DOI}> pro:isDocumentContextFor ?role .
        ?role pro:withRole pro:author ; pro:isHeldBy ?person ; pro:relatesToOrganization ?org .
        ?org schema:name ?aff .
        ?person schema:name ?name ; schema:email ?email .
    }}""")
    by_person = {r["person"]: r for r in rows}
    assert by_person[first]["name"] == "Sebentzov A.B."
    assert by_person[second]["name"] == "Lomakina \u0410. I."  # kept as printed, Cyrillic А and all
    assert by_person[first]["email"] == "asebentsov@gmail.com"
    assert by_person[second]["email"] == "Lomakina.lomakina@ya.ru"
    assert all("Institute of Geography, Russian Academy of Sciences" in r["aff"] for r in rows)
    # Each e-mail once: schema:email, no foaf:mbox beside it.
    assert not select(store, "SELECT ?m WHERE { ?p <http://xmlns.com/foaf/0.1/mbox> ?m }")
    ids = select(store, """SELECT ?person ?label ?value WHERE {
        ?person a schema:Person ; schema:identifier ?id .
        ?id schema:propertyID ?label ; schema:value ?value } ORDER BY ?value""")
    values = {(r["label"], r["value"]) for r in ids}
    assert {("eLibrary author id", "618867"), ("eLibrary author id", "618858"),
            ("ResearcherID", "AAG-6046-2021"), ("ResearcherID", "J-5112-2018"),
            ("ORCID", "0000-0001-9665-5666")} <= values
    assert not any(label == "ORCID" and person != "https://orcid.org/0000-0001-9665-5666"
                   for person, label in ((r["person"], r["label"]) for r in ids))
    # DataCite's own scheme individuals, minted schemes only where it has none.
    assert ask(store, """?id literal:hasLiteralValue "J-5112-2018" ;
                             datacite:usesIdentifierScheme datacite:researcherid""")
    assert ask(store, """?id literal:hasLiteralValue "618858" ;
                             datacite:usesIdentifierScheme ?s . ?s a datacite:IdentifierScheme
                         FILTER(STRSTARTS(STR(?s), "https://ld-publish.example/scheme/"))""")


def test_dates_received_and_accepted_with_time(store: ox.Store) -> None:
    assert not select(store, "SELECT ?d WHERE { ?w fabio:hasDateReceived ?d "
                             "FILTER(DATATYPE(?d) != xsd:dateTime) }")
    assert ask(store, f"""<{DOI}> fabio:hasDateReceived "2024-08-14T19:26:00"^^xsd:dateTime ;
                                  dcterms:dateAccepted "2025-01-13T19:26:00"^^xsd:dateTime ;
                                  schema:datePublished "2025"^^xsd:gYear .""")


def test_journal_year_issue(store: ox.Store) -> None:
    assert ask(store, f"""<{DOI}> frbr:partOf ?issue ; schema:isPartOf ?issue .
        ?issue a fabio:JournalIssue, schema:PublicationIssue ; schema:issueNumber "2" ;
               schema:datePublished "2025"^^xsd:gYear ; frbr:partOf ?journal .
        ?journal a fabio:Journal, schema:Periodical ; schema:name "Polis. Political Studies" .""")


def test_funding_is_one_grant_with_both_numbers(store: ox.Store) -> None:
    rows = select(store, f"""SELECT ?grant ?number ?statement WHERE {{
        <{DOI}> schema:funding ?grant ; frapo:isFundedBy ?grant .
        ?grant a schema:MonetaryGrant, frapo:Grant ; frapo:hasGrantNumber ?number ;
               schema:description ?statement }} ORDER BY ?number""")
    assert [r["number"] for r in rows] == ["124032900015-3", "FMWS-2024-0008"]
    assert len({r["grant"] for r in rows}) == 1
    assert all("state assignment" in r["statement"] for r in rows)
    [row] = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?g schema:description ?d "
                          "FILTER(CONTAINS(?d, 'state assignment')) }")
    assert row["n"] == "1"  # the statement once, not once per number
    assert not select(store, "SELECT ?g WHERE { ?w frapo:isOutputOf ?g }")


def test_abstract(store: ox.Store) -> None:
    [row] = select(store, f"SELECT ?a WHERE {{ <{DOI}> dcterms:abstract ?a ; schema:abstract ?a }}")
    assert row["a"].startswith("The article analyzes the theoretical and practical experience")
    assert row["a"].endswith("internal borders of the EAEU.")


def test_forty_references_twenty_four_cited_by_doi(store: ox.Store) -> None:
    [row] = select(store, f"""SELECT (COUNT(?e) AS ?n) WHERE {{
        <{DOI}> frbr:part ?e . ?e a biro:BibliographicReference ; c4o:hasContent ?text }}""")
    assert row["n"] == "40"
    cites = select(store, f"SELECT ?c WHERE {{ <{DOI}> cito:cites ?c }}")
    assert len(cites) == 24
    assert all(c["c"].startswith("https://doi.org/10.") for c in cites)
    assert {"c": "https://doi.org/10.1080/00343404.2012.676738"} in cites
    assert ask(store, """?e c4o:hasContent ?t ; fabio:hasSequenceIdentifier "1" ;
                           biro:references <https://doi.org/10.1080/00343404.2012.676738> .
                         FILTER(STRSTARTS(?t, "Agnew, J.A. (2013). Arguing with regions."))""")
    # "(In Russ.)" becomes the cited work's language.
    [row] = select(store, """SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE {
        ?e biro:references ?w . ?w dcterms:language "ru" }""")
    assert int(row["n"]) >= 10


def test_five_related_articles(store: ox.Store) -> None:
    rows = select(store, f"""SELECT ?r ?title WHERE {{
        <{DOI}> dcterms:relation ?r . ?r dcterms:title ?title }} ORDER BY ?title""")
    assert len(rows) == 5
    assert any(r["title"] == "Russia and China in Greater Eurasia" for r in rows)


def test_validate_reports_the_mixed_script_name_as_a_warning_naming_the_field() -> None:
    result = CliRunner().invoke(main, ["validate", str(SEED), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    findings = report["records"][0]["findings"]
    mixed = [f for f in findings if "Cyrillic" in f["message"] or "CYRILLIC" in f["message"]]
    assert mixed and all(f["severity"] == "warning" for f in mixed)
    assert {f["field"] for f in mixed} == {"contributors[2].name"}
    assert report["records"][0]["conforms"] is True


def test_jsonld_read_as_plain_json_lists_the_authors_in_order(exported: Path) -> None:
    doc = json.loads(_file(exported, "jsonld").read_text("utf-8"))
    work = doc["@graph"][0] if "@graph" in doc else doc
    assert work["@id"] == DOI
    authors = work["author"]
    assert isinstance(authors, list) and len(authors) == 2
    assert [a["name"] for a in authors] == ["Sebentzov A.B.", "Lomakina \u0410. I."]


def test_no_blank_node_and_no_folder_in_any_output(exported: Path) -> None:
    for path in (exported / "records").iterdir():
        fmt = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}[path.suffix[1:]]
        for triple in ox.parse(path=str(path), format=fmt):
            for term in (triple.subject, triple.object):
                assert not isinstance(term, ox.BlankNode), triple
                if isinstance(term, ox.Literal):
                    assert "fixtures/" not in term.value and "tests/" not in term.value, triple
    for quad in ox.parse(path=str(exported / "dataset.nq"), format=ox.RdfFormat.N_QUADS):
        assert not isinstance(quad.subject, ox.BlankNode)
        assert not isinstance(quad.object, ox.BlankNode)


def test_export_twice_gives_identical_bytes(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        shutil.rmtree(out, ignore_errors=True)
        assert CliRunner().invoke(main, ["export", str(SEED), "-o", str(out), "-q",
                                         "-t", "turtle,jsonld,ntriples,nquads"]).exit_code == 0
        runs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert runs[0] == runs[1]
    assert len(runs[0]) >= 7


@pytest.mark.parametrize("profile", ["schema", "spar", "both"])
def test_every_profile_exports_the_seed_cleanly(tmp_path: Path, profile: str) -> None:
    result = CliRunner().invoke(main, ["export", str(SEED), "-o", str(tmp_path), "-q",
                                       "--profile", profile, "--strict"])
    assert result.exit_code == 0, result.output
    ttl = rdflib.Graph().parse(_file(tmp_path, "ttl"), format="turtle")
    assert isomorphic(ttl, rdflib.Graph().parse(_file(tmp_path, "jsonld"), format="json-ld"))
    namespaces = {str(p).rsplit("/", 1)[0] for p in ttl.predicates()}
    schema_used = "http://schema.org" in namespaces
    spar_used = any(str(p).startswith("http://purl.org/spar/") for p in ttl.predicates())
    assert schema_used == (profile != "spar")
    assert spar_used == (profile != "schema")
