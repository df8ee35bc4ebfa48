"""004 section 1.5 and 1.7: myPortal @work via the public Internet, and roaming between the
Internet and the office LAN (topologies/net_internet.yaml).

The office router forwards only TCP 8802 to the system (004:236-241); the home PC is behind
a port-restricted cone NAT; both NATs forget idle UDP bindings after 4 s, so a call that
still has two-way audio after that, and after a re-INVITE from each side, survived the
binding timeout. Devices and licences as the section lists them: users 200/201 with IP User
+ UC User licences and a VoIP client each (simulators/uc/examples/office.yaml), the desk
phone 202 in the office.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import (
    audio,
    call,
    call_with_audio,
    client,
    incoming_after_idle,
    login_times_out,
    registration_refused,
    survives_binding_timeout,
    uc_login,
)

BINDING_TIMEOUT_S = 4
"""udp_timeout_s of both NATs in net_internet.yaml"""
PUBLIC = "198.51.100.120:8802"
"""the office router's public address and forwarded port, as the administrator gives it (004:101)"""
LAN = "192.168.1.30:8802"


@pytest.fixture
def net(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("net_internet")


@pytest.mark.clause(
    "NET-1.5/login-public",
    "NET-1.5/voip",
    "NET-1.5/port-forward",
    "NET-1.5/home-router",
    "NET-1.5/stun",
    "PORT-1/uc-8802",
    "PORT-2/nothing-to-open",
    "NAT-3/simple",
    "NAT-5/ice-status",
    how="wire",
)
@pytest.mark.clause("PORT-1/stun-3478", how="construction")
async def test_net_1_5_home_client_over_the_internet(net: Lab, stubs: StartStub, phones: StartPhone) -> None:
    """NET-1.5 (004:96-107): log in at the public address:port (004:101), enable VoIP
    (004:102), STUN needed (004:107): Check NAT type says simple behind the home router's cone
    NAT (NAT-3, 000:2138-2160), Check ICE status says available (NAT-5, 004:352-366). The
    home client calls the office desk phone and is called by it: it rings, two-way audio each
    way; the call survives the NAT binding timeout and a re-INVITE from each side; an incoming
    call after an idle period longer than the binding timeout still rings (signalling on the
    one TLS connection to 8802, PORT-1 004:270-276; nothing opened on either router, PORT-2
    004:284-288)."""
    stub = await stubs(net)
    api = await uc_login(net, stub, "home_pc", PUBLIC, "200")
    sessions = (await api.connections()).uc_sessions
    assert [s.address for s in sessions] == ["203.0.113.24"], "the system sees the home router's public address"
    await api.aclose()
    home = await client(phones, net, stub, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, net, stub, "office_pc", "desk", "202", desk=True)
    nat_type = asyncio.ensure_future(home.check_nat_type())
    ice = await home.check_ice_status()
    assert ice.status == "available", f"Check ICE status at home: {ice.status} (expected available, 004:359)"

    out, inc = await call(net, home, desk, stub.door_uri("202", PUBLIC))
    await audio(net, out, inc, "two-way", label="home -> office desk phone")
    await survives_binding_timeout(net, out, inc, BINDING_TIMEOUT_S)
    await out.hangup()

    await call_with_audio(net, desk, home, stub.sip_uri("200"), "two-way", label="office desk phone -> home")
    await incoming_after_idle(net, desk, home, stub.sip_uri("200"), BINDING_TIMEOUT_S + 1)

    result = await nat_type
    assert (result.outcome, result.message) == ("simple", "NAT Type: simple"), (
        f"Check NAT type behind the home cone NAT: {result.message} ({result.reason}); expected simple (000:2138-2160)"
    )


@pytest.mark.clause(
    "NET-1.7/both-addresses",
    "NET-1.7/one-voip",
    "TRB-2/one-station",
    "TRB-2/open-connections",
    how="wire",
)
@pytest.mark.lab_choice("LAB-REGISTRATION-FIRST-HOLDS")
async def test_net_1_7_one_profile_between_internet_and_office(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.7 (004:119-139): the login screen holds the LAN address:8802 and the public
    address:port (004:125), so one profile serves home and office: at home the LAN address
    does not answer and the public one does; in the office the LAN address answers. Only one
    VoIP registration at a time (004:132, 004:138): while the home client holds station 200,
    an office client for 200 is refused; after the home client unregisters, the laptop
    carried into the office registers on the LAN and calls with two-way audio."""
    net = lab_factory("net_internet")  # built in the test's loop: lab.roam needs that
    stub = await stubs(net)
    await login_times_out(net, stub, "home_pc", LAN, "200")
    api = await uc_login(net, stub, "home_pc", PUBLIC, "200")
    home = await client(phones, net, stub, "home_pc", "laptop_home", "200", PUBLIC)
    office = await client(phones, net, stub, "office_pc", "office", "200", LAN, register=False)
    await registration_refused(office, "200")
    await office.close()
    regs = (await api.connections()).voip_registrations
    assert [r.source.split(":")[0] for r in regs] == ["203.0.113.24"], f"station 200 is held from home: {regs}"
    await api.aclose()
    await home.unregister(timeout=5)

    net.roam("home_pc", "office")
    api = await uc_login(net, stub, "home_pc", LAN, "200")
    await api.aclose()
    laptop = await client(phones, net, stub, "home_pc", "laptop_office", "200", LAN)
    desk = await client(phones, net, stub, "office_pc", "desk", "202", desk=True)
    await call_with_audio(net, desk, laptop, stub.sip_uri("200"), "two-way", label="desk phone -> laptop in the office")


@pytest.mark.slow
@pytest.mark.clause("NET-1.5/voip", how="wire")
async def test_net_1_5_real_time_binding_timeouts(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.5 (004:96-107) at real time: topologies/home_internet.yaml keeps the lab's
    default UDP binding timeout (120 s) on both NATs. A call lasting past it keeps two-way
    audio and survives re-INVITEs; after an idle period past it the client still rings."""
    net = lab_factory("home_internet")
    nat = net.topo.routers["home_router"].nat
    assert nat is not None
    timeout = nat.udp_timeout_s
    stub = await stubs(net)
    home = await client(phones, net, stub, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, net, stub, "office_pc", "desk", "202", desk=True)
    out, inc = await call(net, home, desk, stub.door_uri("202", PUBLIC))
    await survives_binding_timeout(net, out, inc, timeout)
    await out.hangup()
    await incoming_after_idle(net, desk, home, stub.sip_uri("200"), timeout + 5)
