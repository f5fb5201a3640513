"""``ld-publish site``: the pages, documents and files of a published site, read back with real
parsers (html5lib, pyoxigraph, rdflib) as a browser, crawler or linked-data client would."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import html5lib
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ld_publish.pipeline import Options
from ld_publish.site.build import SiteOptions, SiteReport, build_site
from ld_publish.site.paths import DOCUMENT_FORMATS, Manifest
from ld_publish.site.void import sitemaps

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "page" / "seed.txt"
BASE = "http://127.0.0.1:8080/"
DOI = "https://doi.org/10.17976/jpps/2025.02.05"
PAGE_IRI = BASE + "work/10.17976%2Fjpps%2F2025.02.05"
HOSTILE_TITLE = "<script>alert(1)</script> & friends"
HOSTILE_ABSTRACT = "Text with </script><script>alert(2)</script> and <!-- inside"


def build(out: Path, *inputs: Path | str, **kw: Any) -> SiteReport:
    return build_site([str(i) for i in inputs], out, Options(base=BASE, workers=1),
                      SiteOptions(title="Test site", **kw))


def parse_html(data: bytes) -> tuple[ElementTree.Element, list[Any]]:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"),
                                 namespaceHTMLElements=False)
    return parser.parse(data), list(parser.errors)


def native(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps({"format": "ld-publish/1", **r}) for r in records)
                    + "\n", "utf-8")
    return path


def site_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".ld-publish.lock"}


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    report = build(out, SEED, license="https://creativecommons.org/licenses/by/4.0/")
    assert report.published == 1 and report.quarantined == 0
    return out


@pytest.fixture(scope="module")
def landing(seed_site: Path) -> ElementTree.Element:
    entry = Manifest.load(seed_site).lookup("/work/10.17976%2Fjpps%2F2025.02.05")
    assert entry is not None and entry.kind == "record"
    assert entry.path == "work/10.17976/jpps/2025.02.05"
    tree, errors = parse_html((seed_site / f"{entry.path}.html").read_bytes())
    assert errors == []
    return tree


def metas(tree: ElementTree.Element) -> list[tuple[str, str]]:
    return [(m.get("name", ""), m.get("content", "")) for m in tree.iter("meta")
            if m.get("name")]


def test_every_html_page_parses_without_errors(seed_site: Path) -> None:
    pages = sorted(seed_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        tree, errors = parse_html(page.read_bytes())
        assert errors == [], (page, errors[:3])
        assert tree.get("lang") == "en"
        # No JavaScript: the only script element is the JSON-LD data block.
        assert all(s.get("type") == "application/ld+json" for s in tree.iter("script")), page
        for tag in ("header", "main", "footer", "nav"):
            assert tree.find(f".//{tag}") is not None, (page, tag)
        levels = [int(h.tag[1]) for h in tree.iter() if isinstance(h.tag, str)
                  and len(h.tag) == 2 and h.tag[0] == "h" and h.tag[1].isdigit()]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in pairwise(levels)), page
        for a in tree.iter("a"):
            assert a.get("href", "").startswith(("http://", "https://")), (page, a.get("href"))


def test_landing_page_has_highwire_tags_in_byline_order(landing: ElementTree.Element) -> None:
    tags = metas(landing)
    names = [n for n, _ in tags]
    at = [i for i, n in enumerate(names) if n == "citation_author"]
    assert [tags[i][1] for i in at] == ["Sebentzov A.B.", "Lomakina А. I."]
    institute = "Institute of Geography, Russian Academy of Sciences, Moscow, Russia"
    assert tags[at[0] + 1] == ("citation_author_institution", institute)
    assert tags[at[0] + 2] == ("citation_author_orcid", "https://orcid.org/0000-0001-9665-5666")
    assert tags[at[1] + 1] == ("citation_author_institution", institute)
    found = dict(tags)
    assert found["citation_doi"] == "10.17976/jpps/2025.02.05"
    assert found["citation_journal_title"] == "Polis. Political Studies"
    assert found["citation_publication_date"] == "2025"
    assert found["citation_issue"] == "2"
    assert found["citation_language"] == "ru"
    assert found["citation_title"].startswith("Theory and practice of cross-border")
    assert names.count("citation_reference") == 40
    assert found["DC.identifier"] == DOI
    assert names.count("DC.creator") == 2


def test_landing_page_shows_the_article(landing: ElementTree.Element) -> None:
    text = " ".join(landing.itertext())
    for words in ("Sebentzov A.B.", "Lomakina А. I.", "Polis. Political Studies",
                  "14 August 2024", "13 January 2025", "Abstract", "Funding",
                  "124032900015-3", "Related articles", "Modern Mongolia"):
        assert words in text, words
    hrefs = {a.get("href") for a in landing.iter("a")}
    assert DOI in hrefs
    assert "https://orcid.org/0000-0001-9665-5666" in hrefs
    references = landing.find(".//ol[@class='references']")
    assert references is not None and len(references) == 40
    cited = {a.get("href") for a in references.iter("a")}
    assert len(cited) == 24 and all(h.startswith("https://doi.org/10.") for h in cited)


def test_signposting_and_alternates(landing: ElementTree.Element, seed_site: Path) -> None:
    links = [(link.get("rel"), link.get("type"), link.get("href"))
             for link in landing.iter("link")]
    assert ("cite-as", None, DOI) in links
    assert ("canonical", None, PAGE_IRI) in links
    assert ("author", None, "https://orcid.org/0000-0001-9665-5666") in links
    assert ("license", None, "https://creativecommons.org/licenses/by/4.0/") in links
    alternates = {t: h for rel, t, h in links if rel == "alternate"}
    described = {t: h for rel, t, h in links if rel == "describedby"}
    assert alternates == described
    for media, ext in (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"),
                       ("application/n-triples", ".nt")):
        href = alternates[media]
        assert href == f"{BASE}work/10.17976/jpps/2025.02.05{ext}"
        assert (seed_site / href[len(BASE):]).is_file()


def test_embedded_jsonld_is_the_record_graph(landing: ElementTree.Element,
                                             seed_site: Path) -> None:
    scripts = [s for s in landing.iter("script") if s.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    data = scripts[0].text or ""
    assert "</" not in data
    embedded = rdflib.Graph().parse(data=data, format="json-ld")
    turtle = rdflib.Graph().parse(seed_site / "work/10.17976/jpps/2025.02.05.ttl",
                                  format="turtle")
    assert len(turtle) > 1000
    assert isomorphic(embedded, turtle)
    quads = list(ox.parse(data.encode(), format=ox.RdfFormat.JSON_LD))
    assert len(quads) == len(turtle)
    subject = ox.NamedNode(DOI)
    assert any(q.subject == subject for q in quads)


def _graph(path: Path, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path.read_bytes(), format=fmt)}


def test_every_minted_iri_has_documents_about_it(seed_site: Path) -> None:
    record = seed_site / "work/10.17976/jpps/2025.02.05.nt"
    minted = {term.value for t in _graph(record, ox.RdfFormat.N_TRIPLES)
              for term in (t.subject, t.object)
              if isinstance(term, ox.NamedNode) and term.value.startswith(BASE)}
    assert len(minted) > 100
    manifest = Manifest.load(seed_site)
    assert manifest.base == BASE
    kinds = set()
    for iri in sorted(minted):
        entry = manifest.lookup("/" + iri[len(BASE):])
        assert entry is not None, iri
        kinds.add(entry.kind)
        for ext, _media in DOCUMENT_FORMATS:
            assert (seed_site / (entry.path + ext)).is_file(), (iri, ext)
        turtle = _graph(seed_site / f"{entry.path}.ttl", ox.RdfFormat.TURTLE)
        node = ox.NamedNode(iri)
        assert any(t.subject == node for t in turtle) or all(t.object == node for t in turtle)
        assert turtle and turtle == _graph(seed_site / f"{entry.path}.jsonld",
                                           ox.RdfFormat.JSON_LD), iri
        assert turtle == _graph(seed_site / f"{entry.path}.nt", ox.RdfFormat.N_TRIPLES)
    assert kinds == {"resource"}
    # Not minted here: no documents.
    assert manifest.lookup("/0000-0001-9665-5666") is None
    assert not any("orcid.org" in key or "doi.org" in key for key in manifest.entries)


def test_shared_node_is_described_with_labels_of_what_it_points_to(seed_site: Path) -> None:
    manifest = Manifest.load(seed_site)
    issue = manifest.lookup("/venue/title/polis-political-studies-b5fb34a0/issue/2025-2")
    assert issue is not None
    text = (seed_site / f"{issue.path}.ttl").read_text("utf-8")
    assert '"Polis. Political Studies"' in text  # the journal's label
    tree, _ = parse_html((seed_site / f"{issue.path}.html").read_bytes())
    rows = [" ".join(r.itertext()) for r in tree.iter("tr")]
    assert any("schema:isPartOf" in r and "Polis. Political Studies" in r for r in rows)


def test_void_describes_the_dump(seed_site: Path) -> None:
    void = ox.Store()
    void.load((seed_site / "void.ttl").read_bytes(), format=ox.RdfFormat.TURTLE)

    def one(query: str) -> Any:
        rows = list(void.query("PREFIX void: <http://rdfs.org/ns/void#> "
                               "PREFIX dcat: <http://www.w3.org/ns/dcat#> "
                               + query.replace("?d ", f"<{BASE}dataset> ")))
        assert len(rows) == 1, query
        return rows[0][0]

    with gzip.open(seed_site / "dataset.nq.gz") as dump:
        quads = list(ox.parse(dump.read(), format=ox.RdfFormat.N_QUADS))
    assert int(one("SELECT ?n { ?d void:triples ?n }").value) == len(quads)
    assert one("SELECT ?e { ?d void:sparqlEndpoint ?e }").value == BASE + "sparql"
    assert one("SELECT ?e { ?d void:dataDump ?e }").value == BASE + "dataset.nq.gz"
    assert one("SELECT ?e { ?d void:uriSpace ?e }").value == BASE
    assert one("SELECT ?e { ?d void:exampleResource ?e }").value == PAGE_IRI
    assert one("SELECT ?l { ?d a void:Dataset ; <http://purl.org/dc/terms/license> ?l }"
               ).value == "https://creativecommons.org/licenses/by/4.0/"
    parts = one("SELECT (SUM(?n) AS ?s) { ?d void:propertyPartition/void:triples ?n }")
    assert int(parts.value) == len(quads)
    assert int(one("SELECT (COUNT(?p) AS ?n) { ?d void:classPartition ?p }").value) > 10
    assert int(one("SELECT (COUNT(?x) AS ?n) { ?d dcat:distribution ?x }").value) == 2
    entry = Manifest.load(seed_site).lookup("/dataset")
    assert entry is not None and entry.path == "void"
    with gzip.open(seed_site / "dataset.nq.gz") as dump:
        assert dump.read().count(b"\n") == len(quads)
    assert (seed_site / "dataset.nq.gz").read_bytes()[4:8] == b"\0\0\0\0"  # mtime 0


def test_sitemap_robots_index_and_server_config(seed_site: Path) -> None:
    tree = ElementTree.fromstring((seed_site / "sitemap.xml").read_bytes())
    locs = [e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs == [PAGE_IRI]
    many = sitemaps([f"{BASE}work/{n}" for n in range(5)], BASE, per_file=2)
    assert list(many) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]
    index = ElementTree.fromstring(many["sitemap.xml"])
    assert index.tag.endswith("sitemapindex") and len(index) == 3
    assert f"Sitemap: {BASE}sitemap.xml" in (seed_site / "robots.txt").read_text()
    index, errors = parse_html((seed_site / "index.html").read_bytes())
    assert errors == []
    assert PAGE_IRI in {a.get("href") for a in index.iter("a")}
    assert "Polis. Political Studies" in " ".join(index.itertext())
    htaccess = (seed_site / ".htaccess").read_text()
    for words in ("AllowEncodedSlashes On", "AddType text/turtle .ttl", "R=303",
                  "append Vary Accept", "RewriteRule ^work/10\\.17976/jpps/2025\\.02\\.05$"):
        assert words in htaccess, words
    nginx = (seed_site / "nginx.conf").read_text()
    assert "map $http_accept $ld_ext" in nginx and "return 303" in nginx


@pytest.fixture(scope="module")
def odd_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SiteReport]:
    folder = tmp_path_factory.mktemp("odd")
    records = native(folder / "records.jsonl", [
        {"key": "local:hostile", "title": HOSTILE_TITLE, "abstracts": [
            {"value": HOSTILE_ABSTRACT, "lang": "de"}],
         "contributors": [{"name": "Mallory <b>bold</b>"}]},
        {"key": "../x", "title": "Escaping key"},
        {"key": "Case", "title": "Upper case key"},
        {"key": "case", "title": "Lower case key"},
    ])
    out = folder / "site"
    return out, build(out, records)


def test_hostile_text_is_escaped(odd_site: tuple[Path, SiteReport]) -> None:
    out, report = odd_site
    assert report.published == 4, report.quarantine
    entry = Manifest.load(out).lookup("/work/local:hostile")
    assert entry is not None
    data = (out / f"{entry.path}.html").read_bytes()
    tree, errors = parse_html(data)
    assert errors == []
    scripts = list(tree.iter("script"))
    assert len(scripts) == 1 and scripts[0].get("type") == "application/ld+json"
    assert tree.find(".//b") is None
    assert tree.find(".//h1") is not None
    assert "".join(tree.find(".//h1").itertext()) == HOSTILE_TITLE  # type: ignore[union-attr]
    embedded = json.dumps(json.loads(scripts[0].text or ""), ensure_ascii=False)
    assert json.dumps(HOSTILE_TITLE) in embedded and json.dumps(HOSTILE_ABSTRACT) in embedded
    assert b"<script>alert" not in data
    abstract = tree.find(".//p[@class='abstract']")
    assert abstract is not None and abstract.get("lang") == "de"


def test_unsafe_or_colliding_keys_go_under_fallback(odd_site: tuple[Path, SiteReport]) -> None:
    out, _ = odd_site
    manifest = Manifest.load(out)
    up = manifest.lookup("/work/..%2fx")
    assert up is not None and up.path.startswith("_/")
    upper, lower = manifest.lookup("/work/Case"), manifest.lookup("/work/case")
    assert upper is not None and lower is not None
    assert upper.path == "work/Case" and lower.path.startswith("_/")
    htaccess = (out / ".htaccess").read_text()
    nginx = (out / "nginx.conf").read_text()
    for entry in (up, lower):
        for ext, _ in DOCUMENT_FORMATS:
            assert (out / (entry.path + ext)).is_file()
        assert entry.path in htaccess and entry.path in nginx
    assert "work/\\.\\.%2[Ff]x" in htaccess
    assert not (out.parent / "x.html").exists()


def test_two_builds_give_the_same_bytes(tmp_path: Path,
                                        odd_site: tuple[Path, SiteReport]) -> None:
    records = odd_site[0].parent / "records.jsonl"
    build(tmp_path / "a", SEED, records)
    build(tmp_path / "b", SEED, records)
    a, b = site_files(tmp_path / "a"), site_files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_rebuild_rewrites_only_what_changed(tmp_path: Path) -> None:
    records = [{"key": "local:one", "title": "First", "container": {"title": "J"}},
               {"key": "local:two", "title": "Second", "container": {"title": "J"},
                "contributors": [{"name": "Ann Other", "affiliations": [{"name": "Uni"}]}]}]
    source = native(tmp_path / "records.jsonl", records)
    out = tmp_path / "site"
    first = build(out, SEED, source)
    assert first.written > 0 and first.removed == 0
    before = {name: (out / name).stat() for name in site_files(out)}

    again = build(out, SEED, source)
    assert again.written == 0 and again.removed == 0
    assert all((out / n).stat().st_ino == s.st_ino for n, s in before.items())

    records[0]["title"] = "First, revised"
    del records[1]["contributors"]
    native(source, records)
    changed = build(out, SEED, source)
    after = site_files(out)
    rewritten = {n for n, s in before.items()
                 if n in after and (out / n).stat().st_ino != s.st_ino}
    assert {"work/local:one.html", "work/local:one.ttl", "index.html", "void.ttl",
            "dataset.nq.gz", "site.json"} <= rewritten
    assert not any(n.startswith(("work/10.17976", "venue/", "person/")) for n in rewritten)
    new = {n for n in after if n not in before}
    assert changed.written == len(rewritten) + len(new)
    gone = {n for n in before if n not in after}
    assert any(n.startswith("organization/uni") for n in gone)
    assert any(n.startswith("work/local:two/author/") for n in gone)
    assert changed.removed == len(gone)
    manifest = Manifest.load(out)
    assert all(not n.startswith("organization/uni") for n in manifest.entries)
    assert not list(out.rglob(".*.tmp"))


def test_records_with_few_fields_make_valid_pages(tmp_path: Path) -> None:
    corpus = FIXTURES / "corpus"
    inputs = [corpus / "crossref", corpus / "jats", corpus / "datacite", corpus / "ris",
              FIXTURES / "native" / "minimal.json", FIXTURES / "csl" / "items.json"]
    report = build(tmp_path, *inputs)
    assert report.published >= 6
    manifest = Manifest.load(tmp_path)
    records = [e for e in manifest.entries.values() if e.kind == "record"]
    assert len(records) == report.published
    for entry in records:
        tree, errors = parse_html((tmp_path / f"{entry.path}.html").read_bytes())
        assert errors == [], entry.path
        assert any(n == "citation_title" for n, _ in metas(tree)), entry.path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    return subprocess.run([sys.executable, "-m", "ld_publish", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def test_cli_base_must_end_in_slash(tmp_path: Path) -> None:
    result = run("site", str(SEED), "-o", str(tmp_path / "s"), "--base", "http://x.example/ld")
    assert result.returncode == 2
    assert "must end in /" in result.stderr and "hint:" in result.stderr
    assert not (tmp_path / "s").exists()
    result = run("site", str(SEED), "-o", str(tmp_path / "s"))
    assert result.returncode == 2 and "needs --base" in result.stderr
    assert not (tmp_path / "s").exists()


def test_cli_builds_a_site(tmp_path: Path) -> None:
    result = run("site", str(SEED), "-o", str(tmp_path / "s"), "--base", BASE, "-j", "1",
                 "--title", "Polis LD")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "1 published" in result.stderr
    assert Manifest.load(tmp_path / "s").title == "Polis LD"


@pytest.mark.parametrize("profile", ["schema", "spar"])
def test_pages_in_one_vocabulary_profiles(tmp_path: Path, profile: str) -> None:
    from ld_publish.mapping import Profile

    build_site([str(SEED)], tmp_path, Options(base=BASE, workers=1, profile=Profile(profile)))
    tree, errors = parse_html((tmp_path / "work/10.17976/jpps/2025.02.05.html").read_bytes())
    assert errors == []
    names = [n for n, _ in metas(tree)]
    assert names.count("citation_author") == 2
    assert names.count("citation_reference") == 40
    found = dict(metas(tree))
    assert found["citation_journal_title"] == "Polis. Political Studies"
    assert found["citation_doi"] == "10.17976/jpps/2025.02.05"


def test_quarantined_records_are_reported_not_published(tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = build(out, FIXTURES / "native" / "records.jsonl")
    assert report.read == report.published + report.quarantined
    assert report.quarantined >= 2 and report.published >= 2
    saved = json.loads((out / "report.json").read_text())
    assert saved["quarantined"] == report.quarantined
    assert all(entry["reason"] for entry in saved["quarantine"])
    manifest = Manifest.load(out)
    pages = {key for key, e in manifest.entries.items() if e.kind == "record"}
    assert "work/local:one" in pages and "work/local:three" not in pages
    # A damaged manifest is not the end of the site: the next build compares bytes instead.
    (out / "site.json").write_text("{not json")
    again = build(out, FIXTURES / "native" / "records.jsonl")
    assert again.published == report.published
    assert Manifest.load(out).entries == manifest.entries


def test_cli_lists_quarantined_records(tmp_path: Path) -> None:
    result = run("site", str(FIXTURES / "native" / "records.jsonl"), "-o", str(tmp_path / "s"),
                 "--base", BASE, "-j", "1", "--strict")
    assert result.returncode == 1
    assert result.stderr.count("quarantined ") == 3 and "titel" in result.stderr


def test_a_shared_node_is_described_from_every_record(tmp_path: Path) -> None:
    source = native(tmp_path / "records.jsonl", [
        {"key": "local:a", "title": "A", "contributors": [
            {"name": "Ann", "affiliations": [{"name": "Uni", "city": "Bonn"}]}]},
        {"key": "local:b", "title": "B", "contributors": [
            {"name": "Bob", "affiliations": [{"name": "Uni", "city": "Köln"}]}]}])
    out = tmp_path / "site"
    build(out, source)
    manifest = Manifest.load(out)
    orgs = [e for k, e in manifest.entries.items() if k.startswith("organization/")]
    assert len(orgs) == 1
    triples = _graph(out / f"{orgs[0].path}.ttl", ox.RdfFormat.TURTLE)
    addresses = {t.object for t in triples if t.predicate.value == "http://schema.org/address"}
    assert len(addresses) == 2  # one from each record
