"""The generated web-server configuration in real servers (each test skipped when its server
is not installed): a record page answers 200 by Accept with its IRI sent with %2F, a minted IRI
303 to its document, the _/ fallbacks are found by the request as sent, and the build's own
files are not served."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ld_publish.pipeline import Options
from ld_publish.site.build import build_site
from ld_publish.site.paths import Manifest
from tests.test_site_build import SEED, native


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    import http.client
    import time

    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers={"Accept": accept})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def _site_for_server(folder: Path, port: int) -> Path:
    records = native(folder / "records.jsonl", [{"key": "../x", "title": "Escaping key"}])
    site = folder / "site"
    build_site([str(SEED), str(records)], site, Options(base=f"http://127.0.0.1:{port}/",
                                                        workers=1))
    return site


def _answers_as_the_contract_says(site: Path, port: int) -> None:
    html = "text/html,application/xhtml+xml,*/*;q=0.8"
    status, headers, body = _get(port, "/work/10.17976%2Fjpps%2F2025.02.05", html)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'name="citation_doi"' in body and "Accept" in headers["Vary"]
    status, headers, body = _get(port, "/work/10.17976%2fjpps%2f2025.02.05", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert body == (site / "work/10.17976/jpps/2025.02.05.ttl").read_bytes()
    assert headers["Content-Location"] == "/work/10.17976/jpps/2025.02.05.ttl"
    status, headers, _ = _get(port, "/venue/title/polis-political-studies-b5fb34a0",
                              "application/ld+json")
    assert status == 303 and "Accept" in headers["Vary"]
    assert headers["Location"].endswith("/venue/title/polis-political-studies-b5fb34a0.jsonld")
    manifest = Manifest.load(site)
    entry = manifest.lookup("/work/..%2Fx")
    assert entry is not None and entry.path.startswith("_/")
    status, headers, body = _get(port, "/work/..%2Fx", "application/n-triples")
    assert status == 200 and body == (site / f"{entry.path}.nt").read_bytes()
    graph = manifest.lookup("/graph/..%2Fx")
    assert graph is not None and graph.path.startswith("_/")
    status, headers, _ = _get(port, "/graph/..%2Fx", "text/turtle")
    assert status == 303 and headers["Location"].endswith(f"/{graph.path}.ttl")
    status, headers, body = _get(port, "/", html)
    assert status == 200 and body == (site / "index.html").read_bytes()
    for private in ("/report.json", "/.ld-publish.lock", "/nginx.conf", "/.htaccess"):
        assert _get(port, private, html)[0] in (403, 404), private
    status, headers, body = _get(port, "/dataset.nq.gz", "*/*")
    assert status == 200 and "Content-Encoding" not in headers
    assert gzip.decompress(body).count(b"\n") > 1000


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_serves_the_site_as_the_contract_says(tmp_path: Path) -> None:
    """The generated nginx.conf in a real nginx: 200 + negotiation for a record page (its
    IRI sent with %2F), 303 for a thing, the _/ fallbacks by the request as sent."""
    port = _free_port()
    site = _site_for_server(tmp_path, port)
    conf = (site / "nginx.conf").read_text().replace("root /srv/ld-publish-site;",
                                                     f"root {site};")
    (tmp_path / "site.conf").write_text(conf)
    temp = tmp_path / "nginx"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {temp}/nginx.pid;\nerror_log {temp}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{\naccess_log off;\nclient_body_temp_path {temp};\nproxy_temp_path {temp};\n"
        f"fastcgi_temp_path {temp};\nuwsgi_temp_path {temp};\nscgi_temp_path {temp};\n"
        f"include {tmp_path}/site.conf;\n}}\n")
    server = subprocess.Popen(["nginx", "-c", str(tmp_path / "nginx.conf")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _answers_as_the_contract_says(site, port)
    finally:
        server.terminate()
        server.wait(timeout=10)


_APACHE_MODULES = Path("/usr/lib/apache2/modules")


@pytest.mark.skipif(shutil.which("apache2") is None or not _APACHE_MODULES.is_dir(),
                    reason="Apache (Debian layout) is not installed")
def test_apache_serves_the_site_as_the_contract_says() -> None:
    """The generated .htaccess in a real Apache with the virtual host settings the README
    names (AllowEncodedSlashes On, AllowOverride)."""
    import pwd
    import tempfile

    port = _free_port()
    # Apache will not serve as root; its user must read the folder (pytest's is private).
    folder = Path(tempfile.mkdtemp(prefix="ld-publish-apache-"))
    try:
        site = _site_for_server(folder, port)
        user = "www-data" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        logs = folder / "logs"
        logs.mkdir(mode=0o777)
        logs.chmod(0o777)
        modules = "".join(f"LoadModule {name}_module {_APACHE_MODULES}/mod_{name}.so\n"
                          for name in ("mpm_event", "authz_core", "mime", "rewrite", "headers",
                                       "dir"))
        conf = folder / "httpd.conf"
        conf.write_text(
            f"ServerRoot {folder}\nPidFile {logs}/httpd.pid\nListen 127.0.0.1:{port}\n"
            f"ServerName 127.0.0.1\n{modules}User {user}\nGroup {user}\n"
            f"ErrorLog {logs}/error.log\nTypesConfig /dev/null\nDocumentRoot {site}\n"
            f"AllowEncodedSlashes On\n<Directory {site}>\n  AllowOverride All\n"
            "  Require all granted\n</Directory>\n")
        server = subprocess.Popen(["apache2", "-f", str(conf), "-DFOREGROUND"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _answers_as_the_contract_says(site, port)
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
