"""What tests and suites use to drive the stub and phones in a lab (client side only).

The pytest plugin's `stubs` and `phones` fixtures start them and stop them after the test;
the helpers below build a device's settings as an administrator's configuration gives them
and await what a user would see. The office example configuration
(simulators/uc/examples/office.yaml) gives every device the SIP password `sip<user>secret`.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from simulators.phone import protocol as p
from simulators.phone.client import Phone, PhoneError

if TYPE_CHECKING:
    from simulators.system import SystemDoors
    from simulators.uc.service import Stub

StartPhone = Callable[..., Awaitable[Phone]]
StartStub = Callable[..., Awaitable["Stub"]]
"""the `stubs` fixture: the stub it starts; on an external system under test its handle
(simulators/system.py), where what only the stub has raises NeedsStub (a skip)"""


async def until(condition: Callable[[], Awaitable[bool]], timeout: float = 5.0, what: str = "") -> None:
    """Await a condition that something shows without an event to wait on (the UC API, the
    call core's status), checking every 20 ms; AssertionError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"{what or 'the condition'} did not come true within {timeout} s"
        await asyncio.sleep(0.02)


class NotRegistered(AssertionError):
    """A phone that should not register did."""


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


def voip_client(stub: SystemDoors, user: str, endpoint: str | None = None, **extra: Any) -> dict[str, Any]:
    """Settings of a myPortal @work VoIP client: TLS to 8802 (the LAN door or a public one)."""
    settings: dict[str, Any] = {
        "transports": [{"kind": "tls", "port": 0}],
        "registration": reg(endpoint or stub.door, user, "tls"),
    }
    settings.update(extra)
    return settings


def desk_phone(stub: SystemDoors, user: str, **extra: Any) -> dict[str, Any]:
    """Settings of a SIP desk phone or DECT base: UDP 5060."""
    settings: dict[str, Any] = {"registration": reg(f"{stub.lan_ip}:5060", user, "udp")}
    settings.update(extra)
    return settings


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
    """Fail if the phone gets a registration within `within` seconds (event or status)."""
    try:
        await phone.registered(timeout=within)
    except PhoneError as exc:
        if "nothing within" not in str(exc):
            raise
    else:
        raise NotRegistered(f"{phone.name} registered, but should not have")
    status = await phone.status()
    if status.registered:
        raise NotRegistered(f"{phone.name} is registered, but should not be")


async def registration_answer(phone: Phone, timeout: float = 3.0) -> p.RegState:
    """The registrar's answer to the phone's first REGISTER (or to a new one if that answer
    came before we connected and was not replayed)."""
    try:
        ev = await phone.wait_event(lambda e: isinstance(e, p.RegState), timeout, 0, "the REGISTER answer")
    except PhoneError:
        return await phone.register(timeout=timeout)
    assert isinstance(ev, p.RegState)
    return ev


REAL_TIME_ENV = "UCLAB_REAL_TIME"
"""set to 1 by the pytest plugin's --uclab-real-time (uclab run --real-time)"""


def suite_time_scale(compressed: float) -> float:
    """The time scale a suite gives its stub: `compressed` (real seconds per documented
    second, e.g. 0.05 runs 60 s in 3 s) by default, 1.0 when the run asks for real time."""
    return 1.0 if os.environ.get(REAL_TIME_ENV) == "1" else compressed
