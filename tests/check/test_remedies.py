"""Which documented remedies fit, and what each changes in the network (pure)."""

from __future__ import annotations

from uclab.check import expand, model, oracle, remedies
from uclab.check.oracle import RemedyRef

BASE = "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\n"


def net(text: str) -> expand.Concrete:
    return expand.concrete(model.parse(BASE + text))


def test_symmetric_home_gets_vpn_and_cone() -> None:
    n = net("sites: [{name: home, access: internet, router: {nat: symmetric}}]")
    refs = remedies.fitting(oracle.findings(n, "home"))
    assert refs == [RemedyRef("vpn", "home"), RemedyRef("cone", "home")]
    assert remedies.apply(refs[0], n).customer.sites[0].access is model.Access.VPN
    assert remedies.apply(refs[1], n).customer.sites[0].router.nat is model.Nat.PORT_RESTRICTED_CONE  # type: ignore[union-attr]
    assert remedies.describe(refs[0]) == "connect home through the office VPN instead of the public Internet"


def test_open_ports_adds_only_what_is_missing() -> None:
    n = net('office_router: {firewall: {stateless: ["tcp 8802", "udp 3478"]}}\nsites: [{name: home, access: internet}]')
    fixed = remedies.apply(RemedyRef("open-ports", expand.OFFICE), n)
    assert [str(o) for o in fixed.customer.office_router.firewall.stateless] == [
        "tcp 8802",
        "udp 3478",
        "udp 49152-65535",
    ]
    assert oracle.findings(fixed, "home")[0].kind == "warning"  # what stays: stateless is not recommended (004:300)


def test_alg_off_forward_system_lan_vpn_address() -> None:
    n = net(
        "office_router: {forwards: []}\nsites:\n  - {name: store, access: office, router: {sip_alg: on}, clients: [desk_phone]}\n"
        "  - {name: home, access: vpn, vpn: {gives_address: false}}\n"
    )
    off = remedies.apply(RemedyRef("alg-off", "store"), n)
    assert off.alg("store") == "none" and n.alg("store") == "kernel"
    fwd = remedies.apply(RemedyRef("forward", expand.OFFICE), n)
    assert [str(f) for f in fwd.customer.office_router.forwards] == ["tcp 8802 -> 8802"]
    vpn = remedies.apply(RemedyRef("vpn-address", "home"), n)
    assert vpn.customer.site("home").vpn.gives_address
    assert oracle.findings(vpn, "home") == []
