"""Fixtures of the softphone tests: labs (through the project's lab_factory) and phones.

Labs are built in sync fixtures: pyroute2 cannot build a network while the test's event
loop runs. Phones are started by the plugin's async `phones` fixture and closed after the test
(before the lab goes down; lab.down() would stop them anyway).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.harness import StartPhone
from simulators.lab import Lab

from . import topologies

__all__ = ["StartPhone"]


@pytest.fixture
def lan_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(topologies.office_lan())


@pytest.fixture
def routed_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(topologies.two_lans())


@pytest.fixture
def homes_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(topologies.homes())
