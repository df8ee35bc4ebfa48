"""Routers change behaviour in a running lab: what the support matrix sweeps without rebuilding."""

from __future__ import annotations

import socket
import time
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


def test_a_reconfigured_udp_timeout_holds_as_if_the_router_was_built_with_it(lab_factory: Any) -> None:
    """A router given a short UDP timeout in the running lab behaves as one built with it: the
    bindings it had are forgotten (a reconfigured router reboots), and a binding made after the
    change expires with the new timeout. The router that did not change keeps its bindings."""
    lab: Lab = lab_factory("home_internet")  # both NATs: the default 120 s UDP timeout
    home, office, far = lab.socket("home_pc"), lab.socket("office_pc"), lab.socket("stun")
    try:
        home.bind((lab.address("home_pc"), 41000))
        office.bind((lab.address("office_pc"), 41002))
        far.bind(("192.0.2.10", 41001))
        far.settimeout(1)
        home.settimeout(0.5)
        office.settimeout(0.5)

        def binding(sock: socket.socket) -> tuple[str, int]:
            """Open a binding from `sock` to the far end; where the far end sees it."""
            sock.sendto(b"open", ("192.0.2.10", 41001))
            _, (address, port) = far.recvfrom(100)
            far.sendto(b"reply", (address, port))
            assert sock.recv(100) == b"reply"
            return str(address), int(port)

        home_before, office_before = binding(home), binding(office)
        lab.reconfigure_router("home_router", nat={"preset": "port-restricted-cone", "udp_timeout_s": 1})
        far.sendto(b"to the old binding", home_before)
        with pytest.raises(TimeoutError):
            home.recv(100)  # forgotten with the change
        far.sendto(b"unchanged router", office_before)
        assert office.recv(100) == b"unchanged router"

        home_after = binding(home)
        time.sleep(1.6)  # the new timeout is what is under test: nothing to await
        far.sendto(b"after the new timeout", home_after)
        with pytest.raises(TimeoutError):
            home.recv(100)
    finally:
        for sock in (home, office, far):
            sock.close()
