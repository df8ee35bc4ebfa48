"""004 sections 1.4 and 1.6: the home user through a VPN, and moving between home (VPN) and
the office LAN with the same settings (topologies/net_vpn.yaml).

The VPN (WireGuard on the office router) gives the home PC 10.8.0.2 from the VPN network; the
client logs in at the system's LAN address:8802 through it (004:92). The home NAT forgets idle
UDP bindings after 4 s (the tunnel's own UDP crosses it), so a call that keeps two-way audio
after that and after re-INVITEs survived the binding timeout. Licences: IP User + UC User
(user 200, simulators/uc/examples/office.yaml); the office party is the desk phone 202.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import audio, call, call_with_audio, client, survives_binding_timeout, uc_login

BINDING_TIMEOUT_S = 4
"""udp_timeout_s of both NATs in net_vpn.yaml"""
LAN = "192.168.1.30:8802"
VPN_ADDRESS = "10.8.0.2"
"""the home PC's address from the VPN network; the client's traffic to the office leaves from it"""


@pytest.mark.clause(
    "NET-1.4/login-vpn",
    "NET-1.4/voip",
    "NET-1.4/stun",
    "NAT-5/ice-status",
    "PORT-2/nothing-to-open",
    how="wire",
)
async def test_net_1_4_home_user_through_the_vpn(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.4 (004:87-94): login with LAN IP address:8802 through the VPN (004:92), enable
    VoIP (004:93); STUN is mandatory and Check ICE status says available (004:94, NAT-5
    004:352-366). Calls both ways ring and have two-way audio; the call survives the home
    NAT's binding timeout and a re-INVITE from each side (nothing opened, PORT-2 004:284-288)."""
    net = lab_factory("net_vpn")
    stub = await stubs(net)
    api = await uc_login(net, stub, "home_pc", LAN, "200")
    sessions = (await api.connections()).uc_sessions
    assert [s.address for s in sessions] == [VPN_ADDRESS], "the system sees the client's VPN address"
    await api.aclose()
    home = await client(phones, net, stub, "home_pc", "alice", "200", LAN)
    desk = await client(phones, net, stub, "office_pc", "desk", "202", desk=True)
    ice = await home.check_ice_status()
    assert ice.status == "available", f"Check ICE status through the VPN: {ice.status} (expected available, 004:94)"

    out, inc = await call(net, home, desk, stub.door_uri("202"))
    await audio(net, out, inc, "two-way", label="VPN client -> office desk phone")
    await survives_binding_timeout(net, out, inc, BINDING_TIMEOUT_S)
    await out.hangup()
    await call_with_audio(net, desk, home, stub.sip_uri("200"), "two-way", label="office desk phone -> VPN client")


@pytest.mark.clause("NET-1.6/login-lan", "NET-1.6/same-settings", how="wire")
async def test_net_1_6_same_settings_at_home_and_in_the_office(
    lab_factory: Callable[..., Lab], stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.6 (004:109-117): "myPortal @work can be used in both environments without
    changing the settings" (004:116). The laptop's client has one set of settings (login and
    VoIP at LAN IP:8802): at home through the VPN and then carried into the office (VPN down),
    it logs in, registers, rings and has two-way audio in both places. (The lab's client is
    restarted after the move with identical settings.)"""
    net = lab_factory("net_vpn")  # built in the test's loop: lab.roam needs that (see suites/rules/test_login_lab.py)
    stub = await stubs(net)
    desk = await client(phones, net, stub, "office_pc", "desk", "202", desk=True)
    for place in ("home", "office"):
        if place == "office":
            net.roam("home_pc", "office")
        api = await uc_login(net, stub, "home_pc", LAN, "200")
        await api.aclose()
        laptop = await client(phones, net, stub, "home_pc", f"laptop_{place}", "200", LAN)
        await call_with_audio(
            net, desk, laptop, stub.sip_uri("200"), "two-way", label=f"office desk phone -> laptop at {place}"
        )
        await laptop.unregister(timeout=5)
        await laptop.close()
