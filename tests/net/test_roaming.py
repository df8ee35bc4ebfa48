"""Roaming hosts move between home and office and reach the system from both (NET-1.6, NET-1.7)."""

from __future__ import annotations

from typing import Any

import pytest

from simulators.lab import Lab
from simulators.net.errors import LabError
from simulators.peers.traffic import tcp_connects, tcp_listener


@pytest.mark.rule("NET-1.6")
def test_vpn_laptop_works_at_home_and_in_the_office(lab_factory: Any) -> None:
    """NET-1.6 (004:109-117): the same LAN-IP:8802 works from home (VPN) and from the office LAN."""
    lab: Lab = lab_factory("roaming_vpn")
    with tcp_listener(lab, "system", 8802) as peers:
        assert tcp_connects(lab, "home_pc", ("192.168.1.30", 8802))
        assert peers.arrived(1)
        lab.roam("home_pc", "office")
        assert lab.address("home_pc") == "192.168.1.52"
        assert tcp_connects(lab, "home_pc", ("192.168.1.30", 8802))
        assert peers.arrived(2)
        lab.roam("home_pc", None)
        assert tcp_connects(lab, "home_pc", ("192.168.1.30", 8802))
        assert peers.arrived(3)
    assert [p[0] for p in peers] == ["10.8.0.2", "192.168.1.52", "10.8.0.2"]
    assert lab.verify().ok


@pytest.mark.rule("NET-1.7")
def test_internet_laptop_uses_the_wan_address_at_home_and_the_lan_address_in_the_office(lab_factory: Any) -> None:
    """NET-1.7 (004:119-125): LAN and public address both configured; each works where it is reachable."""
    lab: Lab = lab_factory("roaming_internet")
    with tcp_listener(lab, "system", 8802):
        assert tcp_connects(lab, "home_pc", ("198.51.100.120", 8802))
        assert not tcp_connects(lab, "home_pc", ("192.168.1.30", 8802), timeout=0.4)
        lab.roam("home_pc", "office")
        assert tcp_connects(lab, "home_pc", ("192.168.1.30", 8802))


def test_roaming_to_an_unknown_place_is_a_clear_error(lab_factory: Any) -> None:
    lab: Lab = lab_factory("roaming_internet")
    with pytest.raises(LabError, match=r"host home_pc has no roaming location 'moon'; known: office"):
        lab.roam("home_pc", "moon")
