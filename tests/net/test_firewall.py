"""Firewall modes on a routed (un-NATed) link, so the firewall alone decides.

inside 192.168.10.20 -- [fw] -- outside 198.51.100.20
"""

from __future__ import annotations

from typing import Any

import pytest

from simulators.lab import Lab
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.peers.traffic import tcp_connects, tcp_listener, udp_echo, udp_roundtrip

INSIDE, OUTSIDE = "192.168.10.20", "198.51.100.20"


def firewalled(firewall: Any) -> Topology:
    return (
        TopologyBuilder("fw_" + (firewall if isinstance(firewall, str) else firewall["mode"]))
        .segment("lan", "192.168.10.0/24")
        .segment("wan", "198.51.100.0/24")
        .host("inside", eth0=("lan", INSIDE))
        .host("outside", eth0=("wan", OUTSIDE))
        .router("fw", lan=("lan", "192.168.10.1"), wan=("wan", "198.51.100.1"), firewall=firewall)
        .build()
    )


@pytest.mark.rule("PORT-2")
def test_stateful_returns_outbound_flows_and_drops_unsolicited_inbound(lab_factory: Any) -> None:
    """PORT-2 (004:286-288): inbound blocked unless part of an outbound-established session."""
    lab: Lab = lab_factory(firewalled("stateful"))
    with udp_echo(lab, "outside", 5000):
        assert udp_roundtrip(lab, "inside", (OUTSIDE, 5000))
    with udp_echo(lab, "inside", 5001):
        assert not udp_roundtrip(lab, "outside", (INSIDE, 5001))
    with tcp_listener(lab, "outside", 8802) as peers:
        assert tcp_connects(lab, "inside", (OUTSIDE, 8802))
    assert peers and peers[0][0] == INSIDE
    with tcp_listener(lab, "inside", 8802):
        assert not tcp_connects(lab, "outside", (INSIDE, 8802))


@pytest.mark.rule("PORT-3")
def test_stateless_passes_exactly_the_configured_ports(lab_factory: Any) -> None:
    """PORT-3 (004:294-312): a stateless firewall passes what its static port rules say, both ways."""
    lab: Lab = lab_factory(
        firewalled(
            {
                "mode": "stateless",
                "rules": [{"proto": "tcp", "ports": "8802"}, {"proto": "udp", "ports": "49152-65535"}],
            }
        )
    )
    # unsolicited inbound into the open range passes: no state is kept
    with udp_echo(lab, "inside", 50000):
        assert udp_roundtrip(lab, "outside", (INSIDE, 50000))
    with udp_echo(lab, "inside", 49151):
        assert not udp_roundtrip(lab, "outside", (INSIDE, 49151), src_port=40000)
    # a reply passes because its *source* port is open, not because of state
    with udp_echo(lab, "outside", 40001):
        assert udp_roundtrip(lab, "inside", (OUTSIDE, 40001), src_port=65535)
        assert not udp_roundtrip(lab, "inside", (OUTSIDE, 40001), src_port=40000)
    with tcp_listener(lab, "inside", 8802):
        assert tcp_connects(lab, "outside", (INSIDE, 8802))
    with tcp_listener(lab, "inside", 443):
        assert not tcp_connects(lab, "outside", (INSIDE, 443))


@pytest.mark.rule("NAT-2")
def test_strict_blocks_udp_and_keeps_tcp(lab_factory: Any) -> None:
    """NAT-2 (004:319): a strict firewall lets no UDP payload through; TCP signalling still works."""
    lab: Lab = lab_factory(firewalled("strict"))
    with udp_echo(lab, "outside", 3478):
        assert not udp_roundtrip(lab, "inside", (OUTSIDE, 3478))
    with tcp_listener(lab, "outside", 8802):
        assert tcp_connects(lab, "inside", (OUTSIDE, 8802))


def test_no_firewall_passes_everything(lab_factory: Any) -> None:
    lab: Lab = lab_factory(firewalled("none"))
    with udp_echo(lab, "inside", 5002):
        assert udp_roundtrip(lab, "outside", (INSIDE, 5002))
