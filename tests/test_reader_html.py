"""The html reader: a real saved arXiv page, a synthetic page with every tag, JSON-LD merged,
hostile pages quarantined or cleaned."""

from __future__ import annotations

from pathlib import Path

import pytest

from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource

FIXTURES = Path(__file__).parent / "fixtures" / "html"
ARXIV = FIXTURES / "commonmeta-py_arxiv_1902.02534.html"
SYNTHETIC = FIXTURES / "synthetic_all_tags.html"


def read(path: Path) -> list[Work | Rejected]:
    source = InputSource.from_path(path)
    assert detect(source).name == "html"
    return list(readers.get("html").read(source))


def page(tmp_path: Path, head: str, name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(f"<!DOCTYPE html><html><head>{head}</head><body></body></html>", "utf-8")
    return path


def test_real_arxiv_page() -> None:
    [work] = read(ARXIV)
    assert isinstance(work, Work), work
    assert work.key == "arxiv:1902.02534"
    assert work.type is WorkType.PREPRINT
    assert work.title is not None and work.title.value.startswith("Crowdsourcing open citations")
    assert [(a.family, a.given) for a in work.authors()] == [
        ("Heibi", "Ivan"), ("Peroni", "Silvio"), ("Shotton", "David")]
    assert work.date("published").iso() == "2019-02-07"
    assert work.date("published-online").iso() == "2019-06-21"
    assert work.abstracts and work.abstracts[0].value.startswith("In this paper")
    assert ("pdf_url", "http://arxiv.org/pdf/1902.02534") in work.extra


def test_every_highwire_tag() -> None:
    [work] = read(SYNTHETIC)
    assert isinstance(work, Work), work
    assert work.key == work.doi == "10.1234/example.5678"
    assert work.type is WorkType.JOURNAL_ARTICLE
    assert work.title is not None and work.title.value == "Café & ontology alignment"
    jane, richard, consortium = work.authors()
    assert (jane.family, jane.given) == ("Doe", "Jane")
    assert jane.identifier("orcid") is not None
    assert jane.emails == ("jane@example.org",)
    assert [a.name for a in jane.affiliations] == ["University of Somewhere"]
    assert [a.name for a in richard.affiliations] == ["Institute of Things", "Second Lab"]
    assert richard.identifiers == () and consortium.kind == "organization"
    assert work.container is not None
    assert (work.container.title, work.container.short_title) == ("Example Journal", "Ex. J.")
    assert [i.value for i in work.container.identifiers] == ["2050-084X"]
    assert (work.volume, work.issue) == ("12", "3")
    assert work.pages is not None and (work.pages.first, work.pages.last) == ("101", "117")
    assert work.publisher is not None and work.publisher.name == "Example Press"
    assert work.language == "en"
    assert [a.value for a in work.abstracts] == ["We align things."]
    assert [k.value for k in work.keywords] == ["ontology", "alignment", "linked data"]
    assert work.url == "https://example.org/article"
    assert work.date("published").iso() == "2021-03-15"
    assert [lic.url for lic in work.licenses] == ["https://creativecommons.org/licenses/by/4.0/"]
    keyed, plain = work.references
    assert keyed.title == "Linked Data" and keyed.authors == ("T. Berners-Lee", "C. Bizer")
    assert keyed.doi is not None and keyed.doi.value == "10.4018/jswis.2009081901"
    assert (keyed.year, keyed.volume, keyed.pages) == ("2009", "5", "1-22")
    assert keyed.container_title == "Int. J. Semantic Web"
    assert plain.raw is not None and plain.raw.startswith("Smith J.")
    assert plain.doi is not None and plain.doi.value == "10.1000/xyz123"


def test_json_ld_first_highwire_for_what_it_lacks(tmp_path: Path) -> None:
    path = page(tmp_path, """
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
 {"@type": "WebPage", "name": "The page"},
 {"@type": "ScholarlyArticle", "@id": "https://doi.org/10.1234/LD", "name": "JSON-LD title",
  "author": [{"@type": "Person", "givenName": "Ann", "familyName": "Lee",
              "@id": "https://orcid.org/0000-0001-5109-3700"}],
  "datePublished": "2020-05-01", "license": "https://creativecommons.org/licenses/by/4.0/"}]}
</script>
<meta name="citation_title" content="Highwire title">
<meta name="citation_author" content="Somebody Else">
<meta name="citation_volume" content="7">
<meta name="citation_online_date" content="2020/04/20">
<meta name="citation_reference" content="citation_title=Cited; citation_doi=10.1000/cited">
""")
    [work] = read(path)
    assert isinstance(work, Work), work
    assert work.key == "10.1234/ld"
    assert work.title is not None and work.title.value == "JSON-LD title"
    [author] = work.authors()
    assert author.family == "Lee"
    assert work.volume == "7"
    assert work.date("published").iso() == "2020-05-01"
    assert work.date("published-online").iso() == "2020-04-20"
    assert [r.title for r in work.references] == ["Cited"]
    assert work.licenses


def test_a_json_ld_node_without_a_name_takes_the_highwire_title(tmp_path: Path) -> None:
    path = page(tmp_path, '<meta name="citation_title" content="Highwire title">'
                          '<script type="application/ld+json">{"@context": "https://schema.org",'
                          ' "@type": "ScholarlyArticle", "author": {"@type": "Person", '
                          '"name": "Ann Lee"}}</script>')
    [work] = read(path)
    assert isinstance(work, Work) and work.title is not None
    assert work.title.value == "Highwire title"
    assert [a.name for a in work.authors()] == ["Ann Lee"]
    assert not [n for n in work.notices if n.severity == "violation"]


def test_entities_declared_in_a_page_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html"
    path.write_text('<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">'
                    '<!ENTITY ext SYSTEM "file:///etc/passwd">]><html><head>'
                    '<meta name="citation_title" content="T &b; &ext;"></head>'
                    '<body>&b;&ext;</body></html>', "utf-8")
    [work] = read(path)
    assert isinstance(work, Work) and work.title is not None
    assert "aaaa" not in work.title.value and "root:" not in work.title.value


def test_microdata_when_there_is_no_json_ld(tmp_path: Path) -> None:
    path = tmp_path / "micro.html"
    path.write_text("""<html><head><meta name="citation_volume" content="9"></head><body>
<article itemscope itemtype="https://schema.org/ScholarlyArticle">
 <h1 itemprop="headline">Microdata title</h1>
 <span itemprop="author" itemscope itemtype="https://schema.org/Person">
  <span itemprop="name">Ann Lee</span>
  <link itemprop="identifier" href="https://orcid.org/0000-0001-5109-3700"></span>
 <span itemprop="author" itemscope itemtype="https://schema.org/Person">
  <span itemprop="givenName">Bo</span> <span itemprop="familyName">Chen</span></span>
 <time itemprop="datePublished" datetime="2022-02-03">3 Feb</time>
 <meta itemprop="sameAs" content="https://doi.org/10.1234/MICRO">
</article></body></html>""", "utf-8")
    [work] = read(path)
    assert isinstance(work, Work), work
    assert work.title is not None and work.title.value == "Microdata title"
    assert [a.name for a in work.authors()] == ["Ann Lee", "Bo Chen"]
    assert work.doi == "10.1234/micro" and work.volume == "9"
    assert work.date("published").iso() == "2022-02-03"


def test_dublin_core_is_the_fallback(tmp_path: Path) -> None:
    path = page(tmp_path, """<meta name="DC.Title" content="DC only">
<meta name="DC.Creator" content="Roe, Richard"><meta name="DC.Date" content="2019-01-02">
<meta name="DC.Identifier" content="doi:10.1234/dc"><meta name="DC.Publisher" content="P">""")
    [work] = read(path)
    assert isinstance(work, Work), work
    assert (work.doi, work.title.value if work.title else None) == ("10.1234/dc", "DC only")
    assert [a.family for a in work.authors()] == ["Roe"]
    assert work.date("published").iso() == "2019-01-02"


def test_script_in_a_title_becomes_text(tmp_path: Path) -> None:
    path = page(tmp_path, '<meta name="citation_title" content="&lt;script&gt;alert(1)'
                          '&lt;/script&gt;Real title&lt;img src=x onerror=alert(2)&gt;">')
    [work] = read(path)
    assert isinstance(work, Work) and work.title is not None
    assert work.title.value == "Real title"
    assert any(n.field == "citation_title" for n in work.notices)


def test_a_huge_attribute_is_left_out(tmp_path: Path) -> None:
    path = page(tmp_path, '<meta name="citation_title" content="Fine">'
                          f'<meta name="citation_abstract" content="{"A" * 200_000}">')
    [work] = read(path)
    assert isinstance(work, Work) and work.abstracts == ()
    assert any(n.field == "citation_abstract" and "left out" in n.message for n in work.notices)


def test_broken_markup_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    path = tmp_path / "broken.html"
    path.write_text('<html><head><meta name="citation_title" content="Unclosed <b>bold">'
                    '<meta name="citation_author" content="Doe, Jane"<meta name=citation_doi '
                    'content=10.1234/broken><div></span></p><script>var x = "</head>";',
                    "utf-8")
    [work] = read(path)
    assert isinstance(work, Work), work
    assert work.title is not None and work.title.value == "Unclosed bold"


def test_remote_json_ld_context_quarantines_the_page(tmp_path: Path) -> None:
    path = page(tmp_path, '<meta name="citation_title" content="T">'
                          '<script type="application/ld+json">{"@context": '
                          '"https://evil.example/context.jsonld", "@type": "ScholarlyArticle",'
                          ' "name": "x"}</script>')
    [item] = read(path)
    assert isinstance(item, Rejected)
    assert "remote" in item.reason


def test_a_page_without_metadata_is_quarantined(tmp_path: Path) -> None:
    [item] = read(page(tmp_path, "<title>Just a page</title>"))
    assert isinstance(item, Rejected) and "no article metadata" in item.reason


@pytest.mark.parametrize("bad", ['{"@context": 1, ', "[1, 2"])
def test_json_ld_that_is_not_json_is_noted(tmp_path: Path, bad: str) -> None:
    path = page(tmp_path, f'<meta name="citation_title" content="T">'
                          f'<script type="application/ld+json">{bad}</script>')
    [work] = read(path)
    assert isinstance(work, Work)
    assert any("not JSON" in n.message for n in work.notices)


def test_a_folder_of_pages(tmp_path: Path) -> None:
    from ld_publish.sources import expand
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_bytes(ARXIV.read_bytes())
    (folder / "b.htm").write_bytes(SYNTHETIC.read_bytes())
    keys = []
    for source in expand([str(folder)]):
        reader = detect(source)
        assert reader.name == "html"
        keys += [w.key for w in reader.read(source) if isinstance(w, Work)]
    assert keys == ["arxiv:1902.02534", "10.1234/example.5678"]
