"""Unknowns into possibilities; what cannot matter collapsed with its reason (ALG-1 004:379-387)."""

from __future__ import annotations

from uclab.check import expand, model

BASE = "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\n"


def test_an_unknown_nat_is_the_four_nat_types() -> None:
    c = model.parse(BASE + "sites: [{name: home, access: internet, router: {nat: unknown}}]\n")
    e = expand.expand(c)
    values = [p.choices[0].value for p in e.sites["home"]]
    assert values == ["full-cone", "restricted-cone", "port-restricted-cone", "symmetric"]
    assert e.sites["home"][3].label == "the router of home's nat is symmetric"
    net = expand.concrete(c, e.sites["home"][3].choices)
    assert net.customer.sites[0].router.nat is model.Nat.SYMMETRIC  # type: ignore[union-attr]


def test_a_sip_alg_matters_only_for_desk_phones_behind_an_office_router() -> None:
    """myPortal @work signals over TLS on 8802 and VPN traffic is encrypted: no ALG reads it."""
    c = model.parse(
        BASE + "sites:\n  - {name: home, access: internet, router: {sip_alg: unknown}}\n"
        "  - {name: store, access: office, router: {nat: none, sip_alg: on}, clients: [desk_phone]}\n"
    )
    e = expand.expand(c)
    assert e.sites["home"] == [expand.Possibility()]
    assert len(e.notes) == 1 and "the router of home's SIP ALG (unknown) is built as" in e.notes[0]
    assert [p.choices[0].value for p in e.sites["store"]] == list(expand.ALG_ON)
    net = expand.concrete(c)
    assert net.alg("home") == "kernel" and net.alg(expand.OFFICE) == "none"


def test_rounds_put_sites_side_by_side_under_shared_office_choices() -> None:
    c = model.parse(
        BASE + "office_router: {firewall: unknown}\n"
        "sites:\n  - {name: a, access: internet, router: {nat: unknown}}\n  - {name: b, access: vpn}\n"
    )
    e = expand.expand(c)
    assert e.count == 2 * 4 + 2
    rounds = expand.rounds(e)
    assert len(rounds) == 2 * 4  # per office firewall, a's four NATs; b in the first of each
    assert [sorted(r.sites) for r in rounds[:2]] == [["a", "b"], ["a"]]
    office = {c.value for r in rounds for c in r.choices if c.where == expand.OFFICE}
    assert office == {"stateful", "strict"}
