"""Schema.org JSON-LD reader: corpus blog post, @graph with a broken node, remote contexts."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ld_publish.errors import UnsafeInputError
from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource
from tests.paths import CORPUS as CORPUS_DIR

CORPUS = (CORPUS_DIR / "schema-org" /
              "bolognese_schema_org_blogposting_10.5438-4k3m-nyvg.jsonld")
FIXTURE = Path(__file__).parent / "fixtures" / "schemaorg" / "graph.jsonld"


def read_doc(document: object) -> list[Work | Rejected]:
    data = json.dumps(document).encode()
    return list(readers.get("schema-org").read(InputSource.from_bytes("d.jsonld", data)))


def test_sniff() -> None:
    assert detect(InputSource.from_path(CORPUS)).name == "schema-org"
    for other in ("csl-json", "datacite", "bibtex", "ris", "crossref"):
        assert readers.get(other).sniff(CORPUS.read_bytes(), CORPUS.name) == 0


def test_corpus_blog_post() -> None:
    [work] = readers.get("jsonld-input").read(InputSource.from_path(CORPUS))
    source = json.loads(CORPUS.read_text())
    assert isinstance(work, Work)
    assert work.key == "10.5438/4k3m-nyvg"
    assert work.identifier("doi").original == "https://doi.org/10.5438/4K3M-NYVG"  # type: ignore[union-attr]
    assert work.type is WorkType.BLOG_POST
    [author] = work.authors()
    assert (author.given, author.family) == ("Martin", "Fenner")
    assert author.identifier("orcid").value == "0000-0003-1419-2405"  # type: ignore[union-attr]
    assert work.publisher is not None
    assert work.publisher.identifiers[0].value == "https://ror.org/04wxnsj81"
    assert [k.value for k in work.keywords] == ["datacite", "doi", "metadata", "featured"]
    assert work.language == "en"
    assert work.licenses[0].url == "https://creativecommons.org/licenses/by/4.0/"
    assert work.container is not None and work.container.type is WorkType.BLOG
    assert work.container.title == "DataCite Blog"
    cited = {c["@id"].lower().removeprefix("https://doi.org/") for c in source["citation"]}
    assert {r.doi.value for r in work.references if r.doi} == cited
    assert len(work.references) == len(cited)
    assert {d.kind: d.value.iso() for d in work.dates} == {
        "published": "2016-12-20", "created": "2016-12-20", "updated": "2016-12-20"}
    assert work.version == "1.0"
    assert set(work.unmapped) == {"alternateName", "image", "encoding"}


def test_graph_with_broken_node() -> None:
    records = list(readers.get("schema-org").read(InputSource.from_path(FIXTURE)))
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    broken = records[1]
    assert isinstance(broken, Rejected)
    assert (broken.source.position, broken.source.pointer) == (2, "@graph[2]")
    first, third = records[0], records[2]
    assert isinstance(first, Work) and isinstance(third, Work)
    carberry, bad, ligo = first.authors()
    assert carberry.name == "Josiah Carberry"  # resolved from the @graph by @id
    assert carberry.affiliations[0].identifiers[0].value == "https://ror.org/05gq02987"
    assert bad.identifiers == () and any(n.field == "author[1].@id" for n in first.notices)
    assert ligo.kind == "organization"
    assert (first.volume, first.issue) == ("7", "2")
    assert first.container is not None and first.container.title == "Journal"
    assert first.container.identifiers == ()  # placeholder ISSN reported, not kept
    assert first.date("published").iso() == "2015-02"
    assert first.title is not None and first.title.value == "First & best"
    fields = {n.field for n in first.notices}
    assert {"name", "datePublished", "isPartOf.isPartOf.isPartOf.issn[0]", "@id"} <= fields
    grant = first.funding[0]
    assert grant.awards[0].number == "AB-12"
    assert grant.funder is not None and grant.funder.identifiers[0].value == "10.13039/100000001"
    assert third.type is WorkType.DATASET and third.doi == "10.1000/third"


@pytest.mark.parametrize("context", ["https://schema.org", "http://schema.org/",
                                     {"@vocab": "http://schema.org/"},
                                     ["https://schema.org/", {"ex": "http://example.org/"}]])
def test_accepted_contexts(context: object) -> None:
    [work] = read_doc({"@context": context, "@type": "Thesis", "name": "T"})
    assert isinstance(work, Work) and work.type is WorkType.THESIS


@pytest.fixture
def listening_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(b'{"@context": {"@vocab": "http://schema.org/"}}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/context.jsonld", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("where", ["top", "list", "nested", "import"])
def test_remote_context_is_refused_without_a_request(
        listening_server: tuple[str, list[str]], where: str) -> None:
    url, requests = listening_server
    work = {"@type": "ScholarlyArticle", "name": "T"}
    document: dict[str, object]
    if where == "top":
        document = {"@context": url, **work}
    elif where == "list":
        document = {"@context": ["https://schema.org", url], **work}
    elif where == "nested":
        document = {"@context": "https://schema.org",
                    "@graph": [{**work, "author": {"@context": url, "name": "X"}}]}
    else:
        document = {"@context": {"@import": url}, **work}
    with pytest.raises(UnsafeInputError, match="never fetched"):
        read_doc(document)
    assert requests == []
    # The server was listening all along: a fetch would have been recorded.
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
    assert requests == ["/context.jsonld"]


def test_array_of_works_and_non_work_rejected() -> None:
    records = read_doc([
        {"@context": "https://schema.org", "@type": "Book", "name": "B",
         "isbn": "978-3-16-148410-0"},
        {"@context": "https://schema.org", "@type": "Person", "name": "Not a work"},
        {"@context": "https://schema.org", "@type": "Chapter", "name": "C"},
    ])
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    assert records[0].identifiers[0].value == "9783161484100"  # type: ignore[union-attr]
    assert records[2].type is WorkType.BOOK_CHAPTER  # type: ignore[union-attr]


def test_a_graph_of_support_nodes_only_is_an_input_error() -> None:
    # Found by the reader fuzzing: a @graph of 300 Person nodes read as no record at all, and
    # the export said nothing (exit 0, nothing written, nothing failed).
    import json

    import pytest

    from ld_publish.errors import InputError
    from ld_publish.readers import readers
    from ld_publish.sources import InputSource
    person = {"@id": "https://orcid.org/0000-0002-1825-0097", "@type": "Person",
              "name": "Josiah Carberry"}
    data = json.dumps({"@context": {"@vocab": "http://schema.org/"},
                       "@graph": [person] * 300}).encode()
    with pytest.raises(InputError, match="holds no creative work") as info:
        list(readers.get("schema-org").read(InputSource.from_bytes("people.jsonld", data)))
    assert info.value.hint
