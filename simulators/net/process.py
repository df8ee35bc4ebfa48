"""Processes inside lab hosts.

`spawn` forks a child that enters the host's network namespace (setns), asks the kernel
to SIGKILL it when the orchestrator thread that started it dies (PR_SET_PDEATHSIG), and
starts its own session so a Ctrl-C at the terminal reaches only the orchestrator, which
then stops everything in order. With `private_run`, the child also gets a private mount
namespace with its own /run (wireguard-go puts its control socket there; the host's /run
stays untouched).

Spawn from a thread that lives as long as the lab (the main thread in pytest and the
CLI): PDEATHSIG fires when the *thread* that forked exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..parent_death import die_with_parent
from . import netns

CLONE_NEWNS = 0x00020000
MS_REC = 16384
MS_PRIVATE = 1 << 18
_libc = ctypes.CDLL(None, use_errno=True)


def _child_setup(ns_fd: int, parent: int, private_run: bool) -> None:
    die_with_parent(signal.SIGKILL, parent)
    if _libc.setns(ns_fd, netns.CLONE_NEWNET) != 0:
        os._exit(126)
    if private_run:
        if _libc.unshare(CLONE_NEWNS) != 0:
            os._exit(125)
        _libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
        if _libc.mount(b"none", b"/run", b"tmpfs", 0, b"mode=0755") != 0:
            os._exit(124)


class ProcessFailed(RuntimeError):
    """A lab process exited or did not become ready; the message carries its log tail."""


@dataclass
class LabProcess:
    """A process the lab started in a host; stopped by the lab, killed if the lab dies."""

    name: str
    host: str
    popen: subprocess.Popen[bytes]
    log: Path | None
    argv: list[str] = field(default_factory=list)
    _lines: list[str] = field(default_factory=list, repr=False)
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _reader: threading.Thread | None = field(default=None, repr=False)
    _eof: bool = field(default=False, repr=False)

    def _watch(self) -> None:
        """Tee the merged stdout/stderr pipe into the log, keeping lines for `wait_for`."""
        assert self.popen.stdout is not None
        log_f = open(self.log, "ab") if self.log else None
        try:
            for raw in iter(self.popen.stdout.readline, b""):
                if log_f:
                    log_f.write(raw)
                    log_f.flush()
                with self._cond:
                    self._lines.append(raw.decode(errors="replace").rstrip("\n"))
                    if len(self._lines) > 2000:
                        del self._lines[:1000]
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            if log_f:
                log_f.close()
            with self._cond:
                self._eof = True
                self._cond.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> str:
        """Block until an output line matches `pattern` (regex); raise if the process ends first."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._cond:
            while True:
                for line in self._lines[seen:]:
                    if rx.search(line):
                        return line
                seen = len(self._lines)
                if self._eof:
                    raise ProcessFailed(
                        f"{self.name} in {self.host} exited (code {self.popen.poll()}) before printing "
                        f"{pattern!r}; last output:\n" + "\n".join(self._lines[-15:])
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProcessFailed(
                        f"{self.name} in {self.host} did not print {pattern!r} within {timeout}s; "
                        "last output:\n" + "\n".join(self._lines[-15:])
                    )
                self._cond.wait(left)

    def output(self) -> list[str]:
        with self._cond:
            return list(self._lines)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 2.0) -> int | None:
        """Signal, wait up to `timeout`, then SIGKILL. Returns the exit code."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        if self._reader is not None:
            self._reader.join(1.0)
        for stream in (self.popen.stdout, self.popen.stderr, self.popen.stdin):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        return self.popen.returncode

    def log_text(self) -> str:
        if self.log is None or not self.log.exists():
            return "\n".join(self.output())
        return self.log.read_text(errors="replace")


def spawn(
    ns: str,
    argv: Sequence[str],
    *,
    name: str,
    host: str,
    log: Path | None = None,
    watch: bool = False,
    stdout_pipe: bool = False,
    stdin_pipe: bool = False,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    private_run: bool = False,
) -> LabProcess:
    """Start `argv` inside namespace `ns`.

    Output goes to `log`; with `watch`, stdout and stderr are read by a thread that tees
    them into `log` so the caller can `wait_for` a readiness line; with `stdout_pipe`,
    stdout is left to the caller.
    """
    ns_fd = os.open(netns.path(ns), os.O_RDONLY)
    log_f: IO[bytes] | None = None
    try:
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            log_f = open(log, "ab")
            log_f.write(f"--- {time.strftime('%H:%M:%S')} {' '.join(argv)}\n".encode())
            log_f.flush()
        parent = os.getpid()
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE if (stdout_pipe or watch) else (log_f or subprocess.DEVNULL),
            stderr=subprocess.STDOUT if watch else (log_f or subprocess.DEVNULL),
            pass_fds=(ns_fd,),
            preexec_fn=lambda: _child_setup(ns_fd, parent, private_run),
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
    finally:
        os.close(ns_fd)
        if log_f is not None:
            log_f.close()
    proc = LabProcess(name=name, host=host, popen=popen, log=log, argv=list(argv))
    if watch:
        proc._reader = threading.Thread(target=proc._watch, name=f"watch-{name}", daemon=True)
        proc._reader.start()
    return proc


def run(ns: str, argv: Sequence[str], timeout: float = 30.0, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a short command inside namespace `ns` and collect its output."""
    ns_fd = os.open(netns.path(ns), os.O_RDONLY)
    parent = os.getpid()
    try:
        result = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout,
            pass_fds=(ns_fd,),
            preexec_fn=lambda: _child_setup(ns_fd, parent, False),
        )
    finally:
        os.close(ns_fd)
    if check and result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, list(argv), result.stdout, result.stderr)
    return result
