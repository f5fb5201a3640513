"""Records and reports cross process boundaries; the fast reduction must rebuild them exactly."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from ld_publish.model import DateValue, Work
from ld_publish.pipeline import Options, process, read_records
from tests.paths import CORPUS as CORPUS_DIR

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CORPUS = CORPUS_DIR


def _works() -> list[Work]:
    inputs = [str(SAMPLES)] + ([str(CORPUS)] if CORPUS.is_dir() else [])
    return [w for w in read_records(inputs) if isinstance(w, Work)]


def test_every_sample_and_corpus_record_survives_a_round_trip() -> None:
    works = _works()
    assert len(works) >= 7
    for work in works:
        back = pickle.loads(pickle.dumps(work))
        assert back == work
        assert type(back.contributors) is tuple


def test_reports_survive_a_round_trip() -> None:
    reports = [o.report for o in process([str(SAMPLES)], Options(workers=1, formats=()))]
    assert reports and all(r is not None for r in reports)
    assert any(r.findings for r in reports if r is not None)
    for report in reports:
        assert pickle.loads(pickle.dumps(report)) == report


def test_unpickling_goes_through_the_constructor() -> None:
    # (cls, values): a corrupted or forged pickle is rebuilt by __init__, whose checks run.
    cls, values = DateValue(2024, 5, 1).__reduce__()
    assert cls is DateValue and values == (2024, 5, 1, None, None)
    with pytest.raises(ValueError):
        cls(2024, 13, 1, None, None)
