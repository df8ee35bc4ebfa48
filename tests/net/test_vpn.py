"""The VPN gives the home client an address from the VPN network and routes to the office LAN."""

from __future__ import annotations

from typing import Any

import pytest

from simulators.lab import Lab
from simulators.peers.traffic import tcp_connects, tcp_listener

SYSTEM = ("192.168.1.30", 8802)


@pytest.mark.rule("NET-1.4")
def test_home_client_reaches_the_system_through_the_tunnel(lab_factory: Any) -> None:
    """NET-1.4 (004:87-92): login to LAN-IP:8802 through the VPN."""
    lab: Lab = lab_factory("home_vpn")
    assert "inet 10.8.0.2/24" in lab.exec("home_pc", ["ip", "-4", "addr", "show", "wg0"]).stdout
    with tcp_listener(lab, "system", 8802) as peers:
        assert tcp_connects(lab, "home_pc", SYSTEM)
    assert peers[0][0] == "10.8.0.2"  # routed through the tunnel, not NATed


def test_without_a_vpn_the_office_lan_is_unreachable(lab_factory: Any) -> None:
    lab: Lab = lab_factory("home_internet")
    with tcp_listener(lab, "system", 8802) as peers:
        assert not tcp_connects(lab, "home_pc", SYSTEM, timeout=0.5)
    assert peers == []


@pytest.mark.rule("TRB-1")
def test_vpn_without_an_address_times_out(lab_factory: Any) -> None:
    """TRB-1 (004:323-327): the VPN gives no local IP from the VPN network -> connection time out."""
    lab: Lab = lab_factory("home_vpn_no_address")
    with tcp_listener(lab, "system", 8802) as peers:
        assert not tcp_connects(lab, "home_pc", SYSTEM, timeout=1.0)
    assert peers == []
