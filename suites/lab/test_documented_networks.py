"""Self-check of every documented network set-up: before any SIP scenario trusts a
topology, the lab proves the network is what the file says.

For each file in topologies/: the lab comes up and every path that should work answers
(routes, NATs, firewalls, VPN tunnels); each NATed host's STUN classification matches its
router's NAT; each port forward reaches its target and nothing else is open; each VPN
client reaches the office LAN from its VPN address.
"""

from __future__ import annotations

from typing import Any

import pytest

from simulators.lab import Lab
from simulators.net import loader
from simulators.net.model import FirewallMode, Topology
from simulators.net.natclassify import preset_of
from simulators.net.routing import vpn_routes
from simulators.peers.traffic import tcp_connects, tcp_listener, udp_echo, udp_roundtrip


def _params() -> list[Any]:
    out = []
    for path in loader.available():
        topo = loader.load(path)
        # no rule markers: this proves the network, not a documented product behaviour
        out.append(pytest.param(topo, id=topo.name))
    return out


def _nat_router_of(topo: Topology, host: str) -> str | None:
    gateway = topo.hosts[host].gateway
    for name, router in topo.routers.items():
        for iface in router.interfaces.values():
            if gateway in iface.address or (
                gateway is None and iface.segment in [i.segment for i in topo.hosts[host].interfaces.values()]
            ):
                return name if router.nat else None
    return None


@pytest.mark.parametrize("topo", _params())
def test_documented_network_is_what_its_file_says(lab_factory: Any, topo: Topology) -> None:
    lab: Lab = lab_factory(topo)
    assert lab.ready is not None and lab.ready.ok and lab.ready.checked > 0

    if lab.stun_servers():
        for host in topo.hosts:
            router = _nat_router_of(topo, host)
            if router is None:
                continue
            spec = topo.routers[router]
            if spec.effective_firewall.mode is not FirewallMode.STATEFUL:
                continue  # stateless/strict filtering is checked below, not by STUN
            assert spec.nat is not None
            seen = lab.natcheck(host)
            expected = preset_of(spec.nat.behaviour[0].value, spec.nat.behaviour[1].value)
            assert seen.preset == expected, f"{host} behind {router}: {seen}"

    for router, spec in topo.routers.items():
        if not spec.port_forwards or not lab.stun_servers():
            continue
        public = str(spec.interfaces[spec.outside].primary)
        for fwd in spec.port_forwards:
            addr, port = fwd.target
            target = next(
                h
                for h in topo.hosts
                if str(addr) in [str(a) for i in topo.hosts[h].interfaces.values() for a in i.address]
            )
            if fwd.proto == "udp":
                with udp_echo(lab, target, port) as peers:
                    assert udp_roundtrip(lab, "stun", (public, fwd.port)), f"{router} does not forward udp {fwd.port}"
                assert peers
                continue
            with tcp_listener(lab, target, port) as peers:
                assert tcp_connects(lab, "stun", (public, fwd.port)), f"{router} does not forward {fwd.port}"
            assert peers
            with tcp_listener(lab, target, 8801):
                assert not tcp_connects(lab, "stun", (public, 8801), timeout=0.3)

    for vname, vpn in topo.vpns.items():
        lan = vpn_routes(topo, vname)[0]
        target = next(h for h in topo.hosts for i in topo.hosts[h].interfaces.values() if i.address[0] in lan)
        for client, cspec in vpn.clients.items():
            assert lab.reachable(client, lab.address(target)) is (cspec.address is not None)
