"""A merge-heavy export: every one of 800 works described twice, in two files, some a third
time. With the store of records to merge made tiny (``LD_PUBLISH_MERGE_SPILL``), nearly all of
it on disk, the run must write what it writes with every record in memory, byte for byte.

The second copy is shuffled, so most first records are read again ahead of their turn and wait
in the store; a few merges break the shapes (quarantined, the first record stays); a key
repeated within the copy stays a duplicate.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from ld_publish.merge_store import SPILL_VARIABLE
from tests.test_merge_export import ROOT, cli, folder_bytes

sys.path.insert(0, str(ROOT / "bench"))
from bench_export import generate, second_copy, synthetic_record

WORKS = 800  # 3,000 took 90 s of the suite; the disk side spills from the 4th record


def _inputs(folder: Path) -> list[str]:
    first, copy, third = folder / "first.jsonl", folder / "copy.jsonl", folder / "third.jsonl"
    generate(first, WORKS, size="compact")
    rng = random.Random(7)  # generate's: the same records
    records = [synthetic_record(n, rng, "compact") for n in range(WORKS)]
    copies = [second_copy(record, n) for n, record in enumerate(records)]
    for n in range(0, WORKS, 200):
        # Valid alone; merged, accepted before received: the merge is quarantined.
        copies[n] = {**copies[n], "dates": [{"kind": "published", "value": "2024-05-01"},
                                            {"kind": "accepted", "value": "2023-01-01"}]}
    order = list(range(WORKS))
    random.Random(11).shuffle(order)
    lines = [json.dumps(copies[n]) for n in order]
    lines.insert(100, lines[7])  # a key twice in one file: a duplicate, not a merge
    copy.write_text("".join(line + "\n" for line in lines), "utf-8")
    thirds = [{**records[n], "subjects": ["Regional studies"]} for n in range(WORKS - 1, 0, -97)]
    third.write_text("".join(json.dumps(r) + "\n" for r in thirds), "utf-8")
    return [str(first), str(copy), str(third)]


def _export(out: Path, inputs: list[str], spill: int) -> dict[str, Any]:
    result = cli("export", *inputs, "-o", str(out), "-q", "-j", "2", "--to", "turtle",
                 env={SPILL_VARIABLE: str(spill)})
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads((out / "report.json").read_text("utf-8"))
    return report


def test_a_run_with_its_records_to_merge_on_disk_writes_what_it_writes_in_memory(
        tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    memory = _export(tmp_path / "memory", inputs, spill=1_000_000)
    _export(tmp_path / "disk", inputs, spill=3)
    assert folder_bytes(tmp_path / "disk") == folder_bytes(tmp_path / "memory")

    thirds = len(range(WORKS - 1, 0, -97))
    assert (memory["read"], memory["written"], memory["quarantined"], memory["merged"]) == (
        2 * WORKS + 1 + thirds, WORKS, 1, WORKS + thirds)
    merges = memory["merges"]
    assert len(merges) == WORKS
    # In the order met: the copy's order, not the first file's.
    first_of = {merge["key"]: merge["sources"][0] for merge in merges}
    assert list(first_of) != sorted(first_of)
    assert sum(merge["status"] == "quarantined" for merge in merges) == WORKS // 200
    assert sum(len(merge["sources"]) == 3 for merge in merges) == thirds
    assert all("keywords" in merge["taken"][merge["sources"][1]]
               for merge in merges if merge["status"] == "written")
