"""simulators/parent_death.py: a forked child dies with the process that forked it."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time

from simulators.parent_death import die_with_parent


def _orphan(request_death: bool) -> tuple[int, int]:
    """Fork a middle process that forks a child and then exits; return (child pid, read end).

    Only the child holds the write end of the pipe, so the read end sees EOF when it dies.
    """
    read_fd, write_fd = os.pipe()
    middle = os.fork()
    if middle == 0:
        try:
            os.close(read_fd)
            parent = os.getpid()
            child = os.fork()
            if child == 0:
                if request_death:
                    die_with_parent(signal.SIGKILL, parent)
                os.write(write_fd, f"{os.getpid()}\n".encode())
                time.sleep(30)
                os._exit(0)
            os.close(write_fd)
            time.sleep(0.2)  # the child has asked for its death signal by now
        finally:
            os._exit(0)
    os.close(write_fd)
    os.waitpid(middle, 0)
    pid = int(os.read(read_fd, 64).decode().strip() or 0)
    return pid, read_fd


def _dies_within(read_fd: int, seconds: float) -> bool:
    ready, _, _ = select.select([read_fd], [], [], seconds)
    return bool(ready) and os.read(read_fd, 64) == b""


def test_the_child_is_killed_when_its_parent_exits() -> None:
    pid, read_fd = _orphan(request_death=True)
    try:
        assert pid, "the child never reported"
        assert _dies_within(read_fd, 5.0)
    finally:
        os.close(read_fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_without_it_the_child_outlives_its_parent() -> None:
    """The control: the death above is the signal's doing, not the pipe's or the fork's."""
    pid, read_fd = _orphan(request_death=False)
    try:
        assert not _dies_within(read_fd, 1.0)
    finally:
        os.close(read_fd)
        os.kill(pid, signal.SIGKILL)


def test_a_child_whose_parent_is_already_gone_exits_at_once() -> None:
    child = os.fork()
    if child == 0:
        try:
            die_with_parent(signal.SIGKILL, parent=-1)  # no process ever has this pid
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 1
