"""Sites served by `ld-publish serve --site`, each once per test run (registered from
tests/conftest.py): ``hand_served`` over the hand-written site of tests/sites.py and its store
(tests/test_site_serve.py, test_site_sparql.py), ``served_seed`` over the seed record published
with `site` and loaded with `load` (tests/test_site_e2e.py, test_site_browser.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import FIXTURES
from tests.sites import ROOT, Served, run_env, start_serve, terminate, write_site, write_store
from tests.stores import free_port

SEED = FIXTURES / "page" / "seed.txt"
SEED_DOI = "https://doi.org/10.17976/jpps/2025.02.05"


@dataclass
class SeedSite:
    base: str  # http://127.0.0.1:PORT/, the --base the site was built with and served at
    folder: Path
    store: Path
    served: Served

    @property
    def landing(self) -> str:
        return self.base + "work/10.17976%2Fjpps%2F2025.02.05"


def ld_publish(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "ld_publish", *args], cwd=ROOT, env=run_env(),
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ld-publish {' '.join(args)} exited {result.returncode}: "
                           f"{result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def served_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeedSite]:
    root = tmp_path_factory.mktemp("seed-site")
    # The port first: the site's IRIs must dereference at the server that serves it.
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    ld_publish("site", "-q", str(SEED), "-o", str(root / "site"), "--base", base)
    ld_publish("load", "-q", str(SEED), "--store", str(root / "store"), "--base", base,
               "--quarantine", str(root / "quarantine"))
    served = start_serve(["--site", str(root / "site"), "--store", str(root / "store")],
                         root / "serve.log", port=port)
    yield SeedSite(base, root / "site", root / "store", served)
    if served.proc.poll() is None:
        terminate(served)


@pytest.fixture(scope="session")
def hand_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``site/`` (tests/sites.py) and ``store/`` holding it."""
    folder = tmp_path_factory.mktemp("serve")
    write_site(folder / "site")
    write_store(folder / "store", folder / "site")
    return folder


@pytest.fixture(scope="session")
def hand_served(hand_root: Path) -> Iterator[Served]:
    server = start_serve(["--site", str(hand_root / "site"), "--store",
                          str(hand_root / "store")], hand_root / "serve.log")
    yield server
    if server.proc.poll() is None:
        terminate(server)
