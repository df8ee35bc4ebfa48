"""Running `uclab` as a user does: a subprocess from the repository root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def uclab(*args: str, check: bool = False, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uclab", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout,
        check=check,
    )  # fmt: skip
