"""A real browser (Debian's chromium, headless) opens the seed's landing page from `serve`:
what it renders, what its console says, what it asked the server for, and a screenshot."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import lxml.html
import pytest

from tests.conftest_site import SEED_DOI, SeedSite
from tests.stores import missing

#: Console output chromium writes with --enable-logging=stderr: page console calls, uncaught
#: exceptions, failed loads.
CONSOLE = re.compile(r"CONSOLE|Uncaught|Failed to load resource|net::ERR_")
TITLE = "Theory and practice of cross-border regionalization. Lessons for Russia"


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        missing("chromium", "apt-get install chromium (scripts/test installs it)")
    assert exe is not None
    return exe


def run_chromium(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--hide-scrollbars", "--enable-logging=stderr",
                           "--v=0", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def _new_log_lines(site: SeedSite, offset: int) -> list[str]:
    return site.served.log.read_text(errors="replace")[offset:].splitlines()


@pytest.fixture(scope="module")
def rendered(served_seed: SeedSite) -> tuple[str, str, list[str]]:
    """The DOM chromium renders, its stderr, and the requests the server logged meanwhile."""
    offset = len(served_seed.served.log.read_text(errors="replace"))
    result = run_chromium("--dump-dom", served_seed.landing)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, result.stderr, _new_log_lines(served_seed, offset)


def test_rendered_landing_page(rendered: tuple[str, str, list[str]]) -> None:
    dom, _, _ = rendered
    page = lxml.html.fromstring(dom)
    assert page.findtext(".//title") == TITLE
    text = page.text_content()
    assert "Sebentzov A.B." in text and "Lomakina А. I." in text
    assert len(page.xpath('//ol[contains(@class, "references")]/li')) >= 40
    assert page.xpath(f'//a[@href="{SEED_DOI}"]')


def test_no_console_errors_or_failed_loads(rendered: tuple[str, str, list[str]]) -> None:
    _, stderr, requests = rendered
    console = [line for line in stderr.splitlines() if CONSOLE.search(line)]
    assert console == []
    # Every resource the page asked for was there (browsers ask for /favicon.ico unbidden).
    failed = [line for line in requests
              if re.search(r" [45]\d\d \d+$", line) and "/favicon.ico" not in line]
    assert failed == []
    assert any(" GET /site.css 200 " in line for line in requests)


def test_screenshot(served_seed: SeedSite, tmp_path: Path) -> None:
    shot = tmp_path / "landing-page.png"
    result = run_chromium("--window-size=1280,2000", f"--screenshot={shot}",
                          served_seed.landing)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2000)
    assert len(data) > 50_000  # a page of text, not a blank canvas
