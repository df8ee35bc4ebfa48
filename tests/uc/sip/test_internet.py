"""myPortal @work over the public Internet: only 8802 forwarded, two NATs (NET-1.5, PORT-1).

topologies/home_internet.yaml: the office router (port-restricted cone NAT, stateful) forwards
TCP 8802 to the system and nothing else; the home router is a port-restricted cone NAT; a
public coturn (192.0.2.10/.11) is the STUN server of the client and of the system.
"""

from __future__ import annotations

import asyncio

import pytest

from simulators.lab import Lab
from simulators.phone.media import expect_audio
from simulators.uc import backdoor

from . import https
from .conftest import StartPhone, StartStub, desk_phone, never_registers, registered, secret, voip_client
from .media import anchored_pair


@pytest.mark.rule("NET-1.5", "PORT-1", "NET-1.2")
async def test_home_client_logs_in_registers_and_calls_both_ways(
    internet_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.5 (004:96-106, 004:226-250): the home client reaches the system only through the
    office router's public address and port 8802; over that one port (PORT-1, 004:270-276)
    it logs in to the UC API, registers its VoIP engine, makes a call and receives one, with
    two-way audio each time. ICE succeeds through both NATs with server-reflexive candidates
    (STUN needed, 004:106) and the media is anchored in the system."""
    stub = await stubs(internet_lab)
    public = stub.door_endpoints[0]
    host, port = public.rsplit(":", 1)
    assert public == "198.51.100.120:8802"
    login = await asyncio.to_thread(
        https.request,
        internet_lab,
        "home_pc",
        host,
        int(port),
        "POST",
        "/api/v1/login",
        body={"user": "200", "password": "Start#200a"},
        ca_file=stub.ca_file,
    )
    assert login.status == 200, login.body
    home = await phones(internet_lab, "home_pc", "alice", ice=True, **voip_client(stub, "200", public))
    office = await phones(internet_lab, "office_pc", "bob", ice=True, **desk_phone(stub, "201"))
    await registered(home)
    await registered(office)
    regs = {r["sip_user"]: r for r in await backdoor.server(stub, "registrations")}
    assert regs["200"]["source"].startswith("203.0.113.24:"), regs["200"]
    # home -> office
    out = await home.dial(stub.door_uri("201", public))
    inc = await office.incoming(timeout=5)
    await inc.answer()
    await out.established(timeout=5)
    await expect_audio(out, inc, "two-way", within=4)
    home_leg, _ = anchored_pair(await stub.calls(), "200", "201")
    ice = home_leg["stream"]["ice"]
    assert ice["state"].endswith("Success"), ice
    rtp = next(pair for pair in ice["pairs"] if pair["component"] == 1)
    assert (rtp["local_type"], rtp["remote_type"]) == ("srflx", "srflx"), rtp
    assert rtp["local"].startswith("198.51.100.120:") and rtp["remote"].startswith("203.0.113.24:"), rtp
    await out.hangup()
    # office -> home, over the home client's own door connection
    out = await office.dial(stub.sip_uri("200"))
    inc = await home.incoming(timeout=5)
    await inc.answer()
    await out.established(timeout=5)
    await expect_audio(out, inc, "two-way", within=4)
    await out.hangup()


@pytest.mark.rule("NET-1.5", "PORT-1")
async def test_only_8802_is_forwarded_and_sip_5060_is_not_reachable_from_home(
    internet_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """004:236-250: only 8802 is forwarded. A home client that tries the system's SIP port
    5060 through the office router never registers; through 8802 it does."""
    stub = await stubs(internet_lab)
    wrong = await phones(
        internet_lab,
        "home_pc",
        "alice",
        registration={"registrar": "198.51.100.120:5060", "user": "200", "password": secret("200")},
    )
    await never_registers(wrong, within=2)
    right = await phones(internet_lab, "home_pc", "bob", **voip_client(stub, "201", stub.door_endpoints[0]))
    await registered(right)
