"""Section 2: the office router forwards TCP 8802 to the system and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from simulators.lab import Lab
from simulators.peers.traffic import tcp_connects, tcp_listener

OFFICE_PUBLIC = "198.51.100.120"


@pytest.mark.rule("NET-1.5", "PORT-1")
def test_only_8802_reaches_the_system(lab_factory: Any) -> None:
    """NET-1.5 (004:240-241): external 8802 -> office router -> 192.168.1.30:8802, and only that port."""
    lab: Lab = lab_factory("home_internet")
    with tcp_listener(lab, "system", 8802) as peers:
        assert tcp_connects(lab, "home_pc", (OFFICE_PUBLIC, 8802))
        assert tcp_connects(lab, "stun", (OFFICE_PUBLIC, 8802))
    # the system sees the home router's public address: forwarded, not proxied
    assert [p[0] for p in peers] == ["203.0.113.24", "192.0.2.10"]
    for port in (443, 8801, 5060, 5061):
        with tcp_listener(lab, "system", port) as others:
            assert not tcp_connects(lab, "home_pc", (OFFICE_PUBLIC, port), timeout=0.4)
        assert others == []


def test_without_the_forward_the_system_is_unreachable(lab_factory: Any) -> None:
    """Without the port forward, the client gets no connection (TRB-4: "Connection Time out")."""
    from simulators.net import loader
    from simulators.net.builder import TopologyBuilder

    topo = TopologyBuilder.from_topology(loader.load("home_internet")).named("no_forward")
    topo.data["routers"]["office_router"].pop("port_forwards")
    lab: Lab = lab_factory(topo.build())
    with tcp_listener(lab, "system", 8802) as peers:
        assert not tcp_connects(lab, "home_pc", (OFFICE_PUBLIC, 8802), timeout=0.5)
    assert peers == []
