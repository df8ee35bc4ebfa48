"""A real headless browser (Debian's chromium) for the HTML report's self-tests.

`dump_dom(page)` loads a local file and returns the DOM after rendering (`--dump-dom`), with
an empty profile and everything that would reach out (sync, component updates, background
networking) switched off; the page is a file:// URL, so nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(page: Path, timeout: float = 60.0) -> str:
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="uclab-chromium-") as profile:
        result = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if result.returncode != 0 or "<html" not in result.stdout:
        raise RuntimeError(f"chromium could not render {page}: {result.stderr[-800:]}")
    return result.stdout
