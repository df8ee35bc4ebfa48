"""What the documents say about a site's set-up: each finding with its rule and line."""

from __future__ import annotations

from uclab.check import expand, model, oracle

BASE = "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\n"


def kinds(text: str, site: str = "home") -> list[tuple[str, str, str]]:
    net = expand.concrete(model.parse(BASE + text))
    return [(f.kind, f.rule, f.ref) for f in oracle.findings(net, site)]


def test_documented_internet_set_up_has_no_finding() -> None:
    assert kinds("sites: [{name: home, access: internet}]") == []


def test_symmetric_nat_over_the_internet_is_not_supported() -> None:
    """NAT-1 (004:318); over the VPN the client is in the local network (000:2157-2158): no finding."""
    assert kinds("sites: [{name: home, access: internet, router: {nat: symmetric}}]") == [
        ("not-supported", "NAT-1", "004:318")
    ]
    assert kinds("sites: [{name: home, access: vpn, router: {nat: symmetric}}]") == []


def test_strict_firewall_is_not_supported() -> None:
    assert kinds("sites: [{name: home, access: internet, router: {firewall: strict}}]") == [
        ("not-supported", "NAT-2", "004:319")
    ]


def test_stateless_office_firewall_without_the_payload_range() -> None:
    """PORT-3 (004:294-312): 8802 and 3478 open, 49152-65535 (004:296, 004:309) missing."""
    text = 'office_router: {firewall: {stateless: ["tcp 8802", "udp 3478"]}}\nsites: [{name: home, access: internet}]'
    net = expand.concrete(model.parse(BASE + text))
    found = oracle.findings(net, "home")
    assert [(f.kind, f.ref) for f in found] == [("warning", "004:300"), ("problem", "004:296-298")]
    assert "udp 49152-65535 (004:309)" in found[1].text
    assert set(found[1].breaks) == set(oracle.PAYLOAD)
    assert found[1].remedies == (oracle.RemedyRef("open-ports", expand.OFFICE),)


def test_missing_forward_wan_interface_and_vpn_without_address() -> None:
    assert kinds("office_router: {forwards: []}\nsites: [{name: home, access: internet}]") == [
        ("problem", "NET-1.5", "004:240-241")
    ]
    text = "sites: [{name: home, access: vpn, vpn: {gives_address: false}}]"
    assert kinds(text) == [("problem", "TRB-1", "004:327")]
    wan = BASE.replace("address: 192.168.10.30}", "address: 192.168.10.30, wan_interface: true}")
    net = expand.concrete(model.parse(wan + "sites: [{name: home, access: office}]"))
    assert [(f.rule, f.ref) for f in oracle.findings(net, "home")] == [("NET-1.5", "004:106")]


def test_matrix_cell_of_a_site() -> None:
    net = expand.concrete(model.parse(BASE + "sites: [{name: home, access: internet, router: {nat: symmetric}}]"))
    cell = oracle.cell(net, "home", model.Client.MYPORTAL_VOIP)
    assert cell.id == "internet-home_symmetric-office_cone-stateful-alg_off-tls8802"
    assert oracle.documented_setup(net, "home", model.Client.MYPORTAL_VOIP).audio == "none"
