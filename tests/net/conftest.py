"""Fixtures of the network simulator's tests: appliances playing an external system."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from simulators.net import loader
from simulators.net.model import Topology
from simulators.system import with_external_system

from .appliance import Appliance

VM_INTERFACE_PREFIX = "vmtap"


def vm_interface() -> str:
    """A name as a user's VM tap would have, unique per test."""
    return f"{VM_INTERFACE_PREFIX}{secrets.token_hex(2)}"


def external_topology(interface: str, base: str = "home_internet") -> Topology:
    return with_external_system(loader.load(base), interface)


@pytest.fixture
def appliance() -> Iterator[Callable[..., Appliance]]:
    """make(base="home_internet") -> an appliance for that topology's system host, reached
    through a fresh interface; every one is removed after the test."""
    made: list[Appliance] = []

    def make(base: str = "home_internet") -> Appliance:
        interface = vm_interface()
        made.append(Appliance(external_topology(interface, base), interface))
        return made[-1]

    yield make
    for app in made:
        app.close()
