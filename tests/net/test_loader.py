"""Topology files: every bad input is one clear error naming file, line, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.net import loader
from simulators.net.errors import TopologyError

GOOD = """\
name: tiny
segments:
  lan: {subnet: 192.168.1.0/24}
  wan: {subnet: 198.51.100.0/24}
hosts:
  pc:
    interfaces: {eth0: {segment: lan, address: 192.168.1.10}}
  server:
    interfaces: {eth0: {segment: wan, address: 198.51.100.20}}
routers:
  gw:
    interfaces:
      lan: {segment: lan, address: 192.168.1.1}
      wan: {segment: wan, address: 198.51.100.1}
    nat: port-restricted-cone
    port_forwards:
      - {proto: tcp, port: 8802, to: "192.168.1.10:8802"}
"""


def problems(text: str, source: str = "t.yaml") -> list[str]:
    with pytest.raises(TopologyError) as info:
        loader.parse(text, source)
    return [p.render(source) for p in info.value.problems]


def test_good_topology_loads() -> None:
    topo = loader.parse(GOOD, "t.yaml")
    assert topo.routers["gw"].nat is not None
    assert topo.routers["gw"].nat.is_preset is not None
    assert topo.routers["gw"].nat.is_preset.value == "port-restricted-cone"


def test_every_shipped_topology_is_valid() -> None:
    names = [p.stem for p in loader.available()]
    for required in (
        "office_lan",
        "home_vpn",
        "home_internet",
        "roaming_vpn",
        "roaming_internet",
        "home_internet_symmetric",
        "home_internet_office_symmetric",
        "home_internet_stateless",
        "office_stateless_lan",
        "home_internet_strict",
        "home_internet_sip_alg",
        "home_vpn_no_address",
    ):
        assert required in names
    for path in loader.available():
        loader.load(path)


def test_unknown_preset_names_the_line_and_the_choices() -> None:
    text = GOOD.replace("nat: port-restricted-cone", "nat: fullcone")
    assert problems(text) == [
        "t.yaml:15: routers.gw.nat.preset: unknown preset 'fullcone'; use one of: "
        "'full-cone', 'restricted-cone', 'port-restricted-cone' or 'symmetric'"
    ]


def test_overlapping_subnets() -> None:
    text = GOOD.replace("wan: {subnet: 198.51.100.0/24}", "wan: {subnet: 192.168.0.0/16}").replace(
        "198.51.100", "192.168.2"
    )
    assert (
        "t.yaml:4: segments.wan.subnet: 192.168.0.0/16 overlaps segment 'lan' (192.168.1.0/24); "
        "give each segment its own subnet" in problems(text)
    )


def test_link_to_missing_segment() -> None:
    text = GOOD.replace("eth0: {segment: wan, address: 198.51.100.20}", "eth0: {segment: dmz, address: 198.51.100.20}")
    assert problems(text) == [
        "t.yaml:9: hosts.server.interfaces.eth0.segment: segment 'dmz' does not exist; defined segments: lan, wan"
    ]


def test_port_forward_to_an_address_not_on_the_lan() -> None:
    text = GOOD.replace('to: "192.168.1.10:8802"', 'to: "198.51.100.20:8802"')
    assert problems(text) == [
        "t.yaml:17: routers.gw.port_forwards.0.to: 198.51.100.20 is not on the router's LAN side "
        "(192.168.1.0/24); forward to an inside address"
    ]


def test_port_forward_to_an_address_nobody_has() -> None:
    text = GOOD.replace('to: "192.168.1.10:8802"', 'to: "192.168.1.99:8802"')
    assert problems(text) == [
        "t.yaml:17: routers.gw.port_forwards.0.to: no host has address 192.168.1.99; forward to a host's address"
    ]


def test_impossible_nat_combination() -> None:
    text = GOOD.replace(
        "nat: port-restricted-cone",
        "nat: {mapping: address-and-port-dependent, filtering: address-and-port-dependent, port_allocation: preserve}",
    )
    assert problems(text) == [
        "t.yaml:15: routers.gw.nat: impossible NAT: mapping address-and-port-dependent (one external port per "
        "destination) cannot preserve the internal port, a preserved port is the same for every destination; "
        "use port_allocation: random, or mapping: endpoint-independent"
    ]


def test_public_addresses_must_be_documentation_ranges() -> None:
    text = GOOD.replace("198.51.100", "62.38.100")
    assert (
        "t.yaml:4: segments.wan.subnet: 62.38.100.0/24 is neither private nor a documentation range; public "
        "segments must use 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24 (the lab never uses real addresses)"
    ) in problems(text)


def test_address_outside_its_segment() -> None:
    text = GOOD.replace("address: 192.168.1.10}", "address: 192.168.7.10}")
    found = problems(text)
    assert found[0] == (
        "t.yaml:7: hosts.pc.interfaces.eth0.address.0: 192.168.7.10 is not in segment 'lan' (192.168.1.0/24); "
        "use an address from 192.168.1.0/24"
    )


def test_duplicate_address() -> None:
    text = GOOD.replace("address: 192.168.1.10}", "address: 192.168.1.1}").replace(
        "192.168.1.10:8802", "192.168.1.1:8802"
    )
    assert any("192.168.1.1 is already used by hosts.pc.interfaces.eth0.address.0" in p for p in problems(text))


def test_unknown_field_suggests_the_right_one() -> None:
    text = GOOD.replace("port_forwards:", "port_forward:")
    assert problems(text) == [
        "t.yaml:16: routers.gw.port_forward: unknown field 'port_forward'; did you mean 'port_forwards'?"
    ]


def test_not_yaml() -> None:
    assert problems("name: [unclosed\n") == [
        "t.yaml:2: (top level): not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_all_problems_reported_at_once() -> None:
    text = GOOD.replace("nat: port-restricted-cone", "nat: fullcone").replace(
        "segment: wan, address: 198.51.100.20", "segment: dmz, address: 198.51.100.20"
    )
    # structural errors come first; cross-reference checks run on a structurally valid model
    assert len(problems(text)) == 1


def test_missing_file_lists_the_known_topologies(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        loader.load(tmp_path / "nope.yaml")
    assert "no topology file" in str(info.value)
    assert "home_internet" in str(info.value)


def test_several_routers_on_a_host_segment_need_an_explicit_gateway() -> None:
    text = GOOD + "  gw2:\n    interfaces:\n      lan: {segment: lan, address: 192.168.1.2}\n"
    assert problems(text) == [
        "t.yaml:6: hosts.pc.gateway: several routers on the host's segments (192.168.1.1 (gw), 192.168.1.2 (gw2)); "
        "set gateway to one"
    ]


def test_faulty_alg_behaviour_must_exist() -> None:
    text = GOOD.replace("nat: port-restricted-cone", "nat: port-restricted-cone\n    sip_alg: faulty:eat-my-invites")
    assert problems(text) == [
        "t.yaml:16: routers.gw.sip_alg.behaviour: unknown faulty SIP ALG behaviour 'eat-my-invites'; "
        "known: drop-ack, drop-inbound-invite, mark-header, media-pinholes-from-sdp, passthrough, register-expires-mismatch, "
        "sdp-rewrite-no-pinhole"
    ]


def test_json_schema_is_exported() -> None:
    schema = loader.json_schema()
    assert '"Topology"' in schema or '"title": "Topology"' in schema
    assert "port_forwards" in schema


def test_a_key_given_twice_is_an_error_not_a_silent_override() -> None:
    text = GOOD.replace("    nat: port-restricted-cone\n", "    nat: port-restricted-cone\n    nat: symmetric\n")
    assert problems(text) == ["t.yaml:16: routers.gw.nat: key 'nat' appears twice (first on line 15); keep one"]


def test_a_vpn_subnet_too_small_for_a_server_and_a_client_is_named() -> None:
    text = GOOD + (
        "vpns:\n  office:\n    server: gw\n    subnet: 10.8.0.1/32\n    clients:\n      pc: {address: 10.8.0.2}\n"
    )
    assert problems(text) == [
        "t.yaml:21: vpns.office.subnet: 10.8.0.1/32 must be a private subnet of /30 or larger",
        "t.yaml:23: vpns.office.clients.pc.address: 10.8.0.2 is not a host address of 10.8.0.1/32",
    ]
