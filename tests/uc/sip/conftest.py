"""Fixtures of the SIP edge and call core tests (issue 4 part B): labs, the stub, phones.

Labs are built in sync fixtures (pyroute2 cannot build while the test's loop runs); the
stub and the phones are started by async fixtures and stopped after the test, before the
lab goes down (which would stop them anyway).

The office configuration (simulators/uc/examples/office.yaml) gives every device the SIP
password `sip<user>secret`; `reg(...)` builds a phone's registration settings from that.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from simulators.lab import Lab
from simulators.phone import protocol as p
from simulators.phone.client import Phone, PhoneError
from simulators.phone.launch import start_phone
from simulators.uc.service import Stub, start_stub

StartPhone = Callable[..., Awaitable[Phone]]
StartStub = Callable[..., Awaitable[Stub]]


def secret(user: str) -> str:
    """The SIP password of device `user` in the office example configuration."""
    return f"sip{user}secret"


def reg(registrar: str, user: str, transport: str = "udp", password: str | None = None) -> dict[str, Any]:
    return {
        "registrar": registrar,
        "user": user,
        "password": secret(user) if password is None else password,
        "transport": transport,
    }


def voip_client(stub: Stub, user: str, endpoint: str | None = None, **extra: Any) -> dict[str, Any]:
    """Settings of a myPortal @work VoIP client: TLS to 8802 (the LAN door or a public one)."""
    settings: dict[str, Any] = {
        "transports": [{"kind": "tls", "port": 0}],
        "registration": reg(endpoint or stub.door, user, "tls"),
    }
    settings.update(extra)
    return settings


def desk_phone(stub: Stub, user: str, **extra: Any) -> dict[str, Any]:
    """Settings of a SIP desk phone or DECT base: UDP 5060."""
    settings: dict[str, Any] = {"registration": reg(f"{stub.lan_ip}:5060", user, "udp")}
    settings.update(extra)
    return settings


@pytest.fixture
def office_lab(lab_factory: Callable[..., Lab]) -> Lab:
    """topologies/office_lan.yaml: the system at 192.168.1.30, PCs, a desk phone and DECT."""
    return lab_factory("office_lan")


@pytest.fixture
def internet_lab(lab_factory: Callable[..., Lab]) -> Lab:
    """topologies/home_internet.yaml: the office router forwards only TCP 8802 (004:236-250)."""
    return lab_factory("home_internet")


@pytest.fixture
async def stubs() -> AsyncIterator[StartStub]:
    """start(lab, host="system", **options) -> Stub; every stub is stopped afterwards."""
    started: list[Stub] = []

    async def start(lab: Lab, host: str = "system", **options: Any) -> Stub:
        stub = await start_stub(lab, host, **options)
        started.append(stub)
        return stub

    try:
        yield start
    finally:
        for stub in reversed(started):
            stub.stop()


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


async def registered(phone: Phone, timeout: float = 5.0) -> None:
    """Await the phone's registration, also when it completed before we connected.

    The agent registers as it starts and does not replay events to a client that connects
    later; a fast registrar answers before that (seen with the stub on the LAN), so ask the
    agent's status first, then await the event.
    """
    status = await phone.status()
    if status.registered:
        return
    await phone.registered(timeout=timeout)


async def never_registers(phone: Phone, within: float = 1.5) -> None:
    """Assert the phone gets no registration within `within` seconds (event and status)."""
    with pytest.raises(PhoneError, match="nothing within"):
        await phone.registered(timeout=within)
    status = await phone.status()
    assert not status.registered, f"{phone.name} is registered"


async def registration_answer(phone: Phone, timeout: float = 3.0) -> p.RegState:
    """The registrar's answer to the phone's first REGISTER (or to a new one if that answer
    came before we connected and was not replayed)."""
    try:
        ev = await phone.wait_event(lambda e: isinstance(e, p.RegState), timeout, 0, "the REGISTER answer")
    except PhoneError:
        return await phone.register(timeout=timeout)
    assert isinstance(ev, p.RegState)
    return ev
