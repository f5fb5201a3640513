"""Shared pytest setup. Append; do not overwrite (several areas register here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = ["tests.conftest_stores", "tests.conftest_site", "tests.conftest_storage"]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[Any]:
    """A Dask LocalCluster of two worker processes, reached over loopback TCP (one per test
    module that asks: the cluster tests of export, load and site)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client
