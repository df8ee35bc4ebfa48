"""Fixtures of the tests that run the stub in a lab (SIP edge, call core): labs, the stub, phones.

Labs are built in sync fixtures (pyroute2 cannot build while the test's loop runs); the
stub and the phones are started by async fixtures and stopped after the test, before the
lab goes down (which would stop them anyway).

The office configuration (simulators/uc/examples/office.yaml) gives every device the SIP
password `sip<user>secret`; `reg(...)` builds a phone's registration settings from that.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.harness import (
    StartPhone,
    StartStub,
    desk_phone,
    never_registers,
    reg,
    registered,
    registration_answer,
    secret,
    voip_client,
)
from simulators.lab import Lab

__all__ = [
    "StartPhone",
    "StartStub",
    "desk_phone",
    "never_registers",
    "reg",
    "registered",
    "registration_answer",
    "secret",
    "voip_client",
]


@pytest.fixture
def office_lab(lab_factory: Callable[..., Lab]) -> Lab:
    """topologies/office_lan.yaml: the system at 192.168.1.30, PCs, a desk phone and DECT."""
    return lab_factory("office_lan")


@pytest.fixture
def internet_lab(lab_factory: Callable[..., Lab]) -> Lab:
    """topologies/home_internet.yaml: the office router forwards only TCP 8802 (004:236-250)."""
    return lab_factory("home_internet")
