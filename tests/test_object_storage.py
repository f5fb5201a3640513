"""Inputs on object storage: ``s3://`` objects and prefixes read through fsspec and s3fs, from
a real S3-compatible server (moto's, on loopback: tests/objectstore.py), never AWS itself.

A run over objects writes what a run over the same files on disk writes: ``records/`` and
``dataset.nq`` byte for byte, ``report.json`` and the quarantine files except for the labels,
which name the objects by their URLs instead of the files by their paths. The CLI runs in
subprocesses configured only by the standard AWS environment variables.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_export import synthetic_record  # noqa: E402

from tests.objectstore import S3Server, StorageEnvironment  # noqa: E402
from tests.test_cluster import cli, folder_bytes, write_jsonl  # noqa: E402

pytestmark = pytest.mark.storage

BUCKET = "ld-publish-tests"
FIXTURES = ROOT / "tests" / "fixtures"


# ---- the inputs, on disk and in the bucket -------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``big.jsonl`` (300 records, 690 KB: cut into byte ranges by the cluster test) and a
    folder ``in/``: JSON Lines with broken lines, gzip, an uncompressed tar of six members,
    a JATS article, a subfolder whose name sorts differently by path than by string
    (``a/b.jsonl`` before ``a-b.jsonl``), a README and a hidden file (neither read); and
    ``inbox.jsonl`` beside ``in/``, not in it."""
    rng = random.Random(23)
    root = tmp_path_factory.mktemp("corpus")
    write_jsonl(root / "big.jsonl", [synthetic_record(n, rng, "compact") for n in range(300)])
    folder = root / "in"
    write_jsonl(folder / "a" / "b.jsonl", [synthetic_record(n, rng, "compact")
                                           for n in range(300, 310)])
    write_jsonl(folder / "a-b.jsonl", [synthetic_record(n, rng, "compact")
                                       for n in range(310, 320)])
    (folder / "c.jsonl.gz").write_bytes(gzip.compress(b"".join(
        json.dumps(synthetic_record(n, rng, "compact")).encode() + b"\n"
        for n in range(320, 330)), mtime=0))
    members = root / "members"
    for m in range(6):  # 46 KB each: the cluster test reads them in runs of two
        write_jsonl(members / f"m{m}.jsonl", [synthetic_record(n, rng, "compact")
                                              for n in range(400 + 20 * m, 420 + 20 * m)])
    with tarfile.open(folder / "d.tar", "w") as archive:
        for m in range(6):
            archive.add(members / f"m{m}.jsonl", arcname=f"part/m{m}.jsonl")
    (folder / "e.xml").write_bytes(
        (FIXTURES / "jats" / "scielo_packtools_2318-0889-tinf-33-e200068.xml").read_bytes())
    (folder / "f.jsonl").write_bytes((FIXTURES / "native" / "records.jsonl").read_bytes())
    (folder / "README.txt").write_text("not records\n")
    (folder / ".hidden.jsonl").write_text("{not read\n")
    (folder / "empty").mkdir()
    # Beside the folder, its name starting with the folder's: no object of the prefix in/.
    write_jsonl(root / "inbox.jsonl", [synthetic_record(999, rng, "compact")])
    return root


def inputs(root: str) -> list[str]:
    return [f"{root}/big.jsonl", f"{root}/in/"]


@pytest.fixture(scope="module")
def bucket(s3_server: S3Server, corpus: Path) -> str:
    s3_server.client().create_bucket(Bucket=BUCKET)
    s3_server.upload(BUCKET, corpus / "in", "in")
    # What consoles make for an empty folder (the local in/empty/ has no files either).
    s3_server.client().put_object(Bucket=BUCKET, Key="in/empty/", Body=b"")
    s3_server.upload(BUCKET, corpus, "")  # big.jsonl (members/ too, unused)
    return f"s3://{BUCKET}"


def configure(monkeypatch: pytest.MonkeyPatch, env: dict[str, str | None]) -> None:
    """This process's storage configuration for one test (the file systems fsspec keeps
    forgotten, so new ones read it)."""
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    StorageEnvironment.forget_filesystems()


def run(server: S3Server, *args: str, **changes: str | None
        ) -> subprocess.CompletedProcess[str]:
    """The CLI configured for the server only by environment variables (``changes``:
    variables to set instead, or leave out with ``None``)."""
    env = {name: value for name, value in {**os.environ, **server.environ(**changes)}.items()
           if value is not None}
    result = subprocess.run([sys.executable, "-m", "ld_publish", *args], capture_output=True,
                            text=True, timeout=600, cwd=ROOT, env=env)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def local_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    result = cli("export", *inputs(str(corpus)), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


def comparable(out: Path, prefixes: dict[str, str]) -> dict[str, Any]:
    """What a run wrote, with the inputs' locations (``prefixes``: location -> placeholder,
    longest first) replaced; a quarantined record's entry holds its quarantine file's text
    instead of the file's name (derived from the location)."""
    def placed(text: str) -> str:
        for prefix, placeholder in prefixes.items():
            text = text.replace(prefix, placeholder)
        return text

    report = json.loads(placed((out / "report.json").read_text("utf-8")))
    for entry in report["records"]:
        if entry.get("status") == "quarantined":
            entry["file"] = placed((out / entry["file"]).read_text("utf-8"))
    quarantine = sorted(placed(p.read_text("utf-8")) for p in (out / "quarantine").iterdir())
    return {"records": folder_bytes(out / "records"),
            "dataset": (out / "dataset.nq").read_bytes(), "report": report,
            "quarantine": quarantine,
            "files": sorted(p.name for p in out.iterdir())}


def same_as_local(out: Path, local: Path, corpus: Path, url: str) -> dict[str, Any]:
    remote = comparable(out, {url: "<in>"})
    assert remote == comparable(local, {str(corpus): "<in>"})
    report: dict[str, Any] = remote["report"]
    return report


# ---- export ---------------------------------------------------------------------------------

def test_export_of_objects_writes_what_the_files_give(s3_server: S3Server, bucket: str,
                                                      corpus: Path, local_run: Path,
                                                      tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(s3_server, "export", *inputs(bucket), "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    report = same_as_local(out, local_run, corpus, bucket)
    # Every file of the folder read, in the local order, tar members and gzip undone.
    sources = list(dict.fromkeys(e["source"].rsplit(":", 1)[0] for e in report["records"]))
    assert sources == ["<in>/big.jsonl", "<in>/in/a/b.jsonl", "<in>/in/a-b.jsonl",
                       "<in>/in/c.jsonl.gz",
                       *(f"<in>/in/d.tar!part/m{m}.jsonl" for m in range(6)),
                       "<in>/in/e.xml", "<in>/in/f.jsonl"]
    assert report["read"] == 300 + 30 + 120 + 1 + 5 and report["quarantined"] == 3
    assert [s["file"] for s in report["skipped_sources"]] == ["<in>/in/README.txt"]


def test_a_cluster_export_reads_byte_ranges_of_objects(
        s3_server: S3Server, bucket: str, corpus: Path, local_run: Path, scheduler: Any,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers read the objects themselves (configured by their own environment, here
    given by a worker plugin): big.jsonl in byte ranges, the tar in runs of members."""
    from ld_publish.partitions import Part, plan

    # What the run below plans (the driver's side, here in the test process).
    configure(monkeypatch, s3_server.environ())
    parts = [p for p in plan(inputs(bucket), None, 128 << 10, 2, tmp_path)
             if isinstance(p, Part)]
    pieces = [piece for part in parts for piece in part.pieces]
    assert sum(piece.kind == "range" for piece in pieces) >= 5
    assert any(piece.kind == "tar" and piece.start > 0 for piece in pieces)

    scheduler.register_plugin(StorageEnvironment(s3_server.environ()), name="storage-env")
    try:
        out = tmp_path / "out"
        result = run(s3_server, "export", *inputs(bucket), "-o", str(out), "-q",
                     "--cluster", scheduler.scheduler.address, "--partition-size", "128K")
    finally:
        scheduler.unregister_worker_plugin("storage-env")
    assert result.returncode == 0, result.stderr
    same_as_local(out, local_run, corpus, bucket)


def test_a_worker_without_credentials_says_so(s3_server: S3Server, bucket: str,
                                              scheduler: Any, tmp_path: Path) -> None:
    scheduler.register_plugin(StorageEnvironment(s3_server.environ(
        AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)), name="storage-env")
    try:
        result = run(s3_server, "export", f"{bucket}/in/f.jsonl", "-o", str(tmp_path / "out"),
                     "--cluster", scheduler.scheduler.address)
    finally:
        scheduler.unregister_worker_plugin("storage-env")
    assert result.returncode == 3, result.stderr
    assert "Dask worker" in result.stderr and f"{bucket}/in/f.jsonl" in result.stderr
    assert "no credentials" in result.stderr and "every worker" in result.stderr


# ---- load and validate -----------------------------------------------------------------------

def store_quads(path: Path) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(path))
    return sorted(str(quad) for quad in store)


def test_load_of_objects_and_of_an_export_folder_in_a_bucket(
        s3_server: S3Server, bucket: str, corpus: Path, tmp_path: Path) -> None:
    files = [f"{corpus}/in/a/b.jsonl", f"{corpus}/in/c.jsonl.gz"]
    local = cli("load", *files, "--store", str(tmp_path / "local"), "-q")
    assert local.returncode == 0, local.stderr
    objects = [f"{bucket}/in/a/b.jsonl", f"{bucket}/in/c.jsonl.gz"]
    remote = run(s3_server, "load", *objects, "--store", str(tmp_path / "remote"), "-q")
    assert remote.returncode == 0, remote.stderr
    assert "read 20 = loaded 20" in remote.stderr
    assert store_quads(tmp_path / "remote") == store_quads(tmp_path / "local")

    # An export of the same files, uploaded: its dataset.nq is loaded, the same graphs.
    export = tmp_path / "export"
    assert cli("export", *files, "-o", str(export), "-q").returncode == 0
    s3_server.upload(BUCKET, export, "export")
    remote = run(s3_server, "load", f"{bucket}/export/", "--store", str(tmp_path / "dataset"),
                 "-q")
    assert remote.returncode == 0, remote.stderr
    assert "read 20 = loaded 20" in remote.stderr
    assert store_quads(tmp_path / "dataset") == store_quads(tmp_path / "local")


def test_a_cluster_load_hands_its_shards_over_in_the_bucket(
        s3_server: S3Server, bucket: str, corpus: Path, scheduler: Any, tmp_path: Path) -> None:
    """``--work-dir s3://...``: no file system shared by the workers and the driver at all."""
    local = cli("load", f"{corpus}/big.jsonl", "--store", str(tmp_path / "local"), "-q")
    assert local.returncode == 0, local.stderr
    scheduler.register_plugin(StorageEnvironment(s3_server.environ()), name="storage-env")
    try:
        result = run(s3_server, "load", f"{bucket}/big.jsonl", "--store",
                     str(tmp_path / "cluster"), "-q", "--cluster", scheduler.scheduler.address,
                     "--partition-size", "128K", "--work-dir", f"{bucket}/work")
    finally:
        scheduler.unregister_worker_plugin("storage-env")
    assert result.returncode == 0, result.stderr
    assert "read 300 = loaded 300" in result.stderr
    assert store_quads(tmp_path / "cluster") == store_quads(tmp_path / "local")
    left = s3_server.client().list_objects_v2(Bucket=BUCKET, Prefix="work/")
    assert left["KeyCount"] == 0  # the shards are removed


def test_an_object_is_written_whole_or_not_at_all(s3_server: S3Server, bucket: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What a work folder's shard is written with: a write that fails leaves no object, and
    aborts the multipart upload it began (5 MiB parts, fsspec's configuration for S3)."""
    import fsspec.config

    from ld_publish.errors import InputError
    from ld_publish.remote import check_exists, writing

    monkeypatch.setitem(fsspec.config.conf, "s3", {"default_block_size": 5 << 20})
    configure(monkeypatch, s3_server.environ())
    try:
        url = f"{bucket}/written/shard"
        with pytest.raises(RuntimeError), writing(url) as out:
            out.write(b"x" * (6 << 20))  # past one part: the multipart upload has begun
            raise RuntimeError("the task failed")
        with pytest.raises(InputError, match="no such object"):
            check_exists(url)
        uploads = s3_server.client().list_multipart_uploads(Bucket=BUCKET)
        assert uploads.get("Uploads", []) == []
        with writing(url) as out:
            out.write(b"y" * (6 << 20))
        data = s3_server.client().get_object(Bucket=BUCKET, Key="written/shard")["Body"].read()
        assert data == b"y" * (6 << 20)
    finally:
        StorageEnvironment.forget_filesystems()


def test_validate_of_objects_reports_what_the_files_give(
        s3_server: S3Server, bucket: str, corpus: Path, tmp_path: Path) -> None:
    """Records (JSON Lines with broken lines) and published RDF (an N-Quads object)."""
    nquads = tmp_path / "g.nq"
    nquads.write_bytes(b'<https://x.example/w> <http://schema.org/name> "w" '
                       b"<https://x.example/w> .\n")
    s3_server.upload(BUCKET, tmp_path, "rdf")
    local = cli("validate", f"{corpus}/in/f.jsonl", str(nquads), "--format", "json")
    remote = run(s3_server, "validate", f"{bucket}/in/f.jsonl", f"{bucket}/rdf/g.nq",
                 "--format", "json")
    assert remote.returncode == local.returncode == 1, remote.stderr
    placed = remote.stdout
    for url, path in ((f"{bucket}/in", str(corpus / "in")), (f"{bucket}/rdf", str(tmp_path))):
        # Labels, and the IRIs minted from the labels of records without a key.
        placed = placed.replace(url, path).replace(quote(url, safe=":"), quote(path, safe=":"))
    assert json.loads(placed) == json.loads(local.stdout)
    assert json.loads(local.stdout)["totals"]["records"] == 6


def test_fsspec_configuration_works_as_well(s3_server: S3Server, bucket: str) -> None:
    """fsspec's own configuration (S3FileSystem's arguments as FSSPEC_S3_<ARGUMENT>) instead
    of botocore's AWS_* variables."""
    result = run(s3_server, "validate", f"{bucket}/in/f.jsonl", "--format", "json",
                 AWS_ENDPOINT_URL=None, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                 FSSPEC_S3_ENDPOINT_URL=s3_server.endpoint, FSSPEC_S3_KEY=s3_server.key,
                 FSSPEC_S3_SECRET=s3_server.secret)
    assert result.returncode == 1, result.stderr  # read: some records are invalid
    assert json.loads(result.stdout)["totals"]["records"] == 5


# ---- what goes wrong ----------------------------------------------------------------------------

@pytest.mark.parametrize(("location", "env", "message"), [
    ("{bucket}/in/missing.jsonl", {}, "{bucket}/in/missing.jsonl: no such object or prefix"),
    ("{bucket}/in/f.jsonl", {"AWS_SECRET_ACCESS_KEY": "wrong"},
     "{bucket}/in/f.jsonl: access denied"),
])
def test_what_cannot_be_read_is_exit_2_naming_the_object(
        s3_server: S3Server, bucket: str, tmp_path: Path, location: str,
        env: dict[str, str | None], message: str) -> None:
    out = tmp_path / "out"
    result = run(s3_server, "export", location.format(bucket=bucket), "-o", str(out), **env)
    assert result.returncode == 2, result.stderr
    assert message.format(bucket=bucket) in result.stderr
    assert "hint:" in result.stderr
    assert not out.exists()  # refused before the output folder is made


@pytest.mark.parametrize(("location", "env", "message", "hint"), [
    ("s3://no-such-bucket/in.jsonl", {}, "s3://no-such-bucket/in.jsonl: no such bucket",
     "AWS_ENDPOINT_URL"),
    ("{bucket}/in/f.jsonl", {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None},
     "{bucket}/in/f.jsonl: no credentials found for s3://", "AWS_ACCESS_KEY_ID"),
])
def test_what_cannot_be_read_from_the_python_api(
        s3_server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        location: str, env: dict[str, str | None], message: str, hint: str) -> None:
    """The same errors as the CLI's, in this process (quicker than a CLI run)."""
    from ld_publish.errors import InputError
    from ld_publish.export import export

    configure(monkeypatch, s3_server.environ(**env))
    try:
        with pytest.raises(InputError) as caught:
            export([location.format(bucket=bucket)], tmp_path / "out")
    finally:
        StorageEnvironment.forget_filesystems()
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(message.format(bucket=bucket))
    assert hint in (caught.value.hint or "")
    assert not (tmp_path / "out").exists()


def test_a_protocol_without_its_package_is_exit_2_with_the_install() -> None:
    import importlib.util

    if importlib.util.find_spec("gcsfs") is not None:
        pytest.skip("gcsfs is installed here")
    result = cli("validate", "gcs://bucket/records.jsonl")
    assert result.returncode == 2, result.stderr
    assert "gcs://bucket/records.jsonl" in result.stderr and "pip install gcsfs" in result.stderr


def test_without_fsspec_a_url_is_exit_2_with_the_extra(tmp_path: Path) -> None:
    # fsspec made unimportable in this process only, as in an install without the extra.
    code = "import sys; sys.modules['fsspec'] = None; from ld_publish.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "export", "s3://bucket/records.jsonl", "-o",
         str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "pip install 'ld-publish[storage]'" in result.stderr


def test_local_runs_do_not_import_fsspec(tmp_path: Path) -> None:
    code = ("import sys\n"
            "from ld_publish import cli, export, load, validate, partitions, cluster_work\n"
            "export.export([sys.argv[1]], sys.argv[2])\n"
            "validate.validate([sys.argv[1]])\n"
            "print(sorted(m for m in ('fsspec', 's3fs', 'botocore', 'aiobotocore')"
            " if m in sys.modules))\n")
    result = subprocess.run(
        [sys.executable, "-c", code, str(FIXTURES / "native" / "records.jsonl"),
         str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "out" / "dataset.nq").is_file()


# ---- tar members read from an offset -----------------------------------------------------------

def members_in_runs(archive: Path, size: int) -> Iterator[tuple[str, bytes]]:
    from ld_publish.sources import tar_members, tar_sources

    listed = list(tar_members(archive, "a.tar"))
    for first in range(0, len(listed), size):
        offset = listed[first][1]
        for member in tar_sources(archive, "a.tar", first, first + size, offset):
            yield member.label, member.read_bytes()


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_runs_of_members_read_from_their_offsets_are_the_members(tmp_path: Path, fmt: int
                                                                 ) -> None:
    """Long names (GNU and pax headers before the member's own), folders and hidden files
    between the members."""
    from ld_publish.sources import tar_sources

    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w", format=fmt) as tar:
        for n in range(7):
            name = f"{'long-' * 30 if n % 3 == 1 and fmt != tarfile.USTAR_FORMAT else ''}{n}.json"
            for extra in (f"d{n}/", f"d{n}/.hidden"):
                info = tarfile.TarInfo(extra.rstrip("/"))
                info.type = tarfile.DIRTYPE if extra.endswith("/") else tarfile.REGTYPE
                tar.addfile(info, None if info.isdir() else _bytes(b"x"))
            data = json.dumps({"n": n, "pad": "p" * (700 * n)}).encode()
            info = tarfile.TarInfo(f"d{n}/{name}")
            info.size = len(data)
            tar.addfile(info, _bytes(data))
    whole = [(m.label, m.read_bytes()) for m in tar_sources(archive, "a.tar")]
    assert len(whole) == 7
    for size in (1, 2, 3):
        assert list(members_in_runs(archive, size)) == whole


def _bytes(data: bytes) -> Any:
    import io

    return io.BytesIO(data)
