"""`unknown` values of a customer file, expanded into the concrete networks the lab builds. Pure.

A partner often does not know a router's NAT type, whether its firewall is strict, or what its
SIP ALG does. Each `unknown` (and each `sip_alg: on`, whose behaviour is not known either) is
one dimension; a site's possibilities are the product of the office router's dimensions and
its own. What cannot matter is collapsed, with the reason, as the support matrix does
(suites/network/matrix_spec.cells): a SIP ALG reads SIP on UDP 5060 only, so it matters for
desk phones behind it and for nobody else (myPortal @work signals over TLS on 8802, VPN
traffic is encrypted; ALG-1, 004:379-387).

`sip_alg: on` stands for the ALGs the lab can reproduce quickly: the kernel's SIP helper (an
ALG that does its job) and the behaviours behind the two documented symptoms a call shows
within seconds, one-way audio (004:383) and no ringing (004:384). The other two symptoms need
the 32 s ACK timeout (calls drop, 004:385) or a registration lifetime (straight to voicemail,
004:386); the suites cover them (suites/network/test_alg.py), the check does not try them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .model import Access, Client, Customer, Firewall, Nat, Router, SipAlg

NAT_VALUES = (Nat.FULL_CONE, Nat.RESTRICTED_CONE, Nat.PORT_RESTRICTED_CONE, Nat.SYMMETRIC)
FIREWALL_VALUES = ("stateful", "strict")
ALG_ON = ("kernel", "faulty:sdp-rewrite-no-pinhole", "faulty:drop-inbound-invite")
ALG_WORDS = {
    "none": "off",
    "kernel": "the Linux SIP helper (an ALG that works)",
    "faulty:sdp-rewrite-no-pinhole": "an ALG that rewrites SDP without opening the media path (one-way audio, 004:383)",
    "faulty:drop-inbound-invite": "an ALG that drops inbound INVITEs (the client does not ring, 004:384)",
}
OFFICE = "office"
"""the key of the office router in `Concrete.algs`"""


@dataclass(frozen=True)
class Choice:
    """One unknown decided: `where` names the router (OFFICE or a site name), `what` the setting."""

    where: str
    what: str  # nat | firewall | sip_alg
    value: str

    @property
    def text(self) -> str:
        router = "the office router" if self.where == OFFICE else f"the router of {self.where}"
        value = ALG_WORDS.get(self.value, self.value) if self.what == "sip_alg" else self.value
        return f"{router}'s {self.what.replace('_', ' ').replace('sip alg', 'SIP ALG')} is {value}"


@dataclass(frozen=True)
class Possibility:
    """One combination of choices; empty when nothing was unknown."""

    choices: tuple[Choice, ...] = ()

    @property
    def label(self) -> str:
        return "; ".join(c.text for c in self.choices) if self.choices else "as described"

    @property
    def key(self) -> str:
        return ",".join(f"{c.where}.{c.what}={c.value}" for c in self.choices) or "-"


@dataclass(frozen=True)
class Dimension:
    where: str
    what: str
    values: tuple[str, ...]


@dataclass
class Expansion:
    """Per site, its possibilities; `notes` say what was collapsed and why."""

    sites: dict[str, list[Possibility]]
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(p) for p in self.sites.values())


def alg_matters(site_access: Access, clients: list[Client], has_router: bool) -> bool:
    """Only desk phones signal on UDP 5060 and only an office site's router carries that signalling
    unencrypted (VPN traffic is inside the tunnel; no desk phone is allowed over the Internet)."""
    return site_access is Access.OFFICE and has_router and Client.DESK_PHONE in clients


def _router_dims(where: str, router: Router, alg_relevant: bool, notes: list[str]) -> list[Dimension]:
    dims = []
    if router.nat is Nat.UNKNOWN:
        dims.append(Dimension(where, "nat", tuple(n.value for n in NAT_VALUES)))
    if router.firewall.mode == "unknown":
        dims.append(Dimension(where, "firewall", FIREWALL_VALUES))
    if router.sip_alg is not SipAlg.OFF:
        values = ALG_ON if router.sip_alg is SipAlg.ON else ("none", *ALG_ON)
        if alg_relevant:
            dims.append(Dimension(where, "sip_alg", values))
        else:
            name = "the office router" if where == OFFICE else f"the router of {where}"
            notes.append(
                f"{name}'s SIP ALG ({router.sip_alg.value}) is built as {ALG_WORDS['kernel']} and not expanded: no "
                "client's signalling passes it on UDP 5060 (myPortal @work uses TLS on 8802, VPN traffic is "
                "encrypted; ALG-1, 004:379-387)"
            )
    return dims


def _possibilities(dims: list[Dimension]) -> list[Possibility]:
    if not dims:
        return [Possibility()]
    combos = itertools.product(*[[Choice(d.where, d.what, v) for v in d.values] for d in dims])
    return [Possibility(tuple(c)) for c in combos]


def expand(customer: Customer) -> Expansion:
    notes: list[str] = []
    office_dims = _router_dims(OFFICE, customer.office_router, alg_relevant=False, notes=notes)
    sites: dict[str, list[Possibility]] = {}
    for site in customer.sites:
        dims = list(office_dims)
        if site.router is not None:
            relevant = alg_matters(site.access, site.clients, True)
            dims += _router_dims(site.name, site.router, relevant, notes)
        sites[site.name] = _possibilities(dims)
    return Expansion(sites, notes)


@dataclass(frozen=True)
class Concrete:
    """One network the lab builds: the customer with every unknown decided, and the SIP ALG
    behaviour of each router (`algs`: OFFICE or a site name -> none | kernel | faulty:<name>)."""

    customer: Customer
    algs: dict[str, str]

    def alg(self, where: str) -> str:
        return self.algs.get(where, "none")


def _decided(router: Router, where: str, choices: dict[tuple[str, str], str]) -> tuple[Router, str]:
    nat = Nat(choices.get((where, "nat"), router.nat.value))
    fw = router.firewall
    if (where, "firewall") in choices:
        fw = Firewall(mode=choices[(where, "firewall")])
    if nat is Nat.UNKNOWN:
        nat = Nat.PORT_RESTRICTED_CONE
    if fw.mode == "unknown":
        fw = Firewall(mode="stateful")
    alg = choices.get((where, "sip_alg"), "none" if router.sip_alg is SipAlg.OFF else "kernel")
    return router.model_copy(update={"nat": nat, "firewall": fw}), alg


def concrete(customer: Customer, choices: tuple[Choice, ...] = ()) -> Concrete:
    """The customer with `choices` applied. Unknowns not chosen (another site's, in this site's
    possibility) take the documented default (port-restricted cone, stateful, no ALG): they do
    not affect the site being measured."""
    chosen = {(c.where, c.what): c.value for c in choices}
    office, office_alg = _decided(customer.office_router, OFFICE, chosen)
    algs = {OFFICE: office_alg}
    sites = []
    for site in customer.sites:
        if site.router is None:
            sites.append(site)
            continue
        router, alg = _decided(site.router, site.name, chosen)
        algs[site.name] = alg
        sites.append(site.model_copy(update={"router": router}))
    return Concrete(customer.model_copy(update={"office_router": office, "sites": sites}), algs)


@dataclass(frozen=True)
class Round:
    """Sites measured together in one network: they agree on the office router's choices, and
    each brings its own (its routers are its own)."""

    choices: tuple[Choice, ...]
    sites: dict[str, Possibility]


def rounds(expansion: Expansion) -> list[Round]:
    """As few networks as measure every site's every possibility: per combination of office
    choices, the sites' own possibilities side by side."""
    by_office: dict[tuple[Choice, ...], dict[str, list[Possibility]]] = {}
    for site, possibilities in expansion.sites.items():
        for p in possibilities:
            office = tuple(c for c in p.choices if c.where == OFFICE)
            by_office.setdefault(office, {}).setdefault(site, []).append(p)
    out = []
    for office, per_site in by_office.items():
        for i in range(max(len(v) for v in per_site.values())):
            sites = {s: ps[i] for s, ps in per_site.items() if i < len(ps)}
            own = tuple(c for p in sites.values() for c in p.choices if c.where != OFFICE)
            out.append(Round(office + own, sites))
    return out
