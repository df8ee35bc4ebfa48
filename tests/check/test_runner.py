"""How failing sites' remedies are grouped into networks (pure)."""

from __future__ import annotations

from uclab.check import expand, model, runner
from uclab.check.oracle import RemedyRef

BASE = "customer: X\nsystem: {lan: 192.168.10.0/24, address: 192.168.10.30}\n"


def test_office_remedies_measure_every_site_they_concern_site_remedies_go_side_by_side() -> None:
    c = model.parse(
        BASE + "office_router: {forwards: []}\nsites:\n  - {name: a, access: internet, router: {nat: symmetric}}\n"
        "  - {name: b, access: internet}\n"
    )
    net = expand.concrete(c)
    batches = runner._remedy_batches([("a", expand.Possibility(), net), ("b", expand.Possibility(), net)])
    labelled = [(sorted(sites), sorted({r.id for _, r in sites.values() if r})) for _, sites, _ in batches]
    assert labelled == [(["a"], ["vpn"]), (["a"], ["cone"]), (["a", "b"], ["forward"])]
    forward_net = batches[2][0]
    assert [str(f) for f in forward_net.customer.office_router.forwards] == ["tcp 8802 -> 8802"]
    assert batches[0][0].customer.site("a").access is model.Access.VPN
    assert batches[0][1]["a"][1] == RemedyRef("vpn", "a")
