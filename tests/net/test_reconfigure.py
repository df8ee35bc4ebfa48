"""Routers change behaviour in a running lab: what the support matrix sweeps without rebuilding."""

from __future__ import annotations

from typing import Any

import pytest

from simulators.lab import Lab
from simulators.net.errors import LabError, TopologyError
from simulators.peers.traffic import tcp_connects, tcp_listener


def test_nat_firewall_and_alg_change_without_a_rebuild(lab_factory: Any) -> None:
    lab: Lab = lab_factory("home_internet")
    namespaces_before = lab.hosts_summary()
    lab.reconfigure_router("home_router", nat="symmetric")
    assert lab.natcheck("home_pc").preset == "symmetric"
    lab.reconfigure_router("home_router", nat="full-cone", sip_alg="faulty:passthrough")
    assert lab.natcheck("home_pc").preset == "full-cone"
    assert lab.net is not None and list(lab.net.middleboxes) == ["home_router"]
    lab.reconfigure_router("home_router", nat="port-restricted-cone", sip_alg="none", firewall="strict")
    assert lab.natcheck("home_pc").udp_blocked
    assert lab.net.middleboxes == {}
    assert lab.hosts_summary() == namespaces_before
    assert lab.verify().ok


def test_routes_follow_a_nat_that_appears_or_goes(lab_factory: Any) -> None:
    lab: Lab = lab_factory("home_internet")
    lab.reconfigure_router("office_router", nat=None, firewall="none", port_forwards=[])
    with tcp_listener(lab, "system", 8802):  # no NAT: the office LAN is routed and reachable
        assert tcp_connects(lab, "home_pc", ("192.168.1.30", 8802))
    lab.reconfigure_router(
        "office_router", nat="port-restricted-cone", firewall="stateful",
        port_forwards=[{"proto": "tcp", "port": 8802, "to": "192.168.1.30:8802"}],
    )  # fmt: skip
    with tcp_listener(lab, "system", 8802):
        assert not tcp_connects(lab, "home_pc", ("192.168.1.30", 8802), timeout=0.4)
        assert tcp_connects(lab, "home_pc", ("198.51.100.120", 8802))


def test_invalid_changes_are_refused_and_the_lab_is_unchanged(lab_factory: Any) -> None:
    lab: Lab = lab_factory("home_internet")
    with pytest.raises(TopologyError, match="unknown preset 'fullcone'"):
        lab.reconfigure_router("home_router", nat="fullcone")
    with pytest.raises(LabError, match="no router 'home'"):
        lab.reconfigure_router("home", nat="symmetric")
    assert lab.natcheck("home_pc").preset == "port-restricted-cone"
