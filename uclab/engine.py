"""A private Docker engine for building and trying the uclab image on a lab machine.

    python -m uclab.engine start DIR    start dockerd under DIR, print its DOCKER_HOST
    python -m uclab.engine stop DIR     stop it again (and the containerd it started)

Everything the engine keeps lives under DIR: --data-root, --exec-root, --pidfile and the
socket `DIR/docker.sock`. It leaves the host's network alone: `--iptables=false
--ip6tables=false --ip-forward=false --ip-masq=false --bridge=none`, so it adds no
iptables or nft rules, no docker0 bridge and does not switch on forwarding. Containers
of this engine run with `--network none` (the lab builds its own namespaces inside them).
Debian's docker.io provides dockerd (scripts/image-tools.sh installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
SOCKET_PATH_MAX = 107
"""a unix socket path's limit (sun_path); containerd's deepest socket lives under exec-root"""
DEEPEST_SOCKET = "exec/containerd/containerd.sock.ttrpc"

DAEMON_FLAGS = (
    "--iptables=false",
    "--ip6tables=false",
    "--ip-forward=false",
    "--ip-masq=false",
    "--bridge=none",
)
"""what keeps the engine off the host's network configuration"""


class EngineError(RuntimeError):
    """The engine could not be started or stopped; the message says why and where its log is."""


@dataclass(frozen=True)
class Engine:
    """A dockerd whose state lives under `root`."""

    root: Path

    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def host(self) -> str:
        """The DOCKER_HOST value that reaches this engine."""
        return f"unix://{self.socket}"

    @property
    def pidfile(self) -> Path:
        return self.root / "docker.pid"

    @property
    def log(self) -> Path:
        return self.root / "dockerd.log"

    def command(self) -> list[str]:
        return [
            "dockerd",
            f"--data-root={self.root / 'data'}",
            f"--exec-root={self.root / 'exec'}",
            f"--pidfile={self.pidfile}",
            f"--host={self.host}",
            *DAEMON_FLAGS,
        ]

    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if Path(f"/proc/{pid}").exists() else None

    def start(self) -> str:
        """Start dockerd (unless it already runs) and wait until it answers; its DOCKER_HOST."""
        if shutil.which("dockerd") is None:
            raise EngineError("no dockerd on this machine: run scripts/image-tools.sh (installs Debian's docker.io)")
        if self.pid() is not None:
            return self.host
        deepest = self.root / DEEPEST_SOCKET
        if len(str(deepest)) > SOCKET_PATH_MAX:
            raise EngineError(
                f"{self.root}: too long a path for the engine's unix sockets ({deepest} has {len(str(deepest))} "
                f"characters, at most {SOCKET_PATH_MAX}); use a shorter directory, e.g. /tmp/uclab-engine"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self._unmount_leftovers()
                raise EngineError(f"dockerd exited with {proc.returncode} at start; see {self.log}")
            if self._answers():
                return self.host
            time.sleep(0.2)  # dockerd signals readiness only through its socket
        self.stop()
        raise EngineError(f"dockerd did not answer on {self.socket} within {START_TIMEOUT_S:.0f} s; see {self.log}")

    def _answers(self) -> bool:
        if not self.socket.exists():
            return False
        env = {**os.environ, "DOCKER_HOST": self.host}
        try:
            done = subprocess.run(["docker", "version"], env=env, capture_output=True, timeout=5, check=False)
        except subprocess.TimeoutExpired:
            return False  # the socket is there before the API answers
        return done.returncode == 0

    def stop(self) -> None:
        """SIGTERM the engine this root's pidfile names (dockerd stops its containerd) and wait."""
        pid = self.pid()
        try:
            fd = os.pidfd_open(pid) if pid is not None else None
        except ProcessLookupError:
            fd = None
        if pid is None or fd is None:
            self._unmount_leftovers()
            return
        try:
            os.kill(pid, signal.SIGTERM)
            import select

            if not select.select([fd], [], [], STOP_TIMEOUT_S)[0]:
                os.kill(pid, signal.SIGKILL)
                select.select([fd], [], [], STOP_TIMEOUT_S)
        finally:
            os.close(fd)
        self._unmount_leftovers()

    def _unmount_leftovers(self) -> None:
        """Unmount what an engine that died (or failed to start) left mounted under its root:
        dockerd mounts its data root on itself and the host's netns file under exec-root."""
        prefix = f"{self.root}/"
        points = [
            line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines() if len(line.split()) > 4
        ]
        for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
            subprocess.run(["umount", point], capture_output=True, check=False)

    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python -m uclab.engine start|stop DIR", file=sys.stderr)
        return 2
    engine = Engine(Path(argv[1]).resolve())
    try:
        if argv[0] == "start":
            print(f"export DOCKER_HOST={engine.start()}")
        else:
            engine.stop()
    except EngineError as exc:
        print(f"uclab engine: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
