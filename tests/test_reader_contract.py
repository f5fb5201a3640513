"""The contract every registered reader keeps, checked for each one by name.

Bad input - empty, cut in half, in the wrong encoding, or a record of another format - gives a
clear error: :class:`~ld_publish.errors.InputError` naming the file (or a ``Rejected`` record
with its reason), exit code 2 through the CLI (or exit 0 with every record quarantined for a
stated reason), and never a traceback. Detection picks the right reader for each sample, and
each reader describes itself. A reader registered later is picked up by the parametrisation;
it then needs a sample in :data:`SAMPLES`.

Known breaches are marked ``xfail(strict=True)`` with their cause, so the suite stays green and
the day a reader is fixed the mark must go.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from ld_publish.cli import main
from ld_publish.errors import InputError, LdPublishError
from ld_publish.model import Rejected, Work
from ld_publish.readers import detect, readers
from ld_publish.sources import InputSource

REPO = Path(__file__).resolve().parents[1]

#: One valid sample per reader (a single record where the format allows it).
SAMPLES: dict[str, str] = {
    "json": "tests/fixtures/native/minimal.json",
    "yaml": "tests/fixtures/native/minimal.yaml",
    "jsonl": "tests/fixtures/native/records.jsonl",
    "page": "tests/fixtures/page/seed.txt",
    "crossref": "samples/crossref-elife-01567.json",
    "jats": "samples/jats-scielo-tinf-e200068.xml",
    "bibtex": "samples/bibtex-oup-otoole2019.bib",
    "ris": "tests/fixtures/ris/three_records.ris",
    "csl-json": "tests/fixtures/csl/items.json",
    "datacite": "samples/datacite-4k3m-nyvg.json",
    "schema-org": "tests/fixtures/schemaorg/graph.jsonld",
    "html": "tests/fixtures/html/commonmeta-py_arxiv_1902.02534.html",
}

#: (reader, other format) pairs where reading the other format is right, not a breach.
COMPATIBLE = {
    ("yaml", "json"): "JSON is YAML and both hold the same ld-publish record",
}

READERS = readers.names()

_BOM = "\ufeff"


def sample_bytes(name: str) -> bytes:
    if name not in SAMPLES:
        pytest.fail(f"reader {name!r} has no sample in SAMPLES; add a valid file for it")
    return (REPO / SAMPLES[name]).read_bytes()


def _latin1(data: bytes) -> bytes:
    """The sample as Latin-1 bytes, with at least one byte that is not valid UTF-8."""
    text = data.decode("utf-8").lstrip(_BOM)
    encoded = text.encode("latin-1", errors="replace")
    if any(b > 127 for b in encoded):
        return encoded
    # An ASCII-only sample: turn one letter past the middle into Latin-1 'é'.
    at = next(i for i in range(len(encoded) // 2, len(encoded)) if chr(encoded[i]).isalpha())
    return encoded[:at] + b"\xe9" + encoded[at + 1:]


#: Damage that may fall after some complete records of a multi-record source: those records
#: may still be read, as long as the damaged part is reported.
DAMAGED = ("truncated", "utf16-no-bom", "latin1")


def bad_inputs(name: str) -> dict[str, bytes]:
    data = sample_bytes(name)
    cases = {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "utf16-no-bom": data.decode("utf-8").lstrip(_BOM).encode("utf-16-le"),
        "latin1": _latin1(data),
    }
    for other in READERS:
        if other != name and other in SAMPLES and (name, other) not in COMPATIBLE:
            cases[f"foreign-{other}"] = sample_bytes(other)
    return cases


# --- known breaches -------------------------------------------------------------------------

#: (reader, case) -> why it breaks the contract through the API (reader.read). None is known:
#: the eight breaches these tests found are fixed. A new one goes here as a strict xfail with its
#: cause, so the suite stays green and the breach stays visible until it is fixed.
API_BREACHES: dict[tuple[str, str], str] = {
}

#: Through the CLI the shapes quarantine some of the records above (no title, no creator), so
#: only these breaches reach the user as published records or as silence.
CLI_BREACHES: dict[tuple[str, str], str] = {
    key: API_BREACHES[key] for key in (
    )
}


def _cases() -> list[tuple[str, str]]:
    return [(name, case) for name in READERS for case in bad_inputs_names(name)]


def bad_inputs_names(name: str) -> list[str]:
    names = ["empty", "truncated", "utf16-no-bom", "latin1"]
    names += [f"foreign-{o}" for o in READERS
              if o != name and o in SAMPLES and (name, o) not in COMPATIBLE]
    return names


def _params(breaches: dict[tuple[str, str], str]) -> list[object]:
    params = []
    for name, case in _cases():
        marks = [pytest.mark.xfail(strict=True, reason=breaches[(name, case)])] \
            if (name, case) in breaches else []
        params.append(pytest.param(name, case, id=f"{name}-{case}", marks=marks))
    return params


# --- (a)-(d) through the API ----------------------------------------------------------------

@dataclass
class ApiOutcome:
    error: LdPublishError | None
    items: list[Work | Rejected]


def read_api(name: str, label: str, data: bytes) -> ApiOutcome:
    reader = readers.get(name)
    items: list[Work | Rejected] = []
    try:
        for item in reader.read(InputSource.from_bytes(label, data)):
            items.append(item)
    except LdPublishError as exc:
        return ApiOutcome(exc, items)
    # Any other exception propagates and fails the test with its traceback: that is the breach.
    return ApiOutcome(None, items)


@pytest.mark.parametrize("name, case", _params(API_BREACHES))
def test_bad_input_gives_a_clear_error_through_the_api(name: str, case: str) -> None:
    label = f"contract/{name}/{case}.input"
    outcome = read_api(name, label, bad_inputs(name)[case])
    works = [i for i in outcome.items if isinstance(i, Work)]
    if case not in DAMAGED:
        assert not works, (f"{name} read {case} as {len(works)} record(s), e.g. "
                           f"{works[0].key} {works[0].title!r}")
    if outcome.error is not None:
        assert isinstance(outcome.error, InputError), repr(outcome.error)
        assert label in str(outcome.error), str(outcome.error)
        return
    rejected = [i for i in outcome.items if isinstance(i, Rejected)]
    assert rejected, (f"{name} gave neither an error nor a rejected record for {case}"
                      + (f"; it read {works[0].key} {works[0].title!r}" if works else ""))
    for item in rejected:
        assert item.reason.strip()
        assert item.source.path == label


# --- (a)-(d) through the CLI ----------------------------------------------------------------

@pytest.fixture(scope="module")
def case_files(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    root = tmp_path_factory.mktemp("contract")
    files = {}
    for name in READERS:
        for case, data in bad_inputs(name).items():
            path = root / name / f"{case}.input"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            files[(name, case)] = path
    return files


@pytest.mark.parametrize("name, case", _params(CLI_BREACHES))
def test_bad_input_gives_a_clear_error_through_the_cli(
        name: str, case: str, case_files: dict[tuple[str, str], Path], tmp_path: Path) -> None:
    path = case_files[(name, case)]
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", "--from", name, str(path), "-o", str(out),
                                       "-j", "1"])
    # An exception other than the exit the CLI chooses is a traceback for the user.
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    if result.exit_code == 2:
        assert str(path) in result.stderr, result.stderr
        # The pipeline turns a reader's stray exception into an InputError that says so.
        assert "bug in ld-publish" not in result.stderr, result.stderr
        return
    assert result.exit_code == 0, (result.exit_code, result.stderr)
    report = json.loads((out / "report.json").read_text("utf-8"))
    quarantined = [r for r in report["records"] if r["status"] == "quarantined"]
    written = [r["key"] for r in report["records"] if r["status"] == "written"]
    if case not in DAMAGED:
        assert not written, f"{name} published {case} as {written}"
    assert quarantined, f"{name} reported nothing wrong with {case}; written: {written}"
    for record in quarantined:
        assert record["reason"].strip() and "same key" not in record["reason"]


@pytest.mark.parametrize("name", READERS)
def test_no_traceback_from_the_real_process(name: str,
                                            case_files: dict[tuple[str, str], Path],
                                            tmp_path: Path) -> None:
    files = [str(p) for (reader, _), p in case_files.items() if reader == name]
    done = subprocess.run([sys.executable, "-m", "ld_publish", "export", "--from", name,
                           *files, "-o", str(tmp_path), "-j", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 2), done.stderr
    assert (tmp_path / "report.json").is_file()


# --- (e) detection and (f) self-description -------------------------------------------------

@pytest.mark.parametrize("name", READERS)
def test_detection_picks_the_right_reader_for_its_sample(name: str) -> None:
    sample_bytes(name)
    source = InputSource.from_path(REPO / SAMPLES[name])
    assert detect(source).name == name


@pytest.mark.parametrize("name", READERS)
def test_other_readers_score_lower_on_the_sample(name: str) -> None:
    sample_bytes(name)
    source = InputSource.from_path(REPO / SAMPLES[name])
    head = source.head()
    own = readers.get(name).sniff(head, source.name)
    assert own > 0
    for other, reader in readers.items():
        if other != name:
            score = reader.sniff(head, source.name)
            assert score < own, f"{other} scores {score} >= {name}'s {own} on {SAMPLES[name]}"


@pytest.mark.parametrize("name", READERS)
def test_reader_describes_itself(name: str) -> None:
    reader = readers.get(name)
    assert reader.name == name
    assert isinstance(reader.description, str) and reader.description.strip()
    assert isinstance(reader.extensions, tuple) and reader.extensions
    assert all(e.startswith(".") and e == e.lower() for e in reader.extensions)
    assert isinstance(reader.aliases, tuple)
    for alias in reader.aliases:
        assert readers.get(alias) is reader


def test_every_sample_is_read_cleanly_by_its_reader() -> None:
    # The bad inputs are derived from these; a sample that is itself bad would prove nothing.
    for name in READERS:
        outcome = read_api(name, SAMPLES[name], sample_bytes(name))
        assert outcome.error is None, (name, str(outcome.error))
        assert any(isinstance(i, Work) for i in outcome.items), name
