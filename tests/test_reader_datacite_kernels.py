"""DataCite XML of every kernel from 2.0 to 4.x: real 2.2 and 3.0 files, synthetic 2.1 and 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from ld_publish.model import Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource

FIXTURES = Path(__file__).parent / "fixtures" / "datacite"
KERNEL_22 = FIXTURES / "kernel-2.2_bolognese_datacite-schema-2.2.xml"
KERNEL_30 = FIXTURES / "kernel-3.0_bolognese_datacite-example-complicated-v3.0.xml"
KERNEL_4 = FIXTURES / "kernel4_dataset.xml"

# Kernel 2.1 as data centres wrote it: creatorName only, a Funder contributor, the top-level
# <rights> (a URL), two <publisher> elements, dates.
KERNEL_21 = """<?xml version="1.0" encoding="UTF-8"?>
<resource xmlns="http://datacite.org/schema/kernel-2.1">
  <identifier identifierType="DOI">10.1234/K21</identifier>
  <creators><creator><creatorName>Doe, Jane</creatorName>
    <nameIdentifier nameIdentifierScheme="ORCID">0000-0002-1825-0097</nameIdentifier>
  </creator><creator><creatorName>Example Consortium</creatorName></creator></creators>
  <titles><title>Kernel two</title><title titleType="Subtitle">a test</title></titles>
  <publisher>First Press</publisher><publisher>Second Press</publisher>
  <publicationYear>2011</publicationYear>
  <contributors>
    <contributor contributorType="Funder"><contributorName>Science Fund</contributorName>
    </contributor>
    <contributor contributorType="Editor"><contributorName>Roe, Richard</contributorName>
    </contributor>
  </contributors>
  <dates><date dateType="Created">2010-05-01</date><date dateType="Valid">2012</date></dates>
  <resourceType resourceTypeGeneral="Text">Report</resourceType>
  <rights>http://creativecommons.org/licenses/by/3.0/</rights>
</resource>
"""

# Kernel 3 (namespace without minor version) with an ORCID creator and rightsList.
KERNEL_3 = """<resource xmlns="http://datacite.org/schema/kernel-3">
  <identifier identifierType="DOI">10.1234/K3</identifier>
  <creators><creator><creatorName>Fenner, Martin</creatorName>
    <nameIdentifier schemeURI="http://orcid.org/" nameIdentifierScheme="ORCID"
      >0000-0003-1419-2405</nameIdentifier></creator></creators>
  <titles><title>Kernel three</title></titles><publisher>DataCite</publisher>
  <publicationYear>2015</publicationYear>
  <resourceType resourceTypeGeneral="Text">Blog Post</resourceType>
  <rightsList><rights rightsURI="https://creativecommons.org/licenses/by/4.0/">CC BY</rights>
  </rightsList>
  <descriptions><description descriptionType="Abstract">An abstract.</description>
  </descriptions>
</resource>
"""


def read_one(path: Path) -> Work:
    source = InputSource.from_path(path)
    assert detect(source).name == "datacite"
    [work] = readers.get("datacite").read(source)
    assert isinstance(work, Work), work
    return work


def test_real_kernel_2_2_file() -> None:
    work = read_one(KERNEL_22)
    assert work.key == work.doi == "10.6080/k0f769gp"
    assert work.type is WorkType.DATASET
    assert work.title is not None and work.title.value.startswith("Single-unit recordings")
    authors = work.authors()
    assert len(authors) == 15
    assert (authors[0].name, authors[0].given, authors[0].family) == (
        "Theunissen, Frederic E.", "Frederic E.", "Theunissen")
    assert authors[-1].name == "Vinje, WE" and authors[-1].position == 15
    assert work.publisher is not None and work.publisher.name == "CRCNS.org"
    assert work.date("published").iso() == "2009"
    assert [k.value for k in work.keywords][:2] == ["Neuroscience", "Electrophysiology"]
    assert work.version == "1.0" and work.language == "eng"
    assert "descriptions[0] (Other)" in work.unmapped


def test_real_kernel_3_0_file() -> None:
    work = read_one(KERNEL_30)
    assert work.key == work.doi == "10.5072/testpub"
    assert work.type is WorkType.BOOK  # Text / Monograph
    assert [c.name for c in work.authors()] == ["Smith, John", "つまらないものですが"]
    [collector] = [c for c in work.contributors if c.role == "contributor"]
    assert collector.identifier("orcid") is not None
    assert collector.identifier("orcid").value == "0000-0001-5393-1421"  # type: ignore[union-attr]
    assert [t.value for t in work.translated_titles] == ["Translation of Polish titles"]
    assert [lic.url for lic in work.licenses] == ["http://creativecommons.org/licenses/by-nd/2.0/"]
    assert work.subjects == ("830 German & related literatures",)
    assert [r.relation for r in work.related] == ["is-part-of"]
    assert work.abstracts and work.abstracts[0].value.startswith("Lorem ipsum")


@pytest.mark.parametrize("text, ns", [(KERNEL_21, "kernel-2.1"), (KERNEL_3, "kernel-3")])
def test_older_namespaces_are_detected(text: str, ns: str, tmp_path: Path) -> None:
    path = tmp_path / f"{ns}.xml"
    path.write_text(text, "utf-8")
    assert read_one(path).doi is not None


def test_kernel_2_1_differences(tmp_path: Path) -> None:
    path = tmp_path / "k21.xml"
    path.write_text(KERNEL_21, "utf-8")
    work = read_one(path)
    assert work.type is WorkType.REPORT
    jane, consortium = work.authors()
    assert (jane.given, jane.family) == ("Jane", "Doe")
    assert jane.identifier("orcid") is not None
    assert consortium.kind == "organization"
    [editor] = [c for c in work.contributors if c.role == "editor"]
    assert editor.name == "Roe, Richard"
    assert all(c.name != "Science Fund" for c in work.contributors)
    [funding] = work.funding
    assert funding.funder is not None and funding.funder.name == "Science Fund"
    assert [lic.url for lic in work.licenses] == ["http://creativecommons.org/licenses/by/3.0/"]
    assert work.publisher is not None and work.publisher.name == "First Press"
    assert "publisher[1]" in work.unmapped
    assert work.date("created").iso() == "2010-05-01"
    assert [s.value for s in work.subtitles] == ["a test"]


def test_kernel_3_orcid_creator(tmp_path: Path) -> None:
    path = tmp_path / "k3.xml"
    path.write_text(KERNEL_3, "utf-8")
    work = read_one(path)
    [author] = work.authors()
    assert author.identifier("orcid") is not None
    assert author.identifier("orcid").value == "0000-0003-1419-2405"  # type: ignore[union-attr]
    assert work.type is WorkType.BLOG_POST
    assert [lic.url for lic in work.licenses] == ["https://creativecommons.org/licenses/by/4.0/"]


def test_kernel_4_still_read() -> None:
    assert read_one(KERNEL_4).doi is not None


def test_a_look_alike_namespace_is_not_datacite() -> None:
    head = b'<resource xmlns="http://datacite.org/schema/kernel-40"><identifier/></resource>'
    assert readers.get("datacite").sniff(head, "x.xml") == 0
