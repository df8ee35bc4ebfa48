"""The reaper: makes a lab die with its orchestrator, even a SIGKILLed one.

Processes the lab starts die with the orchestrator by PR_SET_PDEATHSIG, but namespaces
are bind mounts and outlive everyone. One reaper per orchestrator process waits on a
pidfd of the orchestrator; when it exits, the reaper removes the runs that orchestrator
owned (their locks are free by then, so it is exactly `uclab clean` for those runs).
The reaper runs in its own session and is not killed with the orchestrator.

    python -m simulators.net.reaper PID
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path

from . import runs

_started: dict[int, subprocess.Popen[bytes]] = {}
_lock = threading.Lock()


def ensure_started() -> None:
    """Start this process's reaper once (no-op if running or disabled by UCLAB_NO_REAPER)."""
    if os.environ.get("UCLAB_NO_REAPER"):
        return
    pid = os.getpid()
    with _lock:
        proc = _started.get(pid)
        if proc is not None and proc.poll() is None:
            return
        _started[pid] = subprocess.Popen(
            [sys.executable, "-m", "simulators.net.reaper", str(pid), str(runs.run_root())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(Path(__file__).resolve().parents[2]),
        )


def owned_by(pid: int) -> list[str]:
    """Runs whose lock file names `pid` as owner."""
    out = []
    for lock in runs.LOCK_DIR.glob("*.lock") if runs.LOCK_DIR.exists() else []:
        try:
            owner = json.loads(lock.read_text() or "{}").get("pid")
        except (OSError, ValueError):
            continue
        if owner == pid and runs.RUN_ID_RE.match(lock.stem):
            out.append(lock.stem)
    return out


def main(argv: list[str]) -> int:
    pid = int(argv[0])
    root = Path(argv[1]) if len(argv) > 1 else runs.run_root()
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        fd = -1
    if fd >= 0:
        select.select([fd], [], [])
        os.close(fd)
    for run_id in owned_by(pid):
        if not runs.is_alive(run_id, root):
            runs.remove_run(run_id, root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
