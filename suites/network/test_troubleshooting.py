"""TRB-1..4: the 004 troubleshooting guide (004:321-360) reproduced.

- TRB-1 (004:323-327): a VPN user whose VPN gives no address from the VPN network gets
  "connection time out" (topologies/home_vpn_no_address.yaml).
- TRB-2 (004:329): no other device or VoIP client may be registered with the same station
  number; the open connections show it. The documents leave the system's answer open
  (RULES section 5); the stub's documented choice (simulators/uc/rules/registrations.py):
  the first registration holds the station, a second one gets 403 naming the station.
- TRB-3 (004:331-338): no payload: closed firewall ports (test_port_table.py), symmetric NAT
  (test_nat.py), and the system's STUN connectivity (here).
- TRB-4 (000:335-337): unreachable server -> "Connection Time out" (here, and in
  test_section2_port_forward.py and test_port_table.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import (
    ScenarioFailed,
    audio,
    call,
    call_with_audio,
    client,
    login_times_out,
    registration_refused,
    uc_login,
)
from simulators.phone.ucapi import CONNECTION_TIME_OUT

LAN = "192.168.1.30:8802"
PUBLIC = "198.51.100.120:8802"
SLOW_RING_S = 20.0
"""the system waits for its STUN server while gathering ICE candidates, before the callee rings"""


@pytest.mark.clause("TRB-1/vpn-address", "TRB-4/connection-time-out", how="wire")
async def test_trb_1_vpn_without_an_address_connection_time_out(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """TRB-1 (004:323-327): the tunnel is up but the home PC has no local IP from the VPN
    network; the client cannot reach LAN IP:8802 and shows "connection time out" (TRB-4,
    000:335-337); the VoIP client does not register."""
    lab = lab_factory("home_vpn_no_address")
    stub = await stubs(lab)
    wg = lab.exec("home_pc", ["ip", "-4", "-o", "addr", "show", "dev", "wg0"]).stdout
    assert "10.8.0." not in wg, f"premise: no address from the VPN network on the tunnel, but: {wg}"
    refused = await login_times_out(lab, stub, "home_pc", LAN, "200")
    assert refused.message == CONNECTION_TIME_OUT
    with pytest.raises(ScenarioFailed, match="did not register"):
        await client(phones, lab, stub, "home_pc", "alice", "200", LAN)


@pytest.mark.clause("TRB-2/one-station", "TRB-2/open-connections", how="wire")
@pytest.mark.lab_choice("LAB-REGISTRATION-FIRST-HOLDS")
async def test_trb_2_second_device_for_the_same_station_is_refused(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """TRB-2 (004:329): while the myPortal @work client holds station 200, another device
    registering station 200 (a desk phone over UDP 5060 with the same credentials) is
    refused with 403 naming the station; the user's open connections (the WBM Web Services
    Assistant's view, 004:329) list the holder and the refused attempt. The first keeps
    working: it is called and has two-way audio."""
    lab = lab_factory("net_office_lan")
    stub = await stubs(lab)
    holder = await client(phones, lab, stub, "office_pc", "atwork", "200", LAN)
    other = await client(phones, lab, stub, "desk_phone", "intruder", "200", desk=True, register=False)
    reason = await registration_refused(other, "200")
    api = await uc_login(lab, stub, "office_pc", LAN, "200")
    seen = await api.connections()
    await api.aclose()
    assert [r.source.split(":")[0] for r in seen.voip_registrations] == ["192.168.1.50"], seen
    # the refused device may retry: every refused attempt comes from it
    assert {r.source.split(":")[0] for r in seen.refused_registrations} == {"192.168.1.60"}, seen
    caller = await client(phones, lab, stub, "office_pc2", "ben", "201", LAN)
    await call_with_audio(
        lab,
        caller,
        holder,
        stub.door_uri("200"),
        "two-way",
        label=f"call to the holder of 200 (the other device got: {reason})",
    )


@pytest.mark.parametrize(("system_stun", "expected"), [("192.0.2.10:3478", "two-way"), ("192.0.2.99:3478", "none")])
@pytest.mark.clause("TRB-3/system-stun", "NET-1.5/system-stun", how="wire")
async def test_trb_3_system_stun_connectivity_decides_payload(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone, system_stun: str, expected: str
) -> None:
    """TRB-3 (004:331-338), "Check stun server connectivity in the system" (004:338): the
    home client over the Internet (NET-1.5, "Active STUN support on the system", 004:233)
    has two-way audio when the system's STUN server answers, and no payload when it does
    not (192.0.2.99 does not exist); signalling and ringing work either way (ringing later
    without STUN: the system gathers its ICE candidates before it calls the office phone)."""
    lab = lab_factory("net_internet")
    stub = await stubs(lab, stun_servers=[system_stun])
    home = await client(phones, lab, stub, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, lab, stub, "office_pc", "desk", "202", desk=True)
    t0 = time.monotonic()
    out, inc = await call(lab, home, desk, stub.door_uri("202", PUBLIC), ring_timeout=SLOW_RING_S)
    rang_after = time.monotonic() - t0
    await audio(lab, out, inc, expected, label=f"home -> office, system STUN {system_stun}")
    print(f"system STUN {system_stun}: the office phone rang {rang_after:.1f} s after the dial")
    await out.hangup()
