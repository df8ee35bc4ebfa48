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
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
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
        done = subprocess.run(["docker", "version"], env=env, capture_output=True, timeout=10, check=False)
        return done.returncode == 0

    def stop(self) -> None:
        """SIGTERM the engine this root's pidfile names (dockerd stops its containerd) and wait."""
        pid = self.pid()
        if pid is None:
            return
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            return
        try:
            os.kill(pid, signal.SIGTERM)
            import select

            if not select.select([fd], [], [], STOP_TIMEOUT_S)[0]:
                os.kill(pid, signal.SIGKILL)
                select.select([fd], [], [], STOP_TIMEOUT_S)
        finally:
            os.close(fd)

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
