"""NAT-1..5: NAT types between the home client and the office (004 sections 3.5, 4.2;
000:2138-2197), on topologies/net_internet.yaml with the home router's NAT switched by
lab.reconfigure_router (binding timeout kept at 4 s).

- NAT-1 (004:318, 000:2157-2158): symmetric NAT is not supported over public networks, still
  usable on the local network.
- NAT-2 (004:319): strict firewalls are not supported.
- NAT-3 (000:2138-2160): Check NAT type says simple / Symmetric / could not be detected.
- NAT-4 (004:337, 004:340-352): the system detects its own NAT type ("Detected Nat-Type:
  Port Restricted Cone NAT").
- NAT-5 (004:352-366): Check ICE status says available when STUN is reachable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import (
    audio,
    call,
    call_with_audio,
    client,
    ice_status_is,
    nat_type_is,
    survives_binding_timeout,
    uc_login_first,
)
from simulators.phone.client import Phone, PhoneError
from simulators.phone.voip import MSG_ADDED, MSG_FAILED, MSG_PRESENT
from simulators.uc.service import Stub

PUBLIC = "198.51.100.120:8802"
LAN = "192.168.1.30:8802"
BINDING_TIMEOUT_S = 4
WBM_NAT_NAMES = {
    "full-cone": "Full Cone NAT",
    "restricted-cone": "Restricted Cone NAT",
    "port-restricted-cone": "Port Restricted Cone NAT",
    "symmetric": "Symmetric NAT",
}
"""how WBM's Detect NAT Type names a NAT (004:343)"""


def home_nat(lab: Lab, preset: str, **extra: Any) -> None:
    lab.reconfigure_router("home_router", nat={"preset": preset, "udp_timeout_s": BINDING_TIMEOUT_S}, **extra)


async def home_client_and_desk(lab: Lab, stubs: StartStub, phones: StartPhone) -> tuple[Stub, Phone, Phone]:
    stub = await stubs(lab)
    await uc_login_first(lab, stub, "home_pc", PUBLIC, "200")
    home = await client(phones, lab, stub, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, lab, stub, "office_pc", "desk", "202", desk=True)
    return stub, home, desk


@pytest.mark.parametrize("preset", ["full-cone", "restricted-cone", "port-restricted-cone"])
@pytest.mark.clause("NAT-3/simple", "NAT-5/ice-status", "NET-1.5/login-public", "NET-1.5/voip", how="wire")
async def test_cone_nats_at_home_work(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone, preset: str
) -> None:
    """NAT-3 (000:2138-2160): behind a cone NAT Check NAT type says simple; Check ICE status
    available (NAT-5, 004:359); the call has two-way audio and survives the binding timeout
    and re-INVITEs (the set-up of NET-1.5, 004:96-107)."""
    lab = lab_factory("net_internet")
    home_nat(lab, preset)
    stub, home, desk = await home_client_and_desk(lab, stubs, phones)
    nat_type = asyncio.ensure_future(nat_type_is(home, "simple"))
    await ice_status_is(home, "available")
    out, inc = await call(lab, home, desk, stub.door_uri("202", PUBLIC))
    await audio(lab, out, inc, "two-way", label=f"home behind a {preset} NAT -> office")
    await survives_binding_timeout(lab, out, inc, BINDING_TIMEOUT_S)
    await out.hangup()
    await nat_type


@pytest.mark.clause("NAT-1/not-over-public", "NAT-1/local-network", "NAT-3/symmetric", "TRB-3/symmetric", how="wire")
async def test_symmetric_nat_at_home_no_payload_over_the_internet_but_on_the_lan(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NAT-1 (004:318, 004:336, 000:2157-2158): behind a symmetric NAT at home, with the system
    behind the office NAT, Check NAT type says Symmetric (NAT-3); login, registration and
    ringing work (TCP 8802) but no payload flows. Carried into the office LAN, the same
    laptop calls with two-way audio ("still usable on the local network")."""
    lab = lab_factory("net_internet")  # built in the test's loop: lab.roam needs that
    home_nat(lab, "symmetric")
    stub, home, desk = await home_client_and_desk(lab, stubs, phones)
    result = await home.check_nat_type()
    assert (result.outcome, result.message) == ("Symmetric", "NAT Type: Symmetric"), result
    await call_with_audio(
        lab, home, desk, stub.door_uri("202", PUBLIC), "none", label="home behind a symmetric NAT -> office"
    )
    await home.unregister(timeout=5)
    lab.roam("home_pc", "office")
    laptop = await client(phones, lab, stub, "home_pc", "laptop", "200", LAN)
    await call_with_audio(
        lab, laptop, desk, stub.door_uri("202"), "two-way", label="the same laptop on the office LAN -> office"
    )


@pytest.mark.clause("NAT-1/not-over-public", "TRB-3/symmetric", how="wire")
async def test_symmetric_nat_at_the_office_no_payload_over_the_internet(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NAT-1 (004:318, 004:336): the office router a symmetric NAT (still forwarding 8802),
    the home router a cone NAT: login, registration and ringing work, no payload flows over
    the Internet; the office LAN's own calls are unaffected."""
    lab = lab_factory("net_internet")
    lab.reconfigure_router("office_router", nat={"preset": "symmetric", "udp_timeout_s": BINDING_TIMEOUT_S})
    stub, home, desk = await home_client_and_desk(lab, stubs, phones)
    await call_with_audio(lab, home, desk, stub.door_uri("202", PUBLIC), "none", label="home -> office (symmetric)")
    office = await client(phones, lab, stub, "office_pc", "ben", "201", LAN)
    await call_with_audio(lab, office, desk, stub.door_uri("202"), "two-way", label="office LAN VoIP -> desk phone")


@pytest.mark.clause("NAT-5/add-valid", "NAT-5/add-failed", how="wire")
@pytest.mark.clause("NAT-5/default-hidden", "NAT-5/add-duplicate", how="client-model")
async def test_ice_servers_list(lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone) -> None:
    """NAT-5 (000:2162-2197, 004:367-370): the default STUN server is not listed and cannot be
    removed; Add server with a valid STUN server adds it, the same again says "Server is
    already present", an unreachable one "Failed to add the server. Please check your
    environment"."""
    lab = lab_factory("net_internet")
    stub = await stubs(lab)
    home = await client(phones, lab, stub, "home_pc", "alice", "200", PUBLIC)
    assert (await home.status()).ice_servers == [], "the default STUN server is not listed"
    added = await home.add_ice_server("stun:192.0.2.11:3478")
    assert (added.outcome, added.message) == ("added", MSG_ADDED), added
    again = await home.add_ice_server("stun:192.0.2.11:3478")
    assert (again.outcome, again.message) == ("present", MSG_PRESENT), again
    missing = await home.add_ice_server("stun:192.0.2.99:3478")
    assert (missing.outcome, missing.message) == ("failed", MSG_FAILED), missing
    with pytest.raises(PhoneError, match="cannot be removed"):
        await home.remove_ice_server("stun:192.0.2.10:3478")


@pytest.mark.clause("NAT-2/strict", "NAT-3/not-detected", "NAT-5/ice-status", how="wire")
async def test_strict_firewall_at_home_fails(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NAT-2 (004:319): behind a strict firewall (no UDP at all) Check NAT type says could not
    be detected (NAT-3, 000:2138-2160), Check ICE status not available (NAT-5), and a call has
    no payload."""
    lab = lab_factory("net_internet")
    home_nat(lab, "port-restricted-cone", firewall="strict")
    stub, home, desk = await home_client_and_desk(lab, stubs, phones)
    await asyncio.gather(nat_type_is(home, "could not be detected"), ice_status_is(home, "not available"))
    await call_with_audio(
        lab, home, desk, stub.door_uri("202", PUBLIC), "none", label="home behind a strict firewall -> office"
    )


@pytest.mark.parametrize("preset", ["port-restricted-cone", "symmetric"])
@pytest.mark.clause("NAT-4/detect", "TRB-3/detect-nat", how="construction")
def test_nat_type_detected_from_the_system(lab_factory: Callable[..., Lab], preset: str) -> None:
    """NAT-4 (004:337, 004:340-352): detected from the system, the office router's NAT type is
    named as WBM names it ("Detected Nat-Type: Port Restricted Cone NAT", 004:343). The stub
    has no Detect NAT Type of its own: the detection runs from the system host with the lab's
    RFC 5780 classifier against the public STUN server the system uses."""
    lab = lab_factory("net_internet")
    lab.reconfigure_router("office_router", nat={"preset": preset, "udp_timeout_s": BINDING_TIMEOUT_S})
    seen = lab.natcheck("system")
    detected = WBM_NAT_NAMES.get(seen.preset or "", f"unknown ({seen})")
    assert detected == WBM_NAT_NAMES[preset], f"Detected Nat-Type: {detected}; the office router is {preset}"
