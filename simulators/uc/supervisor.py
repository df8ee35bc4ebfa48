"""Restarts the stub's processes when they die (a crash, kill -9): who restarts what.

    process                              restarted by
    kamailio (main and children)         this supervisor, in the orchestrator
    uc-server (door 8802, UC API)        this supervisor
    uc-core (the call core's supervisor) this supervisor
    coturn (the system's STUN server)    this supervisor
    a call-core worker, a mixer node     uc-core itself (callcore/main.py), at once

A `Supervisor` watches the processes' pidfds from one thread, which lives as long as the stub
runs: the replacements it spawns carry PR_SET_PDEATHSIG of that thread (simulators/net/process),
so they die with the orchestrator like the first ones. A dead process's process group is
killed first (Kamailio's children outlive a SIGKILLed main process and keep its sockets), then
the launcher starts a new one and the supervisor awaits its readiness line. What the others do
meanwhile is theirs: the UC server reconnects its evapi link to a new Kamailio (server.py),
Kamailio's dispatcher finds a new call core on the same ports, phones register again.

A process that exits 0 or on SIGTERM/SIGINT was stopped on purpose (the lab's teardown, a
shutdown request) and is not restarted; a crash, an abort or kill -9 is. Every restart is
recorded (`Restart`: what died, its exit status, how long until ready).
`hold()` stops restarting (before the stub stops its processes on purpose), `close()` ends
the thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from simulators.net.process import LabProcess, ProcessFailed

log = logging.getLogger("uclab.uc.supervisor")
Launcher = Callable[[], LabProcess]
ATTEMPTS = 3
ON_PURPOSE = (0, -signal.SIGTERM, -signal.SIGINT)
"""exit statuses of a process stopped on purpose (the lab's teardown, a shutdown request)"""


@dataclass(frozen=True)
class Restart:
    name: str
    old_pid: int
    exit_status: int | None
    """the exit code, or minus the signal number (-9: SIGKILL)"""
    new_pid: int | None
    ready_s: float
    """from noticing the death to the new process's readiness line"""
    error: str = ""


@dataclass
class Supervisor:
    launchers: dict[str, Launcher]
    ready: dict[str, str]
    """readiness line (regex) per process name; a name without one is ready once launched"""
    processes: dict[str, LabProcess]
    """the live processes by name, updated in place when one is replaced"""
    on_replace: Callable[[LabProcess, LabProcess], None] = lambda old, new: None
    timeout: float = 20.0
    restarts: list[Restart] = field(default_factory=list)
    _held: bool = False
    _given_up: set[str] = field(default_factory=set)
    _closed: bool = False
    _wake: tuple[int, int] = field(default_factory=os.pipe)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Supervisor:
        self._thread = threading.Thread(target=self._run, name="uc-supervisor", daemon=True)
        self._thread.start()
        return self

    def hold(self) -> None:
        """Restart nothing from now on (the stub is stopping its processes)."""
        with self._lock:
            self._held = True
        os.write(self._wake[1], b"h")

    def close(self) -> None:
        """End the watcher thread (after hold() and after the processes were stopped)."""
        self.hold()
        with self._lock:
            self._closed = True
        os.write(self._wake[1], b"c")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)
        for fd in self._wake:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _run(self) -> None:
        fds: dict[int, str] = {}
        try:
            while True:
                with self._lock:
                    if self._closed:
                        return
                    held = self._held
                if not held:
                    fds = self._watch(fds)
                    if not fds:
                        return  # everything stopped on purpose or given up
                ready, _, _ = select.select([self._wake[0], *fds], [], [])
                if self._wake[0] in ready:
                    os.read(self._wake[0], 64)
                for fd in ready:
                    name = fds.pop(fd, None)
                    if name is None:
                        continue
                    os.close(fd)
                    with self._lock:
                        if self._held:
                            continue
                    self._replace(name)
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _watch(self, fds: dict[int, str]) -> dict[int, str]:
        """Open a pidfd for every supervised process not watched yet (a dead one reads ready)."""
        watched = set(fds.values())
        for name in self.launchers:
            proc = self.processes.get(name)
            if proc is None or name in watched or name in self._given_up:
                continue
            try:
                fds[os.pidfd_open(proc.pid)] = name
            except ProcessLookupError:
                self._replace(name)
                return self._watch(fds)
        return fds

    def _replace(self, name: str) -> None:
        old = self.processes[name]
        t0 = time.perf_counter()
        status = old.popen.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(old.pid, signal.SIGKILL)  # leftovers of its group (Kamailio's children)
        old.stop(timeout=0.5)
        if status in ON_PURPOSE:
            log.info("%s (pid %s) stopped with status %s: not restarted", name, old.pid, status)
            self._given_up.add(name)
            return
        log.warning("%s (pid %s) died with status %s: restarting", name, old.pid, status)
        error = ""
        for attempt in range(1, ATTEMPTS + 1):
            new: LabProcess | None = None
            try:
                new = self.launchers[name]()
                pattern = self.ready.get(name)
                if pattern is not None:
                    line = new.wait_for(pattern, self.timeout)
                    if "FAILED" in line:
                        raise ProcessFailed(f"{name}: {line}")
            except (ProcessFailed, OSError, RuntimeError) as exc:
                error = f"attempt {attempt}: {exc}"
                log.error("restarting %s failed (%s)", name, error)
                if new is not None:
                    new.stop(timeout=1.0)
                continue
            self.processes[name] = new
            self.on_replace(old, new)
            self.restarts.append(Restart(name, old.pid, status, new.pid, time.perf_counter() - t0))
            return
        self._given_up.add(name)
        self.restarts.append(Restart(name, old.pid, status, None, time.perf_counter() - t0, error))
