"""The record pipeline: order and equality across worker counts, and a record that breaks
ld-publish itself is quarantined instead of ending the run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ld_publish.model import Contributor, Source, Text, Work
from ld_publish.pipeline import Options, process, process_work

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_export import generate


def test_parallel_and_serial_runs_give_the_same_outcomes_in_input_order(
        tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    generate(records, 150, size="compact")  # > one chunk, so the pool is used
    with records.open("a", encoding="utf-8") as handle:
        handle.write("{not json}\n")  # a reader rejection among worker results keeps its place
    # The same keys again: quarantined as duplicates, in parallel as in serial runs.
    generate(tmp_path / "more.jsonl", 40, seed=11, size="compact")
    inputs = [str(records), str(tmp_path / "more.jsonl")]
    serial = list(process(inputs, Options(workers=1, formats=("turtle", "jsonld"))))
    parallel = list(process(inputs, Options(workers=2, formats=("turtle", "jsonld"))))
    assert [o.key for o in serial] == [o.key for o in parallel]
    assert len(serial) == 191
    assert [o.documents for o in serial] == [o.documents for o in parallel]
    assert [o.reason for o in serial] == [o.reason for o in parallel]
    rejected = [o for o in serial if o.quarantined]
    assert len(rejected) == 41
    assert "not valid JSON" in (rejected[0].reason or "")
    assert all("same key" in (o.reason or "") for o in rejected[1:])
    # 150 records, then the bad line, then the second file: order is input order.
    assert serial[150].quarantined
    keys = [json.loads(line)["key"] for line in records.read_text().splitlines()[:150]]
    assert [o.key for o in serial[:150]] == keys


def test_a_record_that_breaks_ld_publish_is_quarantined_not_fatal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A contributor role the mapping does not know: the model's Literal is not enforced at
    # run time, so a buggy reader could produce it.
    work = Work(key="k1", source=Source("x.json", "json"), title=Text("T"),
                contributors=(Contributor("A. Person", 1, role="illustrator"),))  # type: ignore[arg-type]
    outcome = process_work(work, Options())
    assert outcome.quarantined
    assert "ld-publish failed on this record" in (outcome.reason or "")
    assert outcome.hint and "LD_PUBLISH_DEBUG" in outcome.hint
    monkeypatch.setenv("LD_PUBLISH_DEBUG", "1")
    with pytest.raises(KeyError):
        process_work(work, Options())
