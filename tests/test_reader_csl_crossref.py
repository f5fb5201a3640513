"""CSL-JSON from Crossref content negotiation: detected as CSL, read with its Crossref fields."""

from __future__ import annotations

import json
from pathlib import Path

from ld_publish.model import Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource

FIXTURES = Path(__file__).parent / "fixtures"
WINTER = FIXTURES / "csl" / "crossref_cn_manubot_winter-scabs_10.1038-193293a0.json"
REST = FIXTURES / "corpus" / "crossref" / "commonmeta-py_crossref_10.7554-elife.01567.json"

# A Crossref CSL item with what the real file lacks: ORCID iDs, references, funders, a JATS
# abstract, subjects and an affiliation (field names and shapes as Crossref writes them).
ITEM = {
    "indexed": {"date-parts": [[2018, 8, 7]]}, "reference-count": 2,
    "publisher": "The Royal Society",
    "issue": "141", "content-domain": {"domain": [], "crossmark-restriction": True},
    "published-print": {"date-parts": [[2018, 4]]}, "DOI": "10.1098/rsif.2017.0387",
    "type": "article-journal", "created": {"date-parts": [[2018, 4, 4]]}, "page": "20170387",
    "source": "Crossref", "title": "Opportunities and obstacles for deep learning",
    "volume": "15", "container-title": "Journal of The Royal Society Interface",
    "abstract": "<jats:title>Abstract</jats:title>"
                "<jats:p>Deep <jats:italic>learning</jats:italic>.</jats:p>",
    "author": [
        {"ORCID": "http://orcid.org/0000-0002-5577-3516", "authenticated-orcid": False,
         "given": "Travers", "family": "Ching", "sequence": "first",
         "affiliation": [{"name": "University of Hawaii"}]},
        {"given": "Daniel S.", "family": "Himmelstein", "sequence": "additional",
         "affiliation": []},
        {"ORCID": "http://orcid.org/0000-0000-0000-0000", "given": "Bad", "family": "Orcid",
         "sequence": "additional", "affiliation": []}],
    "funder": [{"DOI": "10.13039/100000936", "name": "Gordon and Betty Moore Foundation",
                "award": ["GBMF 4552"]}],
    "reference": [
        {"key": "r1", "DOI": "10.1371/journal.pbio.1002195", "doi-asserted-by": "publisher"},
        {"key": "r2", "unstructured": "Goodfellow I. 2016 Deep learning."}],
    "license": [{"URL": "http://creativecommons.org/licenses/by/4.0/",
                 "content-version": "vor", "delay-in-days": 0}],
    "published-online": {"date-parts": [[2018, 4, 4]]}, "issued": {"date-parts": [[2018, 4]]},
    "ISSN": ["1742-5689", "1742-5662"], "subject": ["Biophysics", "Bioengineering"],
    "issn-type": [{"value": "1742-5689", "type": "print"},
                  {"value": "1742-5662", "type": "electronic"}],
    "member": "175", "prefix": "10.1098",
}


def test_real_content_negotiation_file_is_detected_and_read_as_csl() -> None:
    source = InputSource.from_path(WINTER)
    assert detect(source).name == "csl-json"
    assert readers.get("crossref").sniff(source.head(), WINTER.name) == 0
    [work] = readers.get("csl-json").read(source)
    assert isinstance(work, Work), work
    assert work.key == work.doi == "10.1038/193293a0"
    assert work.type is WorkType.JOURNAL_ARTICLE
    [author] = work.authors()
    assert (author.given, author.family) == ("GEORGE D.", "WINTER")
    assert work.container is not None and work.container.title == "Nature"
    assert {i.value for i in work.container.identifiers} == {"0028-0836", "1476-4687"}
    assert work.publisher is not None and work.publisher.name == "Springer Nature"
    assert [lic.url for lic in work.licenses] == ["http://www.springer.com/tdm"]
    assert work.date("published-print").iso() == "1962-01"
    assert work.date("published-online").iso() == "1962-01-20"
    assert work.date("created") is not None and work.date("published").iso() == "1962-01"
    assert (work.volume, work.issue, work.pages.text if work.pages else None) == (
        "193", "4812", "293-294")
    assert "indexed" in work.unmapped and "license" not in work.unmapped
    assert not [n for n in work.notices if n.severity == "violation"]


def test_crossref_fields_the_model_holds_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "cn.json"
    path.write_text(json.dumps(ITEM), "utf-8")
    source = InputSource.from_path(path)
    assert detect(source).name == "csl-json"
    [work] = readers.get("csl-json").read(source)
    assert isinstance(work, Work)
    first, second, third = work.authors()
    assert first.identifier("orcid") is not None
    assert first.identifier("orcid").value == "0000-0002-5577-3516"  # type: ignore[union-attr]
    assert [a.name for a in first.affiliations] == ["University of Hawaii"]
    assert second.identifiers == () and third.identifiers == ()
    assert any(n.field == "author[2].ORCID" for n in work.notices)
    assert [r.doi.value if r.doi else r.raw for r in work.references] == [
        "10.1371/journal.pbio.1002195", "Goodfellow I. 2016 Deep learning."]
    [funding] = work.funding
    assert funding.funder is not None and funding.funder.name.startswith("Gordon")
    assert [a.number for a in funding.awards] == ["GBMF 4552"]
    assert [a.value for a in work.abstracts] == ["Deep learning."]
    assert work.subjects == ("Biophysics", "Bioengineering")
    assert work.date("published-online").iso() == "2018-04-04"
    assert work.container is not None
    assert [(i.value, i.qualifier) for i in work.container.identifiers] == [
        ("1742-5689", "print"), ("1742-5662", "electronic")]


def test_rest_message_with_list_titles_stays_crossref() -> None:
    source = InputSource.from_path(REST)
    assert detect(source).name == "crossref"
    assert readers.get("csl-json").sniff(source.head(), REST.name) == 0


def test_a_cut_head_is_judged_by_its_text() -> None:
    text = json.dumps([ITEM], indent=1).encode()
    head = text[: len(text) // 2]
    assert readers.get("csl-json").sniff(head, "x.json") == 85
    assert readers.get("crossref").sniff(head, "x.json") == 0
    rest = REST.read_bytes()
    assert readers.get("crossref").sniff(rest[: len(rest) // 2], REST.name) > 0


def test_a_type_that_is_no_string_is_no_crossref_csl() -> None:
    # Found by the reader fuzzing: a "type" of nested lists made detection raise TypeError.
    from ld_publish.readers.csl_crossref import is_crossref_csl, looks_like_crossref_csl
    item = {"type": [[1]], "title": "x", "indexed": {}, "reference-count": 1}
    assert not is_crossref_csl(item)
    assert not looks_like_crossref_csl(json.dumps([item]).encode())


def test_items_one_per_line_are_read_per_line_under_either_name(tmp_path: Path) -> None:
    """A harvest of content negotiation stores one item per line: read as JSON Lines whether
    the file is called .jsonl or .json, and a bad line costs only itself."""
    [real] = json.loads(WINTER.read_text("utf-8"))
    lines = [json.dumps(real), json.dumps(ITEM), "[1]", "not json", json.dumps(ITEM | {
        "DOI": "10.1098/rsif.2017.0388"})]
    for name in ("harvest.jsonl", "harvest.json"):
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", "utf-8")
        source = InputSource.from_path(path)
        assert detect(source).name == "csl-json"
        got = list(readers.get("csl-json").read(source))
        assert [type(g).__name__ for g in got] == ["Work", "Work", "Rejected", "Rejected",
                                                    "Work"]
        works = [g for g in got if isinstance(g, Work)]
        assert [w.doi for w in works] == ["10.1038/193293a0", "10.1098/rsif.2017.0387",
                                          "10.1098/rsif.2017.0388"]
        assert [w.source.line for w in works] == [1, 2, 5]
        orcid = works[1].authors()[0].identifier("orcid")
        assert orcid is not None and orcid.value == "0000-0002-5577-3516"
        rejected = [g for g in got if not isinstance(g, Work)]
        assert "line 4 is not valid JSON" in rejected[1].reason
