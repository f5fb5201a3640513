"""Every file of the corpus (real records, tests/fixtures/corpus) exports through the real CLI,
and the graph says what the source says.

What each record must hold (DOI, type, authors in order with ORCID iDs, cited DOIs, funders and
award numbers, dates, the not-mapped list) is computed here from the source file itself, with a
parser that is not ld-publish's (json, lxml, bibtexparser, a few lines of RIS), and then asked of
the exported Turtle with SPARQL. Nothing about a record's content is written down by hand.

The corpus is part of the repository (tests/fixtures/corpus, with its MANIFEST of sources).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import bibtexparser
import pyoxigraph as ox
import pytest
from lxml import etree
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from tests.paths import CORPUS as CORPUS_DIR

REPO = Path(__file__).resolve().parents[1]
CORPUS = CORPUS_DIR

FILES = (
    "crossref/commonmeta-py_crossref_10.7554-elife.01567.json",
    "crossref/dnet-hadoop_sfi_funded_article_10.1371-journal.pone.0233284.json",
    "jats/scielo_packtools_2318-0889-tinf-33-e200068.xml",
    "bibtex/bolognese_crossref_elife01567.bib",
    "bibtex/oup_otoole2019_10.1093-neuros-nyy394.bib",
    "ris/bolognese_crossref_elife01567.ris",
    "csl-json/bolognese_citeproc_blogpost.json",
    "datacite/commonmeta-py_datacite_10.5438-4k3m-nyvg.json",
    "schema-org/bolognese_schema_org_blogposting_10.5438-4k3m-nyvg.jsonld",
)

SCHEMA = "http://schema.org/"
FABIO = "http://purl.org/spar/fabio/"
PREFIXES = """
PREFIX schema: <http://schema.org/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX frapo: <http://purl.org/cerif/frapo/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX oco: <https://w3id.org/oc/ontology/>
"""

# The crosswalk of MAPPING.md for the source types of this corpus: the source's own type token
# -> (Schema.org class, FaBiO class).
ARTICLE = (SCHEMA + "ScholarlyArticle", FABIO + "JournalArticle")
BLOG_POST = (SCHEMA + "BlogPosting", FABIO + "BlogPost")
EXPECTED_CLASSES = {
    "journal-article": ARTICLE,  # Crossref
    "research-article": ARTICLE,  # JATS @article-type
    "article": ARTICLE,  # BibTeX entry type
    "JOUR": ARTICLE,  # RIS TY
    "post-weblog": BLOG_POST,  # CSL
    "BlogPosting": BLOG_POST,  # DataCite resourceType, Schema.org @type
}

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


# --- what the source says -------------------------------------------------------------------

@dataclass
class Funder:
    doi: str | None
    name: str
    awards: set[str] = field(default_factory=set)


@dataclass
class Facts:
    """What one source file says about its record, read without ld-publish."""

    doi: str
    type_token: str
    authors: list[tuple[str, str | None]]  # (family name, ORCID iD) in source order
    reference_dois: set[str]
    funders: list[Funder]
    dates: dict[str, str]  # SPARQL property -> lexical value
    has_path: Callable[[str], bool]  # does a not-mapped path exist in the source?
    mapped: tuple[str, ...]  # source fields the graph demonstrably carries


def _orcid(value: str | None) -> str | None:
    if not value:
        return None
    match = re.search(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", value.strip())
    return match.group(1) if match else None


def _date(*parts: Any) -> str:
    values = [int(p) for p in parts if p not in (None, "")]
    return "-".join([f"{values[0]:04d}"] + [f"{v:02d}" for v in values[1:]])


def _json_has_path(document: Any) -> Callable[[str], bool]:
    """``a.b[0].c`` (0-based indices, as the crossref reader writes them) exists in the JSON."""

    def has(path: str) -> bool:
        node = document
        for part in path.split("."):
            match = re.fullmatch(r"([^\[\]]+)((?:\[\d+\])*)", part)
            if match is None or not isinstance(node, dict) or match.group(1) not in node:
                return False
            node = node[match.group(1)]
            for index in re.findall(r"\[(\d+)\]", match.group(2)):
                if not isinstance(node, list) or int(index) >= len(node):
                    return False
                node = node[int(index)]
        return True

    return has


def _funders(entries: list[Funder]) -> list[Funder]:
    # Repeated funder entries (same Funder Registry DOI, or same name without one) are one funder.
    merged: dict[str, Funder] = {}
    for entry in entries:
        key = entry.doi or entry.name.casefold()
        if key in merged:
            merged[key].awards |= entry.awards
        else:
            merged[key] = entry
    return list(merged.values())


def crossref_facts(path: Path) -> Facts:
    work = json.loads(path.read_text("utf-8"))
    work = work.get("message", work)
    dates = {}
    published = work.get("published") or work.get("issued")
    if published:
        dates["prism:publicationDate"] = _date(*published["date-parts"][0])
    for assertion in work.get("assertion", []):
        if assertion.get("name") == "received":
            # fabio:hasDateReceived takes a date-time; a day alone is dcterms:dateSubmitted.
            value = assertion["value"]
            dates["fabio:hasDateReceived" if "T" in value else "dcterms:dateSubmitted"] = value
        if assertion.get("name") == "accepted":
            dates["dcterms:dateAccepted"] = assertion["value"]
    funders = _funders([Funder(f["DOI"].lower() if f.get("DOI") else None, f["name"],
                               set(f.get("award", []))) for f in work.get("funder", [])])
    mapped = tuple(k for k in ("DOI", "type", "title", "author", "reference", "funder",
                               "published", "issued", "assertion", "container-title")
                   if k in work)
    return Facts(
        doi=work["DOI"].lower(), type_token=work["type"],
        authors=[(a["family"], _orcid(a.get("ORCID"))) for a in work.get("author", [])],
        reference_dois={r["DOI"].lower() for r in work.get("reference", []) if r.get("DOI")},
        funders=funders, dates=dates, has_path=_json_has_path(work), mapped=mapped)


_DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/\S+")


def jats_facts(path: Path) -> Facts:
    root = etree.parse(str(path)).getroot()
    meta = root.find("front/article-meta")
    assert meta is not None
    authors = []
    for contrib in meta.iterfind("contrib-group/contrib[@contrib-type='author']"):
        orcid = contrib.findtext("contrib-id[@contrib-id-type='orcid']")
        authors.append((contrib.findtext("name/surname"), _orcid(orcid)))
    references = set()
    for ref in root.iterfind("back/ref-list/ref"):
        dois = [p.text.strip() for p in ref.iterfind(".//pub-id[@pub-id-type='doi']") if p.text]
        if not dois:
            # Some references give their DOI only in the citation text.
            text = "".join(ref.find("mixed-citation").itertext()) \
                if ref.find("mixed-citation") is not None else ""
            dois = [d.rstrip(".,;") for d in _DOI_IN_TEXT.findall(text)]
        references |= {d.lower() for d in dois}
    dates = {}
    pub = meta.find("pub-date[@date-type='pub']")
    if pub is not None:
        dates["prism:publicationDate"] = _date(pub.findtext("year"), pub.findtext("month"),
                                               pub.findtext("day"))
    for kind, prop in (("received", "dcterms:dateSubmitted"),  # a day: no fabio:hasDateReceived
                       ("accepted", "dcterms:dateAccepted")):
        when = meta.find(f"history/date[@date-type='{kind}']")
        if when is not None:
            dates[prop] = _date(when.findtext("year"), when.findtext("month"),
                                when.findtext("day"))
    funders = []
    for award in meta.iterfind("funding-group/award-group"):
        name = award.findtext("funding-source") or ""
        funders.append(Funder(None, name.strip(), {a.text.strip() for a in
                                                   award.iterfind("award-id") if a.text}))
    return Facts(
        doi=meta.findtext("article-id[@pub-id-type='doi']").strip().lower(),
        type_token=root.get("article-type"), authors=authors, reference_dois=references,
        funders=_funders(funders), dates=dates,
        has_path=lambda p: root.find(p) is not None,
        mapped=("front/article-meta/title-group", "front/article-meta/contrib-group",
                "front/article-meta/pub-date", "front/article-meta/history", "back/ref-list",
                "front/article-meta/article-id", "front/article-meta/abstract"))


def _bibtex_family(name: str) -> str:
    name = name.strip().strip("{}")
    return name.split(",")[0].strip() if "," in name else name.split()[-1]


def bibtex_facts(path: Path) -> Facts:
    library = bibtexparser.parse_string(path.read_text("utf-8"))
    assert len(library.entries) == 1
    entry = library.entries[0]
    fields = {f.key.lower(): str(f.value).strip().strip("{}") for f in entry.fields}
    month = fields.get("month", "").lower()
    month_number = _MONTHS.get(month[:3]) or (int(month) if month.isdigit() else None)
    return Facts(
        doi=fields["doi"].lower(), type_token=entry.entry_type.lower(),
        authors=[(_bibtex_family(a), None) for a in re.split(r"\s+and\s+", fields["author"])],
        reference_dois=set(), funders=[],
        dates={"prism:publicationDate": _date(fields["year"], month_number)},
        has_path=lambda p: p.lower() in fields,
        mapped=tuple(k for k in ("doi", "title", "author", "journal", "year", "volume")
                     if k in fields))


def ris_facts(path: Path) -> Facts:
    tags: list[tuple[str, str]] = []
    for line in path.read_text("utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9])  -(?: (.*))?$", line.lstrip("\ufeff"))
        if match:
            tags.append((match.group(1), (match.group(2) or "").strip()))
    first = {tag: value for tag, value in reversed(tags)}
    return Facts(
        doi=first["DO"].lower(), type_token=first["TY"],
        authors=[(v.split(",")[0].strip(), None) for t, v in tags if t in ("AU", "A1")],
        reference_dois=set(), funders=[],
        dates={"prism:publicationDate": first["PY"].split("/")[0]},
        has_path=lambda p: p in first,
        mapped=("TY", "T1", "AU", "DO", "PY", "VL"))


def csl_facts(path: Path) -> Facts:
    data = json.loads(path.read_text("utf-8"))
    item = data[0] if isinstance(data, list) else data
    dates = {}
    if item.get("issued", {}).get("date-parts"):
        dates["prism:publicationDate"] = _date(*item["issued"]["date-parts"][0])
    return Facts(
        doi=item["DOI"].lower(), type_token=item["type"],
        authors=[(a.get("family") or a["literal"], _orcid(a.get("ORCID")))
                 for a in item.get("author", [])],
        reference_dois=set(), funders=[], dates=dates, has_path=_json_has_path(item),
        mapped=tuple(k for k in ("DOI", "type", "title", "author", "issued", "translator")
                     if k in item))


_DATACITE_DATES = {"Issued": "prism:publicationDate", "Accepted": "dcterms:dateAccepted",
                   "Created": "dcterms:created", "Updated": "dcterms:modified"}


def datacite_facts(path: Path) -> Facts:
    data = json.loads(path.read_text("utf-8"))
    record = data.get("data", {}).get("attributes", data)
    authors = []
    for creator in record.get("creators", []):
        ids = [creator.get("id")] + [n.get("nameIdentifier") for n in
                                      creator.get("nameIdentifiers", [])]
        orcid = next((_orcid(i) for i in ids if i and "orcid" in i.lower()), None)
        authors.append((creator.get("familyName") or creator["name"], orcid))
    references = {r["relatedIdentifier"].lower() for r in record.get("relatedIdentifiers", [])
                  if r.get("relatedIdentifierType") == "DOI"
                  and r.get("relationType") in ("References", "Cites")}
    funders = _funders([
        Funder(f["funderIdentifier"].lower().removeprefix("https://doi.org/")
               if f.get("funderIdentifierType") == "Crossref Funder ID" else None,
               f["funderName"], {f["awardNumber"]} if f.get("awardNumber") else set())
        for f in record.get("fundingReferences", [])])
    dates = {_DATACITE_DATES[d["dateType"]]: d["date"] for d in record.get("dates", [])
             if d.get("dateType") in _DATACITE_DATES}
    types = record.get("types", {})
    return Facts(
        doi=record["doi"].lower(),
        type_token=types.get("resourceType") or types["resourceTypeGeneral"],
        authors=authors, reference_dois=references, funders=funders, dates=dates,
        has_path=_json_has_path(record),
        mapped=tuple(k for k in ("doi", "types", "creators", "titles", "dates",
                                 "relatedIdentifiers", "descriptions") if k in record))


def schemaorg_facts(path: Path) -> Facts:
    node = json.loads(path.read_text("utf-8"))
    authors = node.get("author", [])
    authors = authors if isinstance(authors, list) else [authors]
    citations = node.get("citation", [])
    citations = citations if isinstance(citations, list) else [citations]
    references = set()
    for cited in citations:
        match = re.match(r"https?://(?:dx\.)?doi\.org/(10\..+)$", cited.get("@id", ""))
        if match:
            references.add(match.group(1).lower())
    dates = {prop: node[key] for key, prop in (("datePublished", "prism:publicationDate"),
                                              ("dateCreated", "dcterms:created"),
                                              ("dateModified", "dcterms:modified"))
             if key in node}
    doi = re.match(r"https?://(?:dx\.)?doi\.org/(10\..+)$", node["@id"]).group(1)
    return Facts(
        doi=doi.lower(), type_token=node["@type"],
        authors=[(a.get("familyName") or a["name"].split()[-1],
                  _orcid(a.get("@id")) if "orcid.org" in a.get("@id", "") else None)
                 for a in authors],
        reference_dois=references, funders=[], dates=dates, has_path=_json_has_path(node),
        mapped=tuple(k for k in ("@id", "@type", "name", "author", "citation",
                                 "datePublished", "publisher") if k in node))


FACTS: dict[str, Callable[[Path], Facts]] = {
    "crossref": crossref_facts, "jats": jats_facts, "bibtex": bibtex_facts,
    "ris": ris_facts, "csl-json": csl_facts, "datacite": datacite_facts,
    "schema-org": schemaorg_facts,
}


def facts_of(name: str) -> Facts:
    return FACTS[name.split("/")[0]](CORPUS / name)


# --- the export -----------------------------------------------------------------------------

def _require_corpus() -> None:
    missing = [name for name in FILES if not (CORPUS / name).is_file()]
    assert not missing, f"corpus files missing from {CORPUS}: {missing}"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ld_publish", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def _runs(names: tuple[str, ...]) -> list[list[str]]:
    """The files split into as few runs as possible with no DOI twice in one run.

    Three corpus files describe the eLife article and three the DataCite blog post; one run with
    all of them merges the later descriptions into the first (see the merge test), and these
    tests check each description as its reader reads it.
    """
    runs: list[tuple[set[str], list[str]]] = []
    for name in names:
        doi = facts_of(name).doi
        for dois, files in runs:
            if doi not in dois:
                dois.add(doi)
                files.append(name)
                break
        else:
            runs.append(({doi}, [name]))
    return [files for _, files in runs]


@dataclass
class Exported:
    out: Path
    report: dict[str, Any]
    entry: dict[str, Any]  # this file's record in report.json
    stdout: str
    stderr: str
    returncode: int


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Exported]:
    _require_corpus()
    results: dict[str, Exported] = {}
    for number, names in enumerate(_runs(FILES)):
        out = tmp_path_factory.mktemp(f"corpus-run{number}")
        done = _cli("export", *(str(CORPUS / n) for n in names), "-o", str(out), "--report",
                    "-j", "1")
        report = json.loads((out / "report.json").read_text("utf-8"))
        for name in names:
            entries = [r for r in report["records"]
                       if r["source"].startswith(str(CORPUS / name))]
            assert len(entries) == 1, f"{name}: expected one record, report has {entries}"
            results[name] = Exported(out, report, entries[0], done.stdout, done.stderr,
                                     done.returncode)
    return results


def _store(result: Exported) -> ox.Store:
    ttl = [f for f in result.entry["files"] if f.endswith(".ttl")]
    assert len(ttl) == 1, result.entry["files"]
    store = ox.Store()
    store.load(path=str(result.out / ttl[0]), format=ox.RdfFormat.TURTLE)
    return store


def _values(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in row) for row in store.query(PREFIXES + query)]


def _doi_of(iri: str) -> str:
    assert iri.startswith("https://doi.org/"), iri
    return unquote(iri.removeprefix("https://doi.org/"))


# --- tests ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_exports_with_exit_0_balanced_and_written(name: str,
                                                  exported: dict[str, Exported]) -> None:
    result = exported[name]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.report["balanced"] is True
    assert result.report["read"] == result.report["written"] + result.report["quarantined"]
    assert result.report["failed_sources"] == []
    # "written" means the record passed the shapes; a violation would have quarantined it.
    assert result.entry["status"] == "written", result.entry
    assert result.entry["key"] == facts_of(name).doi
    assert not any(w["severity"] == "violation" for w in result.entry.get("warnings", []))


@pytest.mark.parametrize("name", FILES)
def test_work_iri_and_classes(name: str, exported: dict[str, Exported]) -> None:
    facts = facts_of(name)
    store = _store(exported[name])
    work = f"https://doi.org/{facts.doi}"
    schema_cls, fabio_cls = EXPECTED_CLASSES[facts.type_token]
    types = {t for (t,) in _values(store, f"SELECT ?t WHERE {{ <{work}> a ?t }}")}
    assert {schema_cls, fabio_cls} <= types, types
    # One Schema.org class for the work, not a second one that contradicts the source type.
    assert {t for t in types if t.startswith(SCHEMA)} == {schema_cls}
    topics = _values(store, "SELECT ?w WHERE { ?g <http://xmlns.com/foaf/0.1/primaryTopic> ?w }")
    assert topics == [(work,)]


@pytest.mark.parametrize("name", FILES)
def test_authors_in_order_with_orcid_iris(name: str, exported: dict[str, Exported]) -> None:
    facts = facts_of(name)
    store = _store(exported[name])
    work = f"https://doi.org/{facts.doi}"
    # Byline order from the PRO roles' oco:hasNext chain: position = roles before it + 1.
    rows = _values(store, f"""
        SELECT ?agent (COUNT(DISTINCT ?before) AS ?n) WHERE {{
          <{work}> pro:isDocumentContextFor ?role .
          ?role pro:withRole pro:author ; pro:isHeldBy ?agent .
          OPTIONAL {{ ?before oco:hasNext+ ?role }}
        }} GROUP BY ?agent""")
    by_position = sorted((int(n) + 1, agent) for agent, n in rows)
    assert [n for n, _ in by_position] == list(range(1, len(facts.authors) + 1))
    agents = [agent for _, agent in by_position]
    families = []
    for agent in agents:
        names = _values(store, f"SELECT ?f WHERE {{ <{agent}> schema:familyName ?f }}")
        families.append(names[0][0] if names else None)
    assert families == [family for family, _ in facts.authors]
    for agent, (family, orcid) in zip(agents, facts.authors, strict=True):
        if orcid:
            assert agent == f"https://orcid.org/{orcid}", family
        else:
            assert not agent.startswith("https://orcid.org/"), family
    # The plain Schema.org query reaches the same people, and the JSON-LD lists them in order.
    linked = _values(store, f"SELECT ?p WHERE {{ <{work}> schema:author ?p . ?p schema:name ?n }}")
    assert sorted(p for (p,) in linked) == sorted(agents)
    jsonld = [f for f in exported[name].entry["files"] if f.endswith(".jsonld")]
    doc = json.loads((exported[name].out / jsonld[0]).read_text("utf-8"))
    root = doc["@graph"][0] if "@graph" in doc else doc
    assert [a["@id"] for a in root["author"]] == agents


@pytest.mark.parametrize("name", FILES)
def test_one_cites_link_per_distinct_reference_doi(name: str,
                                                   exported: dict[str, Exported]) -> None:
    facts = facts_of(name)
    store = _store(exported[name])
    cited = [_doi_of(c) for (c,) in _values(
        store, f"SELECT ?c WHERE {{ <https://doi.org/{facts.doi}> cito:cites ?c }}")]
    assert len(cited) == len(facts.reference_dois)
    assert set(cited) == facts.reference_dois


@pytest.mark.parametrize("name", FILES)
def test_funders_and_award_numbers(name: str, exported: dict[str, Exported]) -> None:
    facts = facts_of(name)
    store = _store(exported[name])
    work = f"https://doi.org/{facts.doi}"
    funders = dict(_values(store, f"""
        SELECT ?f ?name WHERE {{ <{work}> schema:funder ?f ; frapo:isFundedBy ?f .
                                 ?f schema:name ?name }}"""))
    assert len(funders) == len(facts.funders), funders
    for funder in facts.funders:
        if funder.doi:
            # A Funder Registry DOI is the funder's IRI.
            iri = f"https://doi.org/{funder.doi}"
            assert funders.get(iri) == funder.name, (iri, funders)
        else:
            assert funder.name in {n for f, n in funders.items()
                                   if not f.startswith("https://doi.org/")}, funder
    grants = set(_values(store, f"""
        SELECT ?number ?funder WHERE {{
          <{work}> frapo:isFundedBy ?grant ; schema:funding ?grant .
          ?grant a frapo:Grant ; frapo:hasGrantNumber ?number ; frapo:isAwardedBy ?funder .
        }}"""))
    expected = set()
    for funder in facts.funders:
        for award in funder.awards:
            iri = f"https://doi.org/{funder.doi}" if funder.doi else None
            expected.add((award, iri))
    assert {(number, f if f.startswith("https://doi.org/10.13039/") else None)
            for number, f in grants} == expected


def test_the_corpus_holds_funders_with_registry_dois_and_awards() -> None:
    # Guards the funding test against passing on records with nothing to check.
    _require_corpus()
    elife = facts_of(FILES[0])
    assert sum(1 for f in elife.funders if f.doi) >= 3
    assert any(f.doi is None for f in elife.funders)
    plos = facts_of(FILES[1])
    assert any("SFI/12/RC/2273" in f.awards and f.doi for f in plos.funders)


@pytest.mark.parametrize("name", FILES)
def test_dates(name: str, exported: dict[str, Exported]) -> None:
    facts = facts_of(name)
    store = _store(exported[name])
    assert "prism:publicationDate" in facts.dates
    for prop, value in facts.dates.items():
        found = {v for (v,) in _values(
            store, f"SELECT ?d WHERE {{ <https://doi.org/{facts.doi}> {prop} ?d }}")}
        assert value in found, (prop, value, found)
        if prop in ("prism:publicationDate", "fabio:hasDateReceived", "dcterms:dateSubmitted",
                    "dcterms:dateAccepted"):
            assert found == {value}, (prop, found)


@pytest.mark.parametrize("name", FILES)
def test_not_mapped_report_is_accurate(name: str, exported: dict[str, Exported]) -> None:
    facts = facts_of(name)
    not_mapped = exported[name].entry["not_mapped"]
    assert isinstance(not_mapped, list)
    for path in not_mapped:
        assert facts.has_path(path), f"{path!r} is reported as not mapped but is not in {name}"
    assert len(set(not_mapped)) == len(not_mapped), "a path is listed twice"
    # A JSON path's top-level field; XML paths (JATS) are compared whole.
    roots = {p if "/" in p else re.split(r"[.\[]", p)[0] for p in not_mapped}
    for mapped in facts.mapped:
        assert mapped not in roots, f"{mapped!r} is mapped but listed as not mapped"


@pytest.mark.parametrize("name, leftover", [
    (FILES[0], "indexed"), (FILES[4], "eprint"), (FILES[7], "agency"), (FILES[8], "image"),
])
def test_not_mapped_mentions_known_leftovers(name: str, leftover: str,
                                             exported: dict[str, Exported]) -> None:
    assert facts_of(name).has_path(leftover)
    assert leftover in exported[name].entry["not_mapped"]


@pytest.mark.parametrize("name", FILES)
def test_jsonld_is_the_same_graph_as_turtle(name: str, exported: dict[str, Exported]) -> None:
    result = exported[name]
    files = {Path(f).suffix: result.out / f for f in result.entry["files"]}
    assert {".ttl", ".jsonld"} <= set(files)
    turtle = Graph().parse(files[".ttl"], format="turtle")
    jsonld = Graph().parse(files[".jsonld"], format="json-ld")
    assert len(turtle) > 0
    if not isomorphic(turtle, jsonld):
        _, only_ttl, only_jsonld = graph_diff(to_isomorphic(turtle), to_isomorphic(jsonld))
        pytest.fail(f"{name}: JSON-LD differs from Turtle\nonly in Turtle:\n"
                    f"{only_ttl.serialize(format='nt')}\nonly in JSON-LD:\n"
                    f"{only_jsonld.serialize(format='nt')}")


@pytest.fixture(scope="module")
def all_in_one(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One run with every corpus file, several of which describe the same DOI."""
    _require_corpus()
    out = tmp_path_factory.mktemp("corpus-all")
    done = _cli("export", *(str(CORPUS / n) for n in FILES), "-o", str(out), "-j", "1")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return out, json.loads((out / "report.json").read_text("utf-8"))


def _duplicates() -> list[tuple[str, str]]:
    """(file, the earlier file with the same DOI) for each later description of a DOI."""
    first: dict[str, str] = {}
    pairs = []
    for name in FILES:
        doi = facts_of(name).doi
        if doi in first:
            pairs.append((name, first[doi]))
        else:
            first[doi] = name
    return pairs


def _entry(report: dict[str, Any], name: str) -> dict[str, Any]:
    (entry,) = [r for r in report["records"] if r["source"].startswith(str(CORPUS / name))]
    return entry


def test_one_run_with_every_file_merges_later_descriptions(
        all_in_one: tuple[Path, dict[str, Any]]) -> None:
    """The first description of a DOI is published; each later one, from another file, is
    merged into it (ld_publish.merge_run), and the report names the file it went into."""
    _, report = all_in_one
    duplicates = _duplicates()
    assert duplicates, "the corpus no longer has two descriptions of one DOI"
    assert report["balanced"] and report["read"] == len(FILES)
    assert (report["quarantined"], report["merged"]) == (0, len(duplicates))
    assert report["written"] == len(FILES) - len(duplicates)
    later = {name for name, _ in duplicates}
    for name in FILES:
        if name not in later:
            assert _entry(report, name)["status"] == "written"
    for name, earlier in duplicates:
        entry = _entry(report, name)
        assert entry["status"] == "merged"
        assert entry["into"].startswith(str(CORPUS / earlier))


def test_each_merged_graph_names_every_file_of_its_doi(
        all_in_one: tuple[Path, dict[str, Any]]) -> None:
    out, report = all_in_one
    files_of: dict[str, list[str]] = {}
    for name in FILES:
        files_of.setdefault(facts_of(name).doi, []).append(name)
    merges = {merge["key"]: merge for merge in report["merges"]}
    assert set(merges) == {doi for doi, names in files_of.items() if len(names) > 1}
    for doi, merge in merges.items():
        assert merge["status"] == "written"
        assert [label.split(" #")[0].split(":")[0] for label in merge["sources"]] == [
            str(CORPUS / name) for name in files_of[doi]]
        turtle = Graph().parse(out / merge["files"][0], format="turtle")
        titles = {str(title) for title in turtle.objects(
            None, URIRef("http://purl.org/dc/terms/title"))}
        assert {Path(name).name for name in files_of[doi]} <= titles
