"""One VoIP registration per station (TRB-2) and registrations across a stub restart.

The documents leave open how the system answers a second registration for a station
(RULES section 5); the lab's choice is the rule in simulators/uc/rules/registrations.py:
the first registration holds the station, a second client is refused with 403 and a
Retry-After until the first unregisters or expires. The SIP edge enforces it: Kamailio asks
the UC server for every REGISTER (evapi) and refuses with the state's answer.
"""

from __future__ import annotations

import pytest

from simulators.lab import Lab
from simulators.phone.media import expect_audio
from simulators.uc import backdoor

from .conftest import (
    StartPhone,
    StartStub,
    desk_phone,
    never_registers,
    registered,
    registration_answer,
    voip_client,
)


@pytest.mark.rule("TRB-2", "NET-1.7")
async def test_second_registration_for_a_station_is_refused_until_the_first_leaves(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """TRB-2 (004:327-328) and NET-1.7 (004:130-138, one VoIP registration at a time): a
    second myPortal @work client registering station 200 while the first holds it gets 403
    (and stays unregistered); the refusal is recorded for the open-connections view; once
    the first client unregisters, the second registers."""
    stub = await stubs(office_lab)
    first = await phones(office_lab, "office_pc", "first", **voip_client(stub, "200"))
    await registered(first)
    second = await phones(office_lab, "office_pc2", "second", **voip_client(stub, "200"))
    answer = await registration_answer(second)
    assert answer.code == 403, f"second registration answered {answer.code} {answer.reason}"
    assert "200" in answer.reason
    await never_registers(second, within=0.5)
    with backdoor.open_state(stub) as state:
        refused = state.refused_registrations()
    assert refused and refused[0].sip_user == "200" and refused[0].source.startswith("192.168.1.51:")
    holders = {r["sip_user"]: r["source"] for r in await backdoor.server(stub, "registrations")}
    assert holders["200"].startswith("192.168.1.50:"), holders
    await first.unregister(timeout=5)
    mark = second.mark()
    answer = await second.register(timeout=5)
    assert answer.code == 200, f"after the first left: {answer.code} {answer.reason}"
    await second.registered(timeout=5, since=mark)
    holders = {r["sip_user"]: r["source"] for r in await backdoor.server(stub, "registrations")}
    assert holders["200"].startswith("192.168.1.51:"), holders


@pytest.mark.rule("TRB-2", "NET-1.2")
async def test_restart_devices_register_again_and_calls_work(
    office_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """Stop and start the stub: registrations are not kept (Kamailio's location is in
    memory, so the UC server drops the state's stale ones at start, and the devices register
    again); the state file itself survives (tests/uc/state checks users, passwords, PINs
    and presence); TRB-2 holds again for the re-registered holder; calls work as before."""
    stub = await stubs(office_lab)
    alice = await phones(office_lab, "office_pc", "alice", **voip_client(stub, "200"))
    bob = await phones(office_lab, "office_pc2", "bob", **desk_phone(stub, "201"))
    await registered(alice)
    await registered(bob)
    before = {r["sip_user"] for r in await backdoor.server(stub, "registrations")}
    assert before == {"200", "201"}
    inode = stub.state_path.stat().st_ino
    await stub.restart()
    assert all(stub.alive().values())
    assert stub.state_path.stat().st_ino == inode, "the restart replaced the state file"
    assert await backdoor.server(stub, "registrations") == []
    assert backdoor.kamailio_rpc(stub).registrations() == {}
    for phone in (alice, bob):
        answer = await phone.register(timeout=5)
        assert answer.code == 200, f"{phone.name} after the restart: {answer.code} {answer.reason}"
    newcomer = await phones(office_lab, "desk_phone", "newcomer", **voip_client(stub, "200"))
    answer = await registration_answer(newcomer)
    assert answer.code == 403, f"a newcomer for station 200 after the restart: {answer.code} {answer.reason}"
    out = await alice.dial(stub.door_uri("201"))
    inc = await bob.incoming(timeout=5)
    await inc.answer()
    await out.established(timeout=5)
    await expect_audio(out, inc, "two-way", within=3)
