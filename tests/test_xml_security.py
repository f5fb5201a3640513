"""Hostile XML: external entities, entity bombs, and the named entities that must still work."""

from __future__ import annotations

import http.server
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from ld_publish.errors import InputError, UnsafeInputError
from ld_publish.model import Work
from ld_publish.readers import readers
from ld_publish.sources import InputSource
from ld_publish.xmlsafe import named_entities, parse_xml

CANARY = "CANARY-7f3a9c-do-not-leak"


def article(doctype: str, title: str) -> bytes:
    return (f'<?xml version="1.0"?>\n{doctype}\n<article><front><article-meta>'
            f'<title-group><article-title>{title}</article-title></title-group>'
            f'</article-meta></front></article>').encode()


def read_jats(data: bytes) -> list[object]:
    return list(readers.get("jats").read(InputSource.from_bytes("hostile.xml", data)))


@pytest.fixture
def canary_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(CANARY)
    return path


def test_external_file_entity_is_refused(canary_file: Path) -> None:
    data = article(f'<!DOCTYPE article [<!ENTITY xxe SYSTEM "file://{canary_file}">]>', "&xxe;")
    with pytest.raises(UnsafeInputError) as caught:
        read_jats(data)
    assert CANARY not in str(caught.value)


def test_external_parameter_entity_is_refused(canary_file: Path) -> None:
    data = article(f'<!DOCTYPE article [<!ENTITY % p SYSTEM "file://{canary_file}"> %p;]>', "x")
    with pytest.raises(UnsafeInputError):
        read_jats(data)


def test_external_dtd_is_never_read(canary_file: Path) -> None:
    # The DOCTYPE's system id names the canary: were the DTD loaded, its text would show up
    # as a parse error or content.
    data = article(f'<!DOCTYPE article SYSTEM "file://{canary_file}">', "Safe title")
    records = read_jats(data)
    assert isinstance(records[0], Work)
    assert CANARY not in repr(records[0])


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(CANARY.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    finally:
        server.shutdown()
        server.server_close()


def test_network_entities_make_no_request(loopback: tuple[str, list[str]]) -> None:
    base, hits = loopback
    attempts = [
        article(f'<!DOCTYPE article [<!ENTITY net SYSTEM "{base}/entity">]>', "&net;"),
        article(f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS" "{base}/dtd">', "t"),
        article(f'<!DOCTYPE article [<!ENTITY % r SYSTEM "{base}/pe"> %r;]>', "t"),
    ]
    for data in attempts:
        try:
            records = read_jats(data)
        except UnsafeInputError:
            continue
        assert CANARY not in repr(records)
    time.sleep(0.2)
    assert hits == []


def test_billion_laughs_fails_fast_with_bounded_memory() -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    data = article(f"<!DOCTYPE article [{''.join(levels)}]>", "&lol9;")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UnsafeInputError) as caught:
            read_jats(data)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < 20 * 1024 * 1024
    assert "entity" in str(caught.value) and caught.value.hint


def test_quadratic_blowup_is_bounded() -> None:
    big = "x" * 60_000
    data = article(f'<!DOCTYPE article [<!ENTITY big "{big}">]>', "&big;" * 200)
    with pytest.raises(UnsafeInputError):
        read_jats(data)


def test_recursive_entity_is_refused() -> None:
    data = article('<!DOCTYPE article [<!ENTITY a "&b;"><!ENTITY b "&a;">]>', "&a;")
    with pytest.raises(UnsafeInputError):
        read_jats(data)


def test_small_internal_entity_is_allowed() -> None:
    data = article('<!DOCTYPE article [<!ENTITY journal "Journal&nbsp;of&mdash;Tests">]>',
                   "In &journal;")
    work = read_jats(data)[0]
    assert isinstance(work, Work) and work.title and work.title.value == "In Journal of—Tests"


@pytest.mark.parametrize(("name", "char"), [
    ("mdash", "\u2014"), ("ndash", "\u2013"), ("nbsp", "\u00a0"), ("hellip", "\u2026"),
    ("alpha", "\u03b1"), ("le", "\u2264"), ("times", "\u00d7"), ("rsquo", "\u2019"),
])
def test_named_entities_resolve(name: str, char: str) -> None:
    assert named_entities()[name] == char
    doc = parse_xml(f"<a>x&{name};y<b t='&{name};'/></a>".encode(), "n.xml")
    assert doc.root.text == f"x{char}y"
    assert doc.root[0].get("t") == char


def test_entities_inside_cdata_stay_literal() -> None:
    doc = parse_xml(b"<a><![CDATA[&mdash; &undefined;]]></a>", "c.xml")
    assert doc.root.text == "&mdash; &undefined;"


def test_undefined_entity_is_a_clear_input_error() -> None:
    with pytest.raises(InputError) as caught:
        parse_xml(b"<a>\n&nosuchentity;</a>", "u.xml")
    assert not isinstance(caught.value, UnsafeInputError)
    assert caught.value.where.line == 2 and "nosuchentity" in str(caught.value)
