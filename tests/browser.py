"""Pages as a browser shows them: headless Chromium (Debian `chromium`) renders a file and
gives back the DOM after scripts and layout (`--dump-dom`), or a screenshot.

    dom = rendered(Path("run/index.html"))        # the DOM as text; pytest skips without chromium
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
TIMEOUT = 60.0


def chromium() -> str:
    """The chromium binary, or skip the test saying how to get it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("headless chromium is not installed (Debian package chromium, in scripts/setup.sh)")
    return path


def _run(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="uclab-chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip


def rendered(page: Path) -> str:
    """The page's DOM after Chromium loaded and laid it out."""
    proc = _run(page, "--dump-dom")
    if proc.returncode != 0 or "<html" not in proc.stdout:
        raise AssertionError(f"chromium could not render {page}: {proc.stderr[-500:]}")
    return proc.stdout


def screenshot(page: Path, out: Path, size: str = "1400,2400") -> Path:
    proc = _run(page, f"--window-size={size}", f"--screenshot={out}")
    if not out.exists():
        raise AssertionError(f"chromium took no screenshot of {page}: {proc.stderr[-500:]}")
    return out
