"""RIS reader: corpus record, record splitting with quarantine, odd values as notices."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from ld_publish.cli import main
from ld_publish.model import Rejected, Work, WorkType
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource
from tests.paths import CORPUS as CORPUS_DIR

CORPUS = CORPUS_DIR / "ris" / "bolognese_crossref_elife01567.ris"
FIXTURE = Path(__file__).parent / "fixtures" / "ris" / "three_records.ris"


def read_bytes(data: bytes, name: str = "x.ris") -> list[Work | Rejected]:
    return list(readers.get("refman").read(InputSource.from_bytes(name, data)))


def test_sniff() -> None:
    data = CORPUS.read_bytes()
    assert detect(InputSource.from_bytes("noext", data)).name == "ris"
    for other in ("bibtex", "csl-json", "datacite", "schema-org"):
        assert readers.get(other).sniff(data, "x.ris") == 0


def test_corpus_record() -> None:
    [work] = readers.get("ris").read(InputSource.from_path(CORPUS))
    assert isinstance(work, Work)
    assert work.key == "10.7554/elife.01567"
    doi = work.identifier("doi")
    assert doi is not None and doi.original == "10.7554/eLife.01567"
    assert work.type is WorkType.JOURNAL_ARTICLE
    assert [(c.family, c.given) for c in work.authors()] == [
        ("Sankar", "Martial"), ("Nieminen", "Kaisa"), ("Ragni", "Laura"),
        ("Xenarios", "Ioannis"), ("Hardtke", "Christian S")]
    assert work.container is not None and work.container.title == "eLife"
    assert work.date("published").iso() == "2014"
    assert work.volume == "3"
    assert work.abstracts[0].value.startswith("Among various advantages")
    assert work.url == "http://elifesciences.org/lookup/doi/10.7554/eLife.01567"
    assert work.notices == () and work.unmapped == ()


def test_three_records_with_broken_type_line_in_the_middle() -> None:
    records = list(readers.get("ris").read(InputSource.from_path(FIXTURE)))
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    broken = records[1]
    assert isinstance(broken, Rejected)
    assert broken.source.position == 2 and broken.source.line == 12
    assert broken.raw.startswith("TY  JOUR") and "Broken type line" in broken.raw
    assert "TY" in broken.reason


def test_first_record_odd_values_are_notices() -> None:
    first = next(r for r in readers.get("ris").read(InputSource.from_path(FIXTURE)))
    assert isinstance(first, Work)
    notices = {n.field: n for n in first.notices}
    assert first.title is not None and first.title.value == "First & best"
    assert "TI" in notices  # HTML entity
    assert [c.name for c in first.authors()] == ["Sankar, Martial", "Smith, J.", "Doe, Jane"]
    assert "AU[1]" in notices
    assert [c.name for c in first.contributors if c.role == "editor"] == ["Editor, Ed"]
    assert first.doi == "10.7554/elife.01567" and "DO" in notices  # DOI as URL
    assert "is a placeholder" in notices["SN[0]"].message
    assert notices["PY"].severity == "violation"  # 2015-02-29
    assert first.date("published").iso() == "2015-02"
    assert first.unmapped == ("N1",)


def test_third_record_chapter_dates_pages_keywords() -> None:
    third = list(readers.get("ris").read(InputSource.from_path(FIXTURE)))[2]
    assert isinstance(third, Work)
    assert third.type is WorkType.BOOK_CHAPTER
    assert third.container is not None and third.container.title == "A Book"
    assert [i.value for i in third.container.identifiers] == ["9783161484100"]
    assert [d.value.iso() for d in third.dates] == ["2014-02-11"]
    assert third.pages is not None and (third.pages.first, third.pages.last) == ("10", "20")
    assert [k.value for k in third.keywords] == ["alpha", "beta"]
    assert third.abstracts[0].value == "An abstract that wraps over lines."
    assert "TY" in {n.field for n in third.notices}  # "TY - CHAP" spacing


def test_missing_er_is_rejected_and_next_record_survives() -> None:
    data = b"TY  - JOUR\nTI  - No end\nTY  - BOOK\nTI  - Fine\nER  - \n"
    records = read_bytes(data)
    assert [type(r).__name__ for r in records] == ["Rejected", "Work"]
    assert "ER" in records[0].reason  # type: ignore[union-attr]


def test_unknown_type_becomes_other_with_notice() -> None:
    [work] = read_bytes(b"TY  - WXYZ\nTI  - T\nER  -")
    assert isinstance(work, Work) and work.type is WorkType.OTHER
    assert any(n.field == "TY" for n in work.notices)


@given(st.lists(st.sampled_from(["JOUR", "BOOK", "CHAP", "THES", "DATA", "RPRT"]),
                min_size=1, max_size=8), st.booleans())
def test_record_count_and_order_survive_line_endings(types: list[str], crlf: bool) -> None:
    newline = "\r\n" if crlf else "\n"
    text = newline.join(f"TY  - {t}{newline}TI  - Title {i}{newline}ER  - "
                        for i, t in enumerate(types))
    records = read_bytes(("\ufeff" + text).encode())
    assert [r.title.value for r in records if isinstance(r, Work) and r.title] == [
        f"Title {i}" for i in range(len(types))]


# A UTF-8 file whose second record was pasted from a Latin-1 source: "Café" as the byte E9.
MIXED = (b"TY  - JOUR\nTI  - Good one\nAU  - Smith, J.\nPY  - 2020\nER  - \n"
         b"TY  - JOUR\nTI  - Caf\xe9 society\nAU  - Doe, J.\nPY  - 2020\nER  - \n"
         b"TY  - JOUR\nTI  - Good three\nAU  - Roe, R.\nPY  - 2021\nER  - \n")


def test_latin1_record_in_utf8_file_is_quarantined_alone() -> None:
    records = read_bytes(MIXED, "mixed.ris")
    assert [type(r).__name__ for r in records] == ["Work", "Rejected", "Work"]
    bad = records[1]
    assert isinstance(bad, Rejected)
    assert bad.source.position == 2 and bad.source.line == 6
    assert bad.field == "TI"
    assert "line 7" in bad.reason and "UTF-8" in bad.reason
    assert bad.hint is not None and "UTF-8" in bad.hint
    assert "TI  - Caf\ufffd society" in bad.raw  # the user sees which line to fix
    assert [r.title.value for r in records if isinstance(r, Work) and r.title] == [
        "Good one", "Good three"]


def test_latin1_record_through_the_cli_keeps_the_good_records(tmp_path: Path) -> None:
    source = tmp_path / "mixed.ris"
    source.write_bytes(MIXED)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(source), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert (report["read"], report["written"], report["quarantined"]) == (3, 2, 1)
    assert report["failed_sources"] == []
    [bad] = [r for r in report["records"] if r["status"] == "quarantined"]
    assert "field TI" in bad["reason"] and "hint:" in bad["reason"]


def test_bad_bytes_on_a_continuation_line_name_the_wrapped_field() -> None:
    data = b"TY  - JOUR\nTI  - T\nAB  - first part\n  second p\xe4rt\nER  - \n"
    [bad] = read_bytes(data)
    assert isinstance(bad, Rejected) and bad.field == "AB" and "line 4" in bad.reason


def test_utf16_with_bom_is_still_read() -> None:
    text = "TY  - JOUR\r\nTI  - Café\r\nER  - \r\n"
    [work] = read_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    assert isinstance(work, Work) and work.title is not None and work.title.value == "Café"


def test_old_mac_line_ends_still_split() -> None:
    records = read_bytes(b"TY  - JOUR\rTI  - One\rER  - \rTY  - BOOK\rTI  - Two\rER  - \r")
    assert [r.title.value for r in records if isinstance(r, Work) and r.title] == ["One", "Two"]
