"""004 chapter 2 (configuration steps for the Internet) and PORT-4: the office router forwards
only the HTTPS port 8802 to the system (topologies/net_internet.yaml; VPN counterpart
topologies/net_vpn.yaml).

- 2.3.2 (004:236-242): "External port (default is 8802) -> Office Router -> 192.168.1.30:8802".
- 2.3.3 (004:244-248): the client connects to the office router's public address on 8802;
  nothing needs configuring on the home router.
- TRB-4 (000:335-337): an unreachable server gives the client "Connection Time out".
- PORT-4 (000:339-341): the Online Help is on HTTPS 443, not reachable over the WAN when
  only 8802 is forwarded, reachable over a VPN. A TCP listener on the system's 443 stands
  in for its web server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from simulators.harness import StartPhone, StartStub
from simulators.lab import Lab
from simulators.netcheck import ScenarioFailed, call_with_audio, client, login_times_out, uc_login
from simulators.peers.traffic import tcp_connects, tcp_listener
from simulators.phone.ucapi import CONNECTION_TIME_OUT

PUBLIC_IP = "198.51.100.120"
PUBLIC = f"{PUBLIC_IP}:8802"
LAN = "192.168.1.30:8802"
ONLINE_HELP = 443


def open_ports(lab: Lab, src: str, address: str, ports: list[int]) -> list[int]:
    """The TCP ports of `address` that accept a connection from `src`."""
    return [port for port in ports if tcp_connects(lab, src, (address, port), timeout=0.4)]


@pytest.fixture
def net(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("net_internet")


@pytest.mark.clause("NET-1.5/port-forward", "NET-1.5/login-public", "NET-1.5/home-router", "PORT-1/uc-8802", how="wire")
async def test_office_router_forwards_only_8802_and_the_internet_client_works(
    net: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """004:236-248: with HTTPS 8802 forwarded to the system and nothing else, the office
    router answers on 8802 only (the system itself listens on 5060, 5061 and 8802); the home
    client logs in at the public address:8802, registers and calls with two-way audio."""
    stub = await stubs(net)
    on_system = await asyncio.to_thread(open_ports, net, "office_pc", "192.168.1.30", [5060, 5061, 8802])
    assert on_system == [5060, 5061, 8802], f"premise: the system listens on {on_system}"
    public = await asyncio.to_thread(open_ports, net, "stun", PUBLIC_IP, [443, 5060, 5061, 8801, 8802])
    assert public == [8802], f"the office router answers from the Internet on {public}; the document forwards 8802 only"
    api = await uc_login(net, stub, "home_pc", PUBLIC, "200")
    await api.aclose()
    home = await client(phones, net, stub, "home_pc", "alice", "200", PUBLIC)
    desk = await client(phones, net, stub, "office_pc", "desk", "202", desk=True)
    await call_with_audio(
        net, home, desk, stub.door_uri("202", PUBLIC), "two-way", label="home client over the forwarded 8802 -> office"
    )


@pytest.mark.clause("TRB-4/connection-time-out", "NET-1.5/port-forward", how="wire")
async def test_without_the_port_forward_the_client_gets_connection_time_out(
    net: Lab, stubs: StartStub, phones: StartPhone
) -> None:
    """Without the forward of 004:240-241 the system is not reachable from the Internet: the
    login ends with "Connection Time out" (TRB-4, 000:335-337) and the VoIP client does not
    register."""
    stub = await stubs(net)
    net.reconfigure_router("office_router", port_forwards=[])
    refused = await login_times_out(net, stub, "home_pc", PUBLIC, "200")
    assert refused.message == CONNECTION_TIME_OUT
    with pytest.raises(ScenarioFailed, match="did not register"):
        await client(phones, net, stub, "home_pc", "alice", "200", PUBLIC)


@pytest.mark.clause("PORT-4/not-over-wan", "PORT-4/over-vpn", how="wire")
async def test_online_help_443_not_over_the_wan_but_over_the_vpn(lab_factory: Callable[..., Lab]) -> None:
    """PORT-4 (000:339-341): the Online Help (HTTPS 443 on the system) cannot be reached from
    home when only 8802 is forwarded; it can through the VPN."""
    wan = lab_factory("net_internet")
    with tcp_listener(wan, "system", ONLINE_HELP):
        assert not await asyncio.to_thread(tcp_connects, wan, "home_pc", (PUBLIC_IP, ONLINE_HELP)), (
            "the Online Help on 443 answers over the WAN, but only 8802 is forwarded (000:339-341)"
        )
        assert not await asyncio.to_thread(tcp_connects, wan, "home_pc", ("192.168.1.30", ONLINE_HELP))
    vpn = lab_factory("net_vpn")
    with tcp_listener(vpn, "system", ONLINE_HELP) as peers:
        assert await asyncio.to_thread(tcp_connects, vpn, "home_pc", ("192.168.1.30", ONLINE_HELP)), (
            "the Online Help on 443 does not answer through the VPN (000:339-341)"
        )
    assert peers and peers[0][0] == "10.8.0.2", peers
