"""Failed-authentication limits on every SIP door (LAB-AUTH-LIMITS: kamailio.cfg route[DIGEST]).

A lab choice after NIST SP 800-63B 5.2.2 (the documents say nothing about lockout), with
short figures so a test sees a block begin and end: an address that failed
`source_failures` times is refused on UDP and TCP 5060, TLS 5061 and through the front door
8802 (whose PROXY header names the real address), while a phone elsewhere still registers;
an account that failed `account_failures` times from several addresses is refused for new
addresses, not for the one its user registered from before.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from simulators.lab import Lab
from simulators.peers.sipwire import register_with_password
from simulators.uc.authlimits import AuthLimits

from .conftest import StartPhone, StartStub, registered, secret, voip_client

LIMITS = AuthLimits(source_failures=4, account_failures=6, window_s=30, block_s=3)
BLOCKED = re.compile(r"Too many failed authentications from this address; try again in ([1-3]) s")
LOCKED = re.compile(r"Too many failed authentications for this account; try again in ([1-3]) s")


def refused(answer: tuple[int | None, str], how: re.Pattern[str]) -> bool:
    """A 403 with that reason (and the block's remaining seconds, 1-3)."""
    return answer[0] == 403 and how.fullmatch(answer[1]) is not None


HOSTS = {"desk_phone": "192.168.1.60", "dect": "192.168.1.61", "office_pc2": "192.168.1.51"}


async def attempt(
    lab: Lab, host: str, port: int, transport: str, user: str, password: str, system: str = "192.168.1.30"
) -> tuple[int | None, str]:
    return await asyncio.to_thread(
        register_with_password, lab, host, HOSTS[host], (system, port), transport, user, password
    )


@pytest.mark.lab_choice("LAB-AUTH-LIMITS")
async def test_an_address_is_blocked_on_every_door_and_a_phone_elsewhere_still_registers(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    stub = await stubs(office_lab, auth_limits=LIMITS)
    assert await attempt(office_lab, "desk_phone", 5060, "UDP", "202", secret("202")) == (200, "OK")
    wrong = [await attempt(office_lab, "desk_phone", 5060, "UDP", user, "guess") for user in ("200", "201", "999")]
    assert [code for code, _ in wrong] == [401, 401, 401]  # an unknown user is challenged like a known one
    fourth = await attempt(office_lab, "desk_phone", 5060, "UDP", "200", "guess")
    t_blocked = time.monotonic()
    assert refused(fourth, BLOCKED), fourth
    for port, transport in ((5060, "UDP"), (5060, "TCP"), (5061, "TLS"), (8802, "TLS")):
        answer = await attempt(office_lab, "desk_phone", port, transport, "202", secret("202"))
        assert refused(answer, BLOCKED), (port, transport, answer)

    alice = await phones(office_lab, "office_pc", **voip_client(stub, "200"))
    await registered(alice)
    assert await attempt(office_lab, "dect", 5061, "TLS", "201", secret("201")) == (200, "OK")

    while refused(answer := await attempt(office_lab, "desk_phone", 5060, "UDP", "204", secret("204")), BLOCKED):
        assert time.monotonic() - t_blocked < LIMITS.block_s + 3, "the block did not end"
    assert answer == (200, "OK")
    assert time.monotonic() - t_blocked >= LIMITS.block_s - 1


@pytest.mark.lab_choice("LAB-AUTH-LIMITS")
async def test_an_account_is_locked_for_new_addresses_not_where_its_user_registered(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    stub = await stubs(office_lab, auth_limits=LIMITS)
    alice = await phones(office_lab, "office_pc", **voip_client(stub, "200"))
    await registered(alice)
    for host in ("desk_phone", "dect"):  # 3 + 3 failures for 200: no address reaches 4
        for _ in range(3):
            code, _ = await attempt(office_lab, host, 5060, "UDP", "200", "guess")
            assert code in (401, 403)
    # door: Kamailio sees office_pc's own address through the PROXY header
    answer = await attempt(office_lab, "office_pc2", 8802, "TLS", "200", secret("200"))
    assert refused(answer, LOCKED), answer
    assert await attempt(office_lab, "office_pc2", 5060, "UDP", "201", secret("201")) == (200, "OK")
    await alice.unregister()
    again = await alice.register(timeout=5)  # from where 200 registered before: still lets in
    assert (again.code, again.expires > 0) == (200, True), again
