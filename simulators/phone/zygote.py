"""The agent zygote: a process with everything an agent needs already imported, that forks
agents into their hosts' network namespaces.

An agent started from scratch spends ~200 ms importing Python, pydantic and pjsua2; a
fork of this process starts in a few ms. One zygote per lab, started by `start_phone` in
any host of the lab (`lab.spawn`, so it dies with the orchestrator and stops with the
lab):

    python -m simulators.phone.zygote --control RUN/phone-zygote.sock

Request (one JSON line per connection): {"netns": "/run/netns/ucl..-alice", "control":
".../phone-alice.sock", "settings": "<PhoneSettings JSON>", "log": ".../alice.phone-alice.log"}.
The zygote forks; the child starts a new session, asks for SIGKILL when the zygote dies
(PR_SET_PDEATHSIG), enters the namespace (setns), sends its output to the log, runs the
agent and, once ready, answers on the same connection with its readiness line (or its
PHONE FAILED line). The zygote reaps its children; on SIGTERM it stops them first.
pjsua2 is never initialised in the zygote (only imported), so every child starts clean.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import select
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from ..parent_death import die_with_parent

PR_SET_NAME = 15
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


class Zygote:
    def __init__(self, control: Path) -> None:
        self.control = control
        self.children: set[int] = set()
        self.stopping = False
        self.pid = os.getpid()

    def reap(self, *_: Any) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ChildProcessError):
                done, _status = os.waitpid(pid, os.WNOHANG)
                if done:
                    self.children.discard(pid)

    def stop(self, *_: Any) -> None:
        self.stopping = True
        raise KeyboardInterrupt

    def serve(self) -> int:
        from . import agent  # noqa: F401  (the point of the zygote: import once, fork often)

        with contextlib.suppress(FileNotFoundError):
            self.control.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.control))
        listener.listen(32)
        signal.signal(signal.SIGCHLD, self.reap)
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        print(f"ZYGOTE READY pid={self.pid} control={self.control}", flush=True)
        try:
            while not self.stopping:
                conn, _ = listener.accept()
                with conn:
                    self.fork_agent(conn, listener)
        except KeyboardInterrupt:
            pass
        finally:
            listener.close()
            with contextlib.suppress(FileNotFoundError):
                self.control.unlink()
            self.stop_children()
        return 0

    def stop_children(self, timeout: float = 2.0) -> None:
        """SIGTERM every child, wait for them (pidfds, bounded), SIGKILL the rest."""
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        fds: dict[int, int] = {}
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                fds[os.pidfd_open(pid)] = pid
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while fds and (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select(list(fds), [], [], left)
            for fd in ready:
                pid = fds.pop(fd)
                os.close(fd)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)
        for fd, pid in fds.items():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.close(fd)

    def fork_agent(self, conn: socket.socket, listener: socket.socket) -> None:
        raw = b""
        while not raw.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                return
            raw += chunk
        request = json.loads(raw)
        pid = os.fork()
        if pid == 0:
            self.child(request, conn, listener)  # never returns
        self.children.add(pid)

    def child(self, request: dict[str, Any], conn: socket.socket, listener: socket.socket) -> None:
        code = 1
        try:
            listener.close()
            for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            os.setsid()
            die_with_parent(signal.SIGKILL, self.pid)
            name = json.loads(request["settings"]).get("name", "agent")
            _libc.prctl(PR_SET_NAME, f"phone-{name}".encode()[:15], 0, 0, 0)
            fd = os.open(request["netns"], os.O_RDONLY)
            if _libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns into {request['netns']} failed")
            os.close(fd)
            log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.close(log)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            print(f"--- {time.strftime('%H:%M:%S')} forked by zygote {self.pid} as {os.getpid()}", flush=True)

            def ready(line: str) -> None:
                with contextlib.suppress(OSError):
                    conn.sendall(line.encode() + b"\n")
                conn.close()

            from .agent import run

            code = run(request["settings"], Path(request["control"]), ready)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                conn.sendall(f"PHONE FAILED in zygote child: {exc}\n".encode())
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
            os._exit(code)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simulators.phone.zygote", description=__doc__.splitlines()[0])
    ap.add_argument("--control", required=True, type=Path)
    args = ap.parse_args(argv)
    return Zygote(args.control).serve()


if __name__ == "__main__":
    sys.exit(main())
