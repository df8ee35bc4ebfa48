"""Router rulesets: the text is what gets loaded, so pin the parts that make behaviour."""

from __future__ import annotations

import pytest

from simulators.net import loader, netns, nftables, nftlib
from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology


def nat_topology(nat: object, **router: object) -> Topology:
    return (
        TopologyBuilder("natbox")
        .segment("lan", "192.168.178.0/24")
        .segment("wan", "203.0.113.0/24")
        .host("pc", eth0=("lan", "192.168.178.20"))
        .host("far", eth0=("wan", "203.0.113.99"))
        .router("gw", lan=("lan", "192.168.178.1"), wan=("wan", "203.0.113.24"), nat=nat, **router)  # type: ignore[arg-type]
        .build()
    )


def ruleset(topo: Topology, router: str = "gw") -> str:
    return nftables.router_ruleset(topo, router, "0badcafe")


def test_port_restricted_cone_is_masquerade_plus_drop_new() -> None:
    text = ruleset(nat_topology("port-restricted-cone"))
    assert 'oifname "wan" snat ip to 203.0.113.24;' in text
    assert 'iifname "wan" ct state new drop;' in text
    assert "cone_map" not in text  # no inbound mapping table: filtering is by conntrack


def test_full_cone_records_mappings_and_dnats_anyone() -> None:
    text = ruleset(nat_topology("full-cone"))
    assert "map cone_map { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 120s; }" in text
    assert 'iifname "wan" ip daddr 203.0.113.24 udp dport @cone_map dnat ip to udp dport map @cone_map;' in text
    assert "update @cone_map { udp sport : ct original ip saddr . ct original proto-src }" in text


def test_restricted_cone_dnats_only_known_peers() -> None:
    text = ruleset(nat_topology("restricted-cone"))
    assert "udp dport . ip saddr @cone_peers dnat ip to udp dport map @cone_map" in text
    assert "update @cone_peers { udp sport . ip daddr }" in text


def test_symmetric_randomises_ports_per_flow() -> None:
    assert "snat ip to 203.0.113.24 random;" in ruleset(nat_topology("symmetric"))


def test_address_dependent_mapping_hashes_the_destination() -> None:
    text = ruleset(nat_topology({"mapping": "address-dependent", "filtering": "address-dependent"}))
    assert "jhash ip saddr . udp sport . ip daddr mod 16384" in text


def test_binding_timeout_is_a_conntrack_timeout_policy() -> None:
    text = ruleset(nat_topology({"preset": "port-restricted-cone", "udp_timeout_s": 30}))
    assert "policy = { unreplied : 30, replied : 30 }" in text
    assert 'ct timeout set "udp_binding"' in text


def test_kernel_sip_alg_attaches_the_helper_on_5060() -> None:
    text = ruleset(nat_topology("port-restricted-cone", sip_alg="kernel"))
    assert 'udp dport 5060 ct state new ct helper set "sip_udp";' in text
    assert 'tcp dport 5060 ct state new ct helper set "sip_tcp";' in text


def test_strict_firewall_drops_all_udp_across_the_outside() -> None:
    text = ruleset(nat_topology("port-restricted-cone", firewall="strict"))
    assert 'iifname "wan" meta l4proto udp drop;' in text
    assert 'oifname "wan" meta l4proto udp drop;' in text


def test_stateless_firewall_opens_exactly_its_ports() -> None:
    text = ruleset(loader.load("office_stateless_lan"), "lan_firewall")
    for rule in ("udp dport 1024-65535 accept", "udp sport 1024-65535 accept", "tcp dport 8802 accept"):
        assert f'iifname "clients" {rule};' in text
        assert f'oifname "clients" {rule};' in text
    assert "ct state" not in text  # stateless means no connection state


def test_vpn_port_is_open_on_the_server() -> None:
    text = ruleset(loader.load("home_vpn"), "office_router")
    assert 'iifname "wan" udp dport 51820 accept;' in text


@pytest.mark.parametrize("path", loader.available(), ids=lambda p: p.stem)
def test_every_ruleset_loads_into_a_fresh_namespace(path: object) -> None:
    """The generated text is valid nft: load each router's ruleset for real."""
    topo = loader.load(path)  # type: ignore[arg-type]
    for router in topo.routers:
        name = f"ucl-test-nft-{router[:10]}"
        netns.create(name)
        try:
            nftlib.command(name, "add table ip scratch")  # the namespace works
            nftlib.command(name, ruleset(topo, router))
        finally:
            netns.delete(name)
