"""Real triplestores for tests: each started on loopback with a free port, stopped afterwards.

Session-scoped, so each server starts once per test run. When a server binary is missing the
store tests skip, except under ``CI=true`` where they fail with a message naming what to install.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ld_publish.graph import RecordGraph

VIRTUOSO_DBA_PASSWORD = "dba"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing(what: str, hint: str) -> None:
    """Skip locally, fail in CI: a CI run that silently skips its store tests proves nothing."""
    message = f"{what} is not installed: {hint}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def wait_http(url: str, proc: subprocess.Popen[bytes], deadline_s: float, log: Path | None = None,
              auth: httpx.Auth | None = None) -> None:
    deadline = time.monotonic() + deadline_s
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with {proc.returncode} while starting: {detail}")
        try:
            r = httpx.get(url, timeout=2, auth=auth)
            if r.status_code < 500:
                return
            last = f"HTTP {r.status_code}"
        except httpx.HTTPError as e:
            last = str(e)
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up in {deadline_s}s ({last})")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class OxigraphServer:
    base: str
    location: Path
    proc: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/store"


def start_oxigraph(location: Path) -> OxigraphServer:
    exe = shutil.which("oxigraph")
    if exe is None:
        missing("the Oxigraph server binary `oxigraph`", "pip install 'oxigraph>=0.5,<0.6'")
    assert exe is not None
    port = free_port()
    log = location.parent / f"{location.name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([exe, "serve", "--location", str(location), "--bind",
                                 f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/query?query=ASK%7B%7D", proc, 30, log)
    except Exception:
        stop(proc)
        raise
    return OxigraphServer(base, location, proc)


@dataclass
class VirtuosoServer:
    base: str
    directory: Path
    isql_port: int
    proc: subprocess.Popen[bytes]
    user: str = "dba"
    password: str = VIRTUOSO_DBA_PASSWORD

    def isql(self, sql: str) -> str:
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.isql_port}", self.user, self.password, "VERBOSE=OFF",
             f"EXEC={sql}"], capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql failed: {result.stdout}{result.stderr}")
        return result.stdout


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
DirsAllowed = ., {d}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
TransactionAfterImageLimit = 50000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}/www
MaxClientConnections = 8
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
ServerThreads = 8
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 120
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
DeferInferenceRulesInit = 0
"""


def start_virtuoso(directory: Path) -> VirtuosoServer:
    exe = shutil.which("virtuoso-t")
    if exe is None or shutil.which("isql-vt") is None:
        missing("Virtuoso (virtuoso-t, isql-vt)", "apt-get install virtuoso-opensource")
    assert exe is not None
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "www").mkdir(exist_ok=True)
    isql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, isql_port=isql_port, http_port=http_port))
    log = directory / "virtuoso.log"
    with (directory / "stdout.log").open("wb") as out:
        proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=directory,
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    server = VirtuosoServer(base, directory, isql_port, proc)
    try:
        wait_http(f"{base}/sparql?query=ASK%7B%7D", proc, 90, log)
        # The anonymous SPARQL user may update, so /sparql works for tests of the unauthenticated
        # profile; the digest-authenticated endpoints are exercised with dba.
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL"')
        server.isql("GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO \"SPARQL\"")
        server.isql("GRANT EXECUTE ON DB.DBA.SPARQL_DELETE_DICT_CONTENT TO \"SPARQL\"")
    except Exception:
        stop(proc)
        raise
    return server



EX = "https://example.org/"


def synthetic_graph(n: int, *, title: str | None = None, extra: int = 3,
                    marker: str = "") -> RecordGraph:
    """A record graph like the mapping's: a work with a title and ``extra`` more triples."""
    root = ox.NamedNode(f"{EX}work/{n}")
    schema = "http://schema.org/"
    triples = [
        ox.Triple(root, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{schema}ScholarlyArticle")),
        ox.Triple(root, ox.NamedNode(f"{schema}name"),
                  ox.Literal(title if title is not None else f"Work {n}{marker}")),
    ]
    for i in range(extra):
        triples.append(ox.Triple(root, ox.NamedNode(f"{schema}keywords"),
                                 ox.Literal(f"keyword {n}.{i}", language="en")))
    return RecordGraph.build(key=f"test:{n}", name=f"{EX}graph/{n}", root=root.value,
                             triples=triples)


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
