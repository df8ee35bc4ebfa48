"""The stub's supervisor (simulators/uc/supervisor.py): a killed process is replaced once it is
ready again, its process group's leftovers die with it, a process stopped on purpose stays down."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simulators.net.process import LabProcess
from simulators.uc.supervisor import Supervisor

# a parent that prints its readiness line and keeps a child in its process group (like Kamailio)
SCRIPT = "sleep 60 & echo child $!; echo READY; wait"


def launch(log: Path) -> LabProcess:
    popen = subprocess.Popen(
        ["sh", "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc = LabProcess(name="svc", host="test", popen=popen, log=log)
    proc._reader = threading.Thread(target=proc._watch, daemon=True)
    proc._reader.start()
    proc.wait_for("READY", 5)
    return proc


def child_pid(proc: LabProcess) -> int:
    return int(proc.wait_for(r"^child \d+", 5).split()[1])


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[Supervisor, dict[str, LabProcess]]]:
    processes = {"svc": launch(tmp_path / "0.log")}
    n = iter(range(1, 100))
    sup = Supervisor({"svc": lambda: launch(tmp_path / f"{next(n)}.log")}, {"svc": "READY"}, processes).start()
    yield sup, processes
    sup.hold()
    for proc in processes.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stop(timeout=1.0)
    sup.close()


def test_a_killed_process_is_replaced_and_its_group_killed(
    supervised: tuple[Supervisor, dict[str, LabProcess]],
) -> None:
    sup, processes = supervised
    first = processes["svc"]
    orphan = child_pid(first)
    os.kill(first.pid, signal.SIGKILL)
    wait(lambda: len(sup.restarts) == 1)
    (restart,) = sup.restarts
    assert (restart.name, restart.old_pid, restart.exit_status, restart.error) == ("svc", first.pid, -9, "")
    assert processes["svc"].pid == restart.new_pid != first.pid
    assert processes["svc"].alive()
    wait(lambda: not alive(orphan))


def test_it_keeps_restarting_every_time(supervised: tuple[Supervisor, dict[str, LabProcess]]) -> None:
    sup, processes = supervised
    for i in range(1, 4):
        os.kill(processes["svc"].pid, signal.SIGKILL)
        wait(functools.partial(lambda n: len(sup.restarts) == n, i))
    assert [r.exit_status for r in sup.restarts] == [-9, -9, -9]


def test_a_process_stopped_on_purpose_stays_down(supervised: tuple[Supervisor, dict[str, LabProcess]]) -> None:
    sup, processes = supervised
    first = processes["svc"]
    first.stop(signal.SIGTERM, timeout=2.0)
    time.sleep(0.3)  # the supervisor had its chance to (wrongly) restart it
    assert sup.restarts == []
    assert processes["svc"] is first
