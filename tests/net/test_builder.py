"""The Python builder and YAML files describe the same model."""

from __future__ import annotations

import pytest

from simulators.net import loader
from simulators.net.builder import TopologyBuilder
from simulators.net.errors import TopologyError


def test_builder_equals_yaml() -> None:
    built = (
        TopologyBuilder("tiny")
        .segment("lan", "192.168.1.0/24")
        .segment("wan", "198.51.100.0/24")
        .host("pc", eth0=("lan", "192.168.1.10"))
        .router("gw", lan=("lan", "192.168.1.1"), wan=("wan", "198.51.100.1"), nat="symmetric")
        .build()
    )
    text = """
name: tiny
segments:
  lan: {subnet: 192.168.1.0/24}
  wan: {subnet: 198.51.100.0/24}
hosts:
  pc: {interfaces: {eth0: {segment: lan, address: 192.168.1.10}}}
routers:
  gw:
    interfaces:
      lan: {segment: lan, address: 192.168.1.1}
      wan: {segment: wan, address: 198.51.100.1}
    nat: symmetric
"""
    assert built == loader.parse(text)


def test_variant_of_a_file() -> None:
    base = loader.load("home_internet")
    variant = TopologyBuilder.from_topology(base).named("home_sym").set("routers.home_router.nat", "symmetric").build()
    assert variant.routers["home_router"].nat is not None
    assert variant.routers["home_router"].nat.is_preset is not None
    assert variant.routers["home_router"].nat.is_preset.value == "symmetric"
    assert variant.routers["office_router"].port_forwards == base.routers["office_router"].port_forwards


def test_builder_errors_are_topology_errors() -> None:
    with pytest.raises(TopologyError) as info:
        TopologyBuilder("bad").segment("lan", "192.168.1.0/24").host("pc", eth0=("lan", "10.0.0.1")).build()
    assert str(info.value).splitlines()[1].strip() == (
        "<builder bad>: hosts.pc.interfaces.eth0.address.0: 10.0.0.1 is not in segment 'lan' (192.168.1.0/24); "
        "use an address from 192.168.1.0/24"
    )


def test_builder_roundtrips_through_yaml() -> None:
    b = TopologyBuilder.from_topology(loader.load("home_vpn"))
    assert loader.parse(b.to_yaml()) == loader.load("home_vpn")
