"""Lab operations work from `async def` tests too (pyroute2's sync API cannot run inside a loop)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from simulators.lab import Lab
from simulators.net import labthread


async def test_a_lab_can_be_built_changed_and_torn_down_inside_a_running_loop(lab_factory: Any) -> None:
    lab: Lab = lab_factory("home_internet")  # up from inside the test's running loop
    lab.reconfigure_router("home_router", nat="symmetric")
    lab.roam("home_pc", None)
    assert lab.verify().ok
    assert lab.natcheck("home_pc").preset == "symmetric"


def test_without_a_loop_calls_stay_on_the_calling_thread() -> None:
    assert labthread.run(threading.current_thread) is threading.current_thread()


async def test_inside_a_loop_calls_go_to_the_lab_thread() -> None:
    assert labthread.run(lambda: threading.current_thread().name) == "uclab-lab"


def test_errors_come_back_to_the_caller() -> None:
    async def inner() -> None:
        labthread.run(lambda: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        asyncio.run(inner())


@pytest.mark.topology("home_internet")
async def test_a_lab_made_outside_can_be_used_inside(lab: Lab) -> None:
    lab.impair("home_pc", "eth0", delay_ms=5)
    lab.impair("home_pc", "eth0")
    assert lab.verify().ok
