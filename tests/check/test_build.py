"""The customer's network as a lab topology: LANs as given, public addresses mapped onto the
documentation ranges, both sides of every router captured."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.net.checks import DOC_RANGES
from uclab.check import build, expand, model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "customers"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_builds_a_valid_topology_and_configuration(path: Path) -> None:
    c = model.load(path)
    b = build.build(expand.concrete(c), 4)
    b.system_config()
    topo = b.topology
    assert topo.address_of("system") == c.system.address
    assert topo.segments["office_lan"].subnet == c.system.lan
    for name, router in topo.routers.items():
        if name != "internet":
            assert all(i.capture for i in router.interfaces.values()), name
    for seg in topo.segments.values():
        if not seg.subnet.is_private:
            assert any(seg.subnet.subnet_of(d) for d in DOC_RANGES), seg.subnet


def test_public_address_and_name_are_mapped() -> None:
    c = model.load(EXAMPLES / "all_ready.yaml")
    b = build.build(expand.concrete(c), 4)
    assert b.topology.routers["office_router"].interfaces["wan"].primary == build.OFFICE_PUBLIC
    assert b.mapping[0].startswith("the office router's public address 62.38.100.120 is 198.51.100.120 in the lab")
    home = b.sites["home office"]
    assert (home.login, home.login_name) == ("pbx.huber.example:8802", "pbx.huber.example")
    assert b.sites["field office"].login == "192.168.10.30:8802"
    dns = b.topology.hosts["dns"].services[0]
    assert dns.options == {"records": {"pbx.huber.example": "198.51.100.120"}}


def test_external_port_is_where_the_client_logs_in() -> None:
    """004:240-246: the client connects to the public name on the external port."""
    b = build.build(expand.concrete(model.load(EXAMPLES / "external_port.yaml")), 4)
    assert b.sites["partner at home"].login == "sip.kanzlei-roth.example:443"
    fwd = b.topology.routers["office_router"].port_forwards
    assert [(f.proto, f.port, f.to) for f in fwd] == [("tcp", 443, "10.10.0.30:8802")]


def test_suite_passwords_follow_the_suite_rules() -> None:
    from simulators.uc.profiles import Mode
    from simulators.uc.rules.passwords import check_password

    for station in ("300", "301", "415"):
        assert check_password(Mode.SUITE, build.password(Mode.SUITE, station), station).ok
