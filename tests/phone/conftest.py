"""Fixtures of the softphone tests: labs (through the project's lab_factory) and phones.

Labs are built in sync fixtures: pyroute2 cannot build a network while the test's event
loop runs. Phones are started by the async `phones` fixture and closed after the test
(before the lab goes down; lab.down() would stop them anyway).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from simulators.lab import Lab
from simulators.phone.client import Phone
from simulators.phone.launch import start_phone

from . import topologies

StartPhone = Callable[..., Awaitable[Phone]]


@pytest.fixture
def lan_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(topologies.office_lan())


@pytest.fixture
def routed_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(topologies.two_lans())


@pytest.fixture
def homes_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(topologies.homes())


@pytest.fixture
async def phones() -> AsyncIterator[StartPhone]:
    """start(lab, host, name=None, **settings) -> Phone; every phone is closed afterwards."""
    started: list[Phone] = []

    async def start(lab: Lab, host: str, name: str | None = None, **settings: Any) -> Phone:
        phone = await start_phone(lab, host, name, **settings)
        started.append(phone)
        return phone

    try:
        yield start
    finally:
        for phone in reversed(started):
            await phone.close()
