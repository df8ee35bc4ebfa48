"""Routes per node and the expected-reachability model the ready check relies on."""

from __future__ import annotations

from ipaddress import IPv4Address as A

from simulators.net import loader
from simulators.net.routing import Routing


def routes(topo: str, node: str) -> list[str]:
    return [str(r) for r in Routing(loader.load(topo)).routes(node)]


def test_hosts_get_a_default_route_to_their_gateway() -> None:
    assert routes("home_internet", "home_pc") == ["0.0.0.0/0 via 192.168.178.1 dev eth0"]


def test_routers_route_only_to_lab_subnets_and_never_into_a_nat() -> None:
    assert routes("home_internet", "home_router") == [
        "198.51.100.0/24 via 203.0.113.1 dev wan",
        "192.0.2.0/24 via 203.0.113.1 dev wan",
    ]
    # the Internet knows no private network: they sit behind NATs
    assert routes("home_internet", "internet") == []


def test_vpn_clients_route_the_office_lan_through_the_tunnel_from_their_vpn_address() -> None:
    assert routes("home_vpn", "home_pc") == [
        "0.0.0.0/0 via 192.168.178.1 dev eth0",
        "192.168.1.0/24 dev wg0 src 10.8.0.2",
    ]


def test_expected_reachability_follows_nat_and_firewalls() -> None:
    r = Routing(loader.load("home_internet"))
    assert r.expect_reachable("home_pc", A("192.0.2.10"))  # out through the NAT
    assert not r.expect_reachable("home_pc", A("192.168.1.30"))  # private, behind the office NAT
    assert not r.expect_reachable("stun", A("203.0.113.24"))  # unsolicited inbound to a NAT
    assert r.expect_reachable("office_pc", A("192.168.1.30"))


def test_vpn_reaches_the_office_only_with_an_address_from_the_vpn_network() -> None:
    assert Routing(loader.load("home_vpn")).expect_reachable("home_pc", A("192.168.1.30"))
    assert not Routing(loader.load("home_vpn_no_address")).expect_reachable("home_pc", A("192.168.1.30"))


def test_stateless_firewall_passes_no_icmp() -> None:
    r = Routing(loader.load("office_stateless_lan"))
    assert not r.expect_reachable("client_pc", A("192.168.1.30"))
    assert r.expect_reachable("client_pc", A("192.168.2.51"))


def test_roaming_moves_the_host_and_its_routes() -> None:
    topo = loader.load("roaming_vpn")
    office = Routing(topo, {"home_pc": "office"})
    assert office.interface_of("home_pc", "eth0") == ("office_lan", (A("192.168.1.52"),))
    assert [str(r) for r in office.routes("home_pc")] == ["0.0.0.0/0 via 192.168.1.1 dev eth0"]
    assert office.expect_reachable("home_pc", A("192.168.1.30"))
