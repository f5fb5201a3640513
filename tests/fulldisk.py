"""A real full disk for tests: a small tmpfs mounted on a temporary folder.

Mounting needs root (CI runs as root in its container); elsewhere the tests that need it are
skipped with the reason, and the file-size-limit tests (which need no root) still run the same
failure paths.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """``folder`` as the mount point of a tmpfs of ``size`` bytes (``2m``: 2 MiB)."""
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command for a full-disk test")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs for a full-disk test "
                    f"({mounted.stderr.strip() or 'mount failed'}); it needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
