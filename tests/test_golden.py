"""Golden graphs: each page fixture (the seed and the site's variants) maps to the graph stored in
tests/golden/page/<name>.ttl. Compared as graphs (isomorphism), with a readable diff of the
triples that differ. Regenerate after an intended mapping change with

    UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py

and review the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from ld_publish.mapping import map_work
from ld_publish.model import Work
from ld_publish.readers import readers
from ld_publish.sources import InputSource
from ld_publish.writers import writers

HERE = Path(__file__).parent
PAGES = sorted((HERE / "fixtures" / "page").glob("*.txt"))
GOLDEN = HERE / "golden" / "page"
# Fixtures that hold no record at all (they are input errors, tested in test_cli.py).
NO_RECORD = {"whitespace_only.txt"}


def _record(path: Path) -> Work:
    # A fixed label: provenance names the source, and goldens must not depend on the cwd.
    source = InputSource.from_bytes(f"fixtures/page/{path.name}", path.read_bytes())
    [work] = list(readers.get("page").read(source))
    assert isinstance(work, Work)
    return work


def _diff(expected: rdflib.Graph, actual: rdflib.Graph) -> str:
    _both, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = ["missing (in golden, not produced):"]
    lines += sorted(f"  - {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_expected)[:40]
    lines += ["unexpected (produced, not in golden):"]
    lines += sorted(f"  + {s.n3()} {p.n3()} {o.n3()}" for s, p, o in only_actual)[:40]
    return "\n".join(lines)


@pytest.mark.parametrize("page", [p for p in PAGES if p.name not in NO_RECORD],
                         ids=lambda p: p.stem)
def test_page_fixture_matches_its_golden_graph(page: Path) -> None:
    turtle = writers.get("turtle").write(map_work(_record(page)).graph)
    golden = GOLDEN / f"{page.stem}.ttl"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(turtle)
    assert golden.exists(), f"no golden file {golden}; run with UPDATE_GOLDEN=1 and review it"
    expected = rdflib.Graph().parse(golden, format="turtle")
    actual = rdflib.Graph().parse(data=turtle, format="turtle")
    assert isomorphic(expected, actual), _diff(expected, actual)


def test_every_golden_file_has_its_fixture() -> None:
    stale = {g.stem for g in GOLDEN.glob("*.ttl")} - {p.stem for p in PAGES}
    assert not stale, f"golden files without a fixture: {sorted(stale)}"
