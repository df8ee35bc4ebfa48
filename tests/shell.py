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


def lab_process(topology: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """`uclab up TOPOLOGY` in the foreground of a child process; the child and its run id
    (the first line it prints, once the lab is up)."""
    from simulators.net import runs

    proc = subprocess.Popen(
        [sys.executable, "-m", "uclab", "up", topology],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    assert runs.RUN_ID_RE.match(run_id), run_id
    return proc, run_id
