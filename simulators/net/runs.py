"""Runs: ids, directories, liveness, and the removal of what dead runs left behind.

Every lab has a run id (8 hex digits). Its namespaces are `ucl<run>-<node>`, its nft
tables `uclab_<run>`, its links carry the alias `uclab:<run>`, and its directory is
`$UCLAB_RUN_ROOT/<run>` (default /var/tmp/uclab/runs). The orchestrator holds an exclusive
flock on `/run/uclab/locks/<run>.lock` for the run's whole life; the kernel drops it when
the orchestrator dies, however it dies. So "is this run alive?" is "can I take its lock?",
and `clean` touches only runs whose lock is free. Locks live in one machine-wide place
(namespaces are machine-wide too), whatever run root a process uses for its artifacts:
otherwise a `clean` with another run root would take a live lab for a dead one.

Unix sockets of a run (phone agents, the stub's processes, the lab's control socket) live
in `/run/uclab/sockets/<run>` (`socket_dir`), not in the run directory: a socket path is
limited to 107 bytes, and a run directory may be anywhere a user puts it (`--out DIR`).
The socket directory is removed with the run, by teardown or by `clean`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import netns

NS_PREFIX = "ucl"
SOCKET_ROOT = Path("/run/uclab/sockets")
RUN_ID_RE = re.compile(r"^[0-9a-f]{8}$")
NS_RE = re.compile(rf"^{NS_PREFIX}([0-9a-f]{{8}})-(.+)$")


def run_root() -> Path:
    return Path(os.environ.get("UCLAB_RUN_ROOT", "/var/tmp/uclab/runs"))


LOCK_DIR = Path("/run/uclab/locks")


def socket_dir(run_id: str) -> Path:
    """The directory of run `run_id`'s Unix sockets: short, whatever the run directory."""
    return SOCKET_ROOT / run_id


def lock_path(run_id: str) -> Path:
    return LOCK_DIR / f"{run_id}.lock"


def ns_name(run_id: str, node: str) -> str:
    return f"{NS_PREFIX}{run_id}-{node}"


def switch_ns(run_id: str) -> str:
    """The namespace holding the run's bridges (one per segment)."""
    return ns_name(run_id, "_sw")


def link_alias(run_id: str) -> str:
    return f"uclab:{run_id}"


@dataclass
class Run:
    """A live run owned by this process: its id, directory and lock."""

    run_id: str
    dir: Path
    _lock_fd: int = field(default=-1, repr=False)

    @classmethod
    def create(cls, topology: str = "", root: Path | None = None) -> Run:
        root = root or run_root()
        root.mkdir(parents=True, exist_ok=True)
        for _ in range(20):
            run_id = secrets.token_hex(4)
            path = root / run_id
            try:
                path.mkdir()
            except FileExistsError:
                continue
            if any(netns.names(ns_name(run_id, ""))) or lock_path(run_id).exists():
                continue
            LOCK_DIR.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path(run_id), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(fd, json.dumps({"dir": str(path), "pid": os.getpid()}).encode())
            run = cls(run_id, path, fd)
            socket_dir(run_id).mkdir(parents=True, exist_ok=True)
            run.write_meta(topology=topology)
            return run
        raise RuntimeError(f"could not allocate a run id under {root}")

    def write_meta(self, **extra: object) -> None:
        meta_path = self.dir / "meta.json"
        meta: dict[str, object] = {}
        if meta_path.exists():
            meta = json.loads(meta_path.read_text())
        meta.update({"run_id": self.run_id, "pid": os.getpid(), "started": meta.get("started", time.time())})
        meta.update(extra)
        tmp = meta_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(meta, indent=2, default=str))
        tmp.replace(meta_path)

    def meta(self) -> dict[str, object]:
        return read_meta(self.dir)

    def finish(self) -> None:
        """The run ended normally: remove its sockets and lock file, then give up the lock."""
        if self._lock_fd >= 0:
            shutil.rmtree(socket_dir(self.run_id), ignore_errors=True)
            with contextlib.suppress(OSError):
                lock_path(self.run_id).unlink()
        self.release()

    def release(self) -> None:
        """Give up ownership: the run counts as dead from now on (its lock file stays until cleaned)."""
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def path(self, *parts: str) -> Path:
        p = self.dir.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def socket(self, *parts: str) -> Path:
        """A Unix socket path of this run (in `socket_dir`), its parent directory created."""
        p = socket_dir(self.run_id).joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p


def read_meta(run_dir: Path) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads((run_dir / "meta.json").read_text())
        return data
    except (OSError, ValueError):
        return {}


def run_dir(run_id: str, root: Path | None = None) -> Path:
    """Where a run keeps its artifacts: recorded in its lock, else under the run root."""
    try:
        recorded = json.loads(lock_path(run_id).read_text() or "{}").get("dir")
    except (OSError, ValueError):
        recorded = None
    return Path(recorded) if recorded else (root or run_root()) / run_id


def is_alive(run_id: str, root: Path | None = None) -> bool:
    """True while some process holds the run's lock (`root` is accepted for symmetry; locks are global)."""
    try:
        fd = os.open(lock_path(run_id), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def known_runs(root: Path | None = None) -> set[str]:
    """Run ids seen on this machine: run directories plus namespaces named like ours."""
    root = root or run_root()
    ids = {m.group(1) for n in netns.names(NS_PREFIX) if (m := NS_RE.match(n))}
    if root.exists():
        ids |= {p.name for p in root.iterdir() if RUN_ID_RE.match(p.name)}
    if LOCK_DIR.exists():
        ids |= {p.stem for p in LOCK_DIR.glob("*.lock") if RUN_ID_RE.match(p.stem)}
    return ids


@dataclass
class CleanReport:
    runs: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    processes: list[int] = field(default_factory=list)
    skipped_live: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.runs:
            live = f" ({len(self.skipped_live)} live run(s) left alone)" if self.skipped_live else ""
            return "nothing to clean" + live
        return (
            f"removed {len(self.runs)} dead run(s) {', '.join(self.runs)}: "
            f"{len(self.namespaces)} namespace(s), {len(self.processes)} process(es)"
            + (f"; {len(self.skipped_live)} live run(s) left alone" if self.skipped_live else "")
        )


def kill_namespace_processes(names: list[str], grace_s: float = 1.0) -> list[int]:
    """SIGTERM, then SIGKILL, every process living in the given namespaces."""
    victims = sorted({pid for n in names for pid in netns.pids(n) if pid != os.getpid()})
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    pending = set(victims)
    while pending and time.monotonic() < deadline:
        pending = {p for p in pending if _exists(p)}
        if pending:
            time.sleep(0.01)
    for pid in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return victims


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); treat it as gone
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    return False


def remove_run(run_id: str, root: Path | None = None, keep_dir: bool = True) -> CleanReport:
    """Remove a run's namespaces (and their processes). The caller must own or have checked it."""
    report = CleanReport(runs=[run_id])
    names = netns.names(f"{NS_PREFIX}{run_id}-")
    report.processes = kill_namespace_processes(names)
    for name in names:
        netns.delete(name)
    report.namespaces = names
    directory = run_dir(run_id, root)
    if not keep_dir:
        shutil.rmtree(directory, ignore_errors=True)
    elif directory.exists():
        with contextlib.suppress(OSError):
            (directory / "DEAD").write_text("cleaned\n")
    shutil.rmtree(socket_dir(run_id), ignore_errors=True)
    with contextlib.suppress(OSError):
        lock_path(run_id).unlink()
    return report


def clean(root: Path | None = None, keep_dirs: bool = True, only: set[str] | None = None) -> CleanReport:
    """Remove everything left by dead runs (or by the dead ones among `only`); live runs are not touched."""
    total = CleanReport()
    for run_id in sorted(known_runs(root)):
        if only is not None and run_id not in only:
            continue
        if is_alive(run_id, root):
            total.skipped_live.append(run_id)
            continue
        has_ns = bool(netns.names(f"{NS_PREFIX}{run_id}-"))
        directory = run_dir(run_id, root)
        if not has_ns and (directory / "DEAD").exists() and keep_dirs and not lock_path(run_id).exists():
            continue
        report = remove_run(run_id, root, keep_dir=keep_dirs)
        total.runs += report.runs
        total.namespaces += report.namespaces
        total.processes += report.processes
    return total
