"""Session fixture for the S3-compatible server of tests/objectstore.py (registered from
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.objectstore import S3Server, start_s3
from tests.stores import stop


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = start_s3(tmp_path_factory.mktemp("moto") / "moto.log")
    yield server
    stop(server.proc)
