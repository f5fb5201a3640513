"""A real S3-compatible server for tests: moto's, on loopback with a free port.

Started with authentication on (moto's ``INITIAL_NO_AUTH_ACTION_COUNT``): the first three
requests make an IAM user allowed ``s3:*`` and its access key, and every request after them
must be signed with that key, so a wrong secret is refused as AWS refuses it. Clients reach
the server through the standard configuration only (``AWS_ENDPOINT_URL`` and the key in
environment variables, :meth:`S3Server.env`); nothing in s3fs or botocore is patched. When
moto or s3fs is missing the tests skip, except under ``CI=true`` where they fail
(:func:`tests.stores.missing`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.stores import free_port, missing, stop, wait_http

try:
    from distributed import WorkerPlugin
except ImportError:  # the cluster tests skip without Dask
    WorkerPlugin = object

REGION = "us-east-1"
_SETUP_ACTIONS = 3  # create_user, put_user_policy, create_access_key


@dataclass
class S3Server:
    endpoint: str
    key: str
    secret: str
    proc: subprocess.Popen[bytes]

    def env(self, **changes: str | None) -> dict[str, str]:
        """The environment a client of this server runs with: the standard AWS variables,
        nothing from this machine's ~/.aws, no EC2 metadata look-up. ``changes`` override
        (``None``: leave the variable out)."""
        env = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.key,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        env.update((name, value) for name, value in changes.items() if value is not None)
        for name in [name for name, value in changes.items() if value is None]:
            env.pop(name, None)
        return env

    def environ(self, **changes: str | None) -> dict[str, str | None]:
        """:meth:`env` as changes to this process's environment: the storage variables it
        has of its own (a developer's AWS_PROFILE) left out (``None``)."""
        own: dict[str, str | None] = {name: None for name in os.environ
                                      if name.startswith(("AWS_", "FSSPEC_"))}
        left_out = {name: value for name, value in changes.items() if value is None}
        return {**own, **left_out, **self.env(**changes)}

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=self.key, aws_secret_access_key=self.secret)

    def upload(self, bucket: str, folder: Path, prefix: str = "") -> None:
        """Every file under ``folder`` (hidden ones too) as ``prefix/relative/path``."""
        client = self.client()
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                key = "/".join(part for part in (prefix, str(path.relative_to(folder))) if part)
                client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())


def start_s3(log: Path) -> S3Server:
    for module, package in (("moto", "moto[s3]"), ("flask", "flask"),
                            ("flask_cors", "flask-cors"), ("s3fs", "s3fs")):
        if importlib.util.find_spec(module) is None:
            missing(f"{package} (moto's S3 server, or the S3 client)",
                    "scripts/setup test (or pip install 'ld-publish[test]')")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_ACTIONS)})
    try:
        wait_http(f"{endpoint}/moto-api/", proc, 30, log)
        key, secret = _user(endpoint)
    except Exception:
        stop(proc)
        raise
    return S3Server(endpoint, key, secret, proc)


def _user(endpoint: str) -> tuple[str, str]:
    """The IAM user every test signs as (the server's only unauthenticated requests)."""
    import boto3

    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="ld-publish")
    iam.put_user_policy(UserName="ld-publish", PolicyName="s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    created = iam.create_access_key(UserName="ld-publish")["AccessKey"]
    return created["AccessKeyId"], created["SecretAccessKey"]


class StorageEnvironment(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Gives Dask workers a storage configuration (``env``: variables, ``None`` to leave one
    out), as a worker machine's own environment would; undone when unregistered."""

    def __init__(self, env: dict[str, str | None]) -> None:
        self.env = env
        self.before: dict[str, str | None] = {}

    def setup(self, worker: Any) -> None:
        self.before = {name: os.environ.get(name) for name in self.env}
        self._apply(self.env)

    def teardown(self, worker: Any) -> None:
        self._apply(self.before)

    def _apply(self, env: dict[str, str | None]) -> None:
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self.forget_filesystems()

    @staticmethod
    def forget_filesystems() -> None:
        """fsspec keeps one file system per set of arguments, with the credentials it found
        when made: a new environment needs new ones."""
        if "s3fs" in sys.modules:
            sys.modules["s3fs"].S3FileSystem.clear_instance_cache()
