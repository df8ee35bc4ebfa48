"""Topologies of the softphone tests, built in Python (one function each)."""

from __future__ import annotations

from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology


def office_lan() -> Topology:
    """Three PCs on one office LAN (000:1076-1097 call functions between internal users)."""
    return (
        TopologyBuilder("phone_lan", "three softphones on one LAN")
        .segment("lan", "192.168.1.0/24")
        .host("alice", eth0=("lan", "192.168.1.10"))
        .host("bob", eth0=("lan", "192.168.1.11"))
        .host("carol", eth0=("lan", "192.168.1.12"))
        .build()
    )


def two_lans() -> Topology:
    """Two LANs joined by a plain router (no NAT, no firewall) where RTP can be dropped."""
    return (
        TopologyBuilder("phone_routed", "two LANs and a router in between")
        .segment("lan_a", "192.168.1.0/24")
        .segment("lan_b", "192.168.2.0/24")
        .host("alice", eth0=("lan_a", "192.168.1.10"))
        .host("bob", eth0=("lan_b", "192.168.2.10"))
        .router("router", lan=("lan_a", "192.168.1.1"), wan=("lan_b", "192.168.2.1"))
        .build()
    )


def homes() -> Topology:
    """Homes behind a port-restricted cone NAT, a symmetric NAT and a UDP-blocking firewall;
    a public PC and a public STUN server (two addresses, RFC 5780) on the Internet
    (004 sections 1.5 and 3.5)."""
    return (
        TopologyBuilder("phone_homes", "home NATs of three kinds, a public PC and STUN")
        .segment("cone_lan", "192.168.178.0/24")
        .segment("sym_lan", "192.168.179.0/24")
        .segment("fw_lan", "192.168.180.0/24")
        .segment("cone_wan", "203.0.113.0/26")
        .segment("sym_wan", "203.0.113.64/26")
        .segment("fw_wan", "203.0.113.128/26")
        .segment("public", "198.51.100.0/24")
        .segment("stun_net", "192.0.2.0/24")
        .host("alice", eth0=("cone_lan", "192.168.178.20"))
        .host("carol", eth0=("sym_lan", "192.168.179.20"))
        .host("dave", eth0=("fw_lan", "192.168.180.20"))
        .host("bob", eth0=("public", "198.51.100.50"))
        .host("stun", eth0=("stun_net", ["192.0.2.10", "192.0.2.11"]), services=["stun"])
        .router(
            "cone_router",
            lan=("cone_lan", "192.168.178.1"),
            wan=("cone_wan", "203.0.113.24"),
            nat="port-restricted-cone",
        )
        .router("sym_router", lan=("sym_lan", "192.168.179.1"), wan=("sym_wan", "203.0.113.88"), nat="symmetric")
        .router(
            "fw_router",
            lan=("fw_lan", "192.168.180.1"),
            wan=("fw_wan", "203.0.113.150"),
            nat="port-restricted-cone",
            firewall="strict",
        )
        .router(
            "internet",
            cone=("cone_wan", "203.0.113.1"),
            sym=("sym_wan", "203.0.113.65"),
            fw=("fw_wan", "203.0.113.129"),
            pub=("public", "198.51.100.1"),
            stun=("stun_net", "192.0.2.1"),
        )
        .build()
    )
