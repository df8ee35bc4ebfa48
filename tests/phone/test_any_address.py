"""A phone binds to any address by default, as the application does: the host's routes pick
the source (NET-1.4, 004:87-94: the client at home reaches the system's LAN address through
the VPN). The VPN here has other addressing than topologies/home_vpn.yaml (office LAN
10.20.30.0/24, home LAN 172.16.44.0/24, tunnel 10.250.0.0/24), and the system does not
latch onto the RTP source, so two-way audio needs the SDP to carry the tunnel address.

Bound to the home LAN address instead (the phone's old default), the REGISTER leaves through
the tunnel with a source the VPN does not allow: no registration, which is what proves the
first test can fail.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub, never_registers
from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.netcheck import audio, call, client

SYSTEM = "10.20.30.5"
TUNNEL = "10.250.0.7"
HOME_LAN = "172.16.44.20"
DOOR = f"{SYSTEM}:8802"


def other_vpn() -> Topology:
    return (
        TopologyBuilder("phone_other_vpn", "home PC through a VPN, addressing unlike home_vpn")
        .segment("office_lan", "10.20.30.0/24")
        .segment("office_wan", "198.51.100.0/24")
        .segment("home_wan", "203.0.113.0/24")
        .segment("home_lan", "172.16.44.0/24")
        .host("system", eth0=("office_lan", SYSTEM))
        .host("office_pc", eth0=("office_lan", "10.20.30.50"))
        .host("home_pc", eth0=("home_lan", HOME_LAN))
        .router(
            "office_router",
            lan=("office_lan", "10.20.30.1"),
            wan=("office_wan", "198.51.100.120"),
            nat="port-restricted-cone",
        )
        .router(
            "home_router", lan=("home_lan", "172.16.44.1"), wan=("home_wan", "203.0.113.24"), nat="port-restricted-cone"
        )
        .router("internet", office=("office_wan", "198.51.100.1"), home=("home_wan", "203.0.113.1"))
        .vpn("office_vpn", server="office_router", subnet="10.250.0.0/24", clients={"home_pc": TUNNEL})
        .build()
    )


@pytest.fixture
def vpn_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(other_vpn())


def _no_latching() -> object:
    from simulators.uc.service import config_source

    cfg = config_source("office")
    return cfg.model_copy(update={"sip": cfg.sip.model_copy(update={"latch_rtp": False})})


@pytest.mark.rule("NET-1.4")
async def test_registers_through_the_vpn_without_a_bind_argument(
    vpn_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """NET-1.4 (004:92-93): VoIP at LAN IP:8802 through the VPN registers, and a call to the
    office desk phone has two-way audio with a system that sends RTP where the SDP says."""
    stub = await stubs(vpn_lab, config=_no_latching())
    home = await client(phones, vpn_lab, stub, "home_pc", "alice", "200", DOOR, ice=False)
    assert f"@{TUNNEL}:" in home.uri("tls"), f"the client advertises {home.uri('tls')}"
    desk = await client(phones, vpn_lab, stub, "office_pc", "desk", "202", desk=True, ice=False)
    out, inc = await call(vpn_lab, home, desk, stub.door_uri("202"))
    await audio(vpn_lab, out, inc, "two-way", label="VPN client bound to any address -> desk phone")
    await out.hangup()


async def test_bound_to_the_home_lan_address_it_does_not_register(
    vpn_lab: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """Binding to one address stays an explicit option; bound to the home LAN address, the
    client's REGISTER through the tunnel carries a source the VPN drops (the field symptom)."""
    stub = await stubs(vpn_lab)
    home = await client(
        phones, vpn_lab, stub, "home_pc", "alice", "200", DOOR, ice=False, register=False, bind=HOME_LAN
    )
    await never_registers(home, within=3.0)
