"""The customer file: defaults, the two text forms (port openings, forwards), and every bad
input answered with file:line, the field, what is allowed and an example."""

from __future__ import annotations

from pathlib import Path

import pytest

from uclab.check import model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "customers"
MINIMAL = (
    "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\nsites: [{name: home, access: internet}]\n"
)


def problems(text: str) -> list[str]:
    with pytest.raises(model.CustomerError) as err:
        model.parse(text, "c.yaml")
    return [p.render("c.yaml") for p in err.value.problems]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_example_is_valid(path: Path) -> None:
    assert model.load(path).sites


def test_defaults_are_the_documented_set_up() -> None:
    """004 chapter 2: a port-restricted cone, stateful office router forwarding TCP 8802 to the system's 8802."""
    c = model.parse(MINIMAL)
    office = c.office_router
    assert office.nat is model.Nat.PORT_RESTRICTED_CONE and office.firewall.mode == "stateful"
    assert office.sip_alg is model.SipAlg.OFF
    assert [str(f) for f in office.forwards] == ["tcp 8802 -> 8802"]
    home = c.sites[0]
    assert home.router is not None and home.router.nat is model.Nat.PORT_RESTRICTED_CONE
    assert home.clients == [model.Client.MYPORTAL_VOIP]


def test_yaml_off_and_on_mean_the_alg_words() -> None:
    text = MINIMAL.replace("access: internet}", "access: internet, router: {sip_alg: on}}")
    assert model.parse(text).sites[0].router.sip_alg is model.SipAlg.ON  # type: ignore[union-attr]


def test_openings_and_forwards_in_their_text_form() -> None:
    text = (
        MINIMAL
        + 'office_router: {firewall: {stateless: ["tcp 8802", "udp 49152-65535"]}, forwards: ["tcp 443 -> 8802"]}\n'
    )
    office = model.parse(text).office_router
    assert [str(o) for o in office.firewall.stateless] == ["tcp 8802", "udp 49152-65535"]
    assert office.firewall.stateless[1].covers("udp", 50000, 60000)
    assert [(f.external, f.port) for f in office.forwards] == [(443, 8802)]


def test_structural_errors_name_line_field_allowed_values_and_an_example() -> None:
    text = (
        "customer: X\n"
        "system: {mode: smrt, lan: 192.168.10.0/24, address: 192.168.10.30}\n"
        "office_router:\n"
        "  nat: cone\n"
        '  firewall: {stateless: ["tcp 8802", "udp 3478-"]}\n'
        '  forwards: ["tcp 8802 => 8802"]\n'
        "sites:\n"
        "  - name: a\n"
        "    access: internet\n"
        "    lnk: {}\n"
    )
    assert problems(text) == [
        "c.yaml:2: system.mode: unknown mode 'smrt'; use one of: 'smart' or 'suite'; e.g. mode: smart",
        "c.yaml:4: office_router.nat: unknown nat 'cone'; use one of: 'full-cone', 'restricted-cone', "
        "'port-restricted-cone', 'symmetric', 'none' or 'unknown'; e.g. nat: port-restricted-cone",
        "c.yaml:5: office_router.firewall.stateless.1: 'udp 3478-' is not a port opening; write 'PROTO PORT' "
        "or 'PROTO LOW-HIGH', e.g. 'udp 49152-65535'",
        "c.yaml:6: office_router.forwards.0: 'tcp 8802 => 8802' is not a port forward; write "
        "'PROTO EXTERNAL -> SYSTEM_PORT', e.g. 'tcp 8802 -> 8802' or 'tcp 443 -> 8802'",
        "c.yaml:10: sites.0.lnk: unknown field 'lnk'; did you mean 'link'?; e.g. link: {delay_ms: 30, jitter_ms: 8, loss_pct: 0.5}",
    ]


def test_lan_ranges_must_be_private_and_not_the_labs_public_ones() -> None:
    text = (
        "customer: X\nsystem: {lan: 198.51.100.0/24, address: 198.51.100.30}\n"
        "sites:\n  - {name: a, access: internet, lan: 8.8.8.0/24}\n  - {name: b, access: vpn, lan: 10.8.0.0/24}\n"
    )
    assert problems(text) == [
        "c.yaml:2: system.lan: 198.51.100.0/24 collides with the ranges the lab uses for the public Internet "
        "(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24); use a private range, e.g. 192.168.10.0/24",
        "c.yaml:4: sites.0.lan: 8.8.8.0/24 is not a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); "
        "LAN ranges are used as given, e.g. 192.168.10.0/24",
        "c.yaml:5: sites.1.lan: 10.8.0.0/24 overlaps office_router.vpn.subnet (10.8.0.0/24); give each network its "
        "own range; e.g. lan: 192.168.10.0/24",
    ]


def test_cross_field_errors() -> None:
    text = (
        "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.11.30}\n"
        "office_router: {public: {address: 192.168.1.1}}\n"
        "sites:\n  - {name: a, access: internet, clients: [desk_phone]}\n  - {name: a, access: office, vpn: {gives_address: false}}\n"
    )
    got = problems(text)
    assert got[0] == (
        "c.yaml:3: office_router.public.address: 192.168.1.1 is not a public address; give the office router's "
        "Internet address, e.g. 62.38.100.120"
    )
    text = text.replace("office_router: {public: {address: 192.168.1.1}}\n", "")
    assert problems(text) == [
        "c.yaml:2: system.address: 192.168.11.30 is not a host address of system.lan 192.168.10.0/24; e.g. 192.168.10.1",
        "c.yaml:4: sites.0.clients: a desk phone (UDP 5060) over the public Internet is not a set-up the documents "
        "describe (only TCP 8802 is forwarded, 004:240-241, 004:270-272); use access: vpn or office for desk phones, "
        "e.g. clients: [myportal_voip]",
        "c.yaml:5: sites.1.name: site name 'a' is used twice (sites.0); give each site its own name; e.g. name: home office",
        "c.yaml:5: sites.1.vpn: vpn settings apply to access: vpn only (this site is office); remove vpn; e.g. vpn: {subnet: 10.8.0.0/24}",
    ]


def test_not_yaml_and_missing_file() -> None:
    assert problems("customer: [") == [
        "c.yaml:1: (top level): not valid YAML: expected the node content, but found '<stream end>'"
    ]
    with pytest.raises(model.CustomerError, match="no such file"):
        model.load("/nonexistent/customer.yaml")


def test_schema_is_json() -> None:
    import json

    schema = json.loads(model.json_schema())
    assert set(schema["required"]) == {"customer", "system", "sites"}
