"""The documented remedies: which fit a failing site, and each applied to the customer's network. Pure.

Every remedy comes from the document that names the cause it removes:

| id | change | rule, document |
|---|---|---|
| open-ports | open the 004 section 3.4 ports on the stateless firewall | PORT-3, 004:294-312 |
| stateful | a stateful firewall instead of the strict one | NAT-2 004:319; 004:284-290 "the recommended ... path" |
| alg-off | switch the router's SIP ALG off | ALG-1, 004:381 |
| vpn | a VPN instead of the public Internet for a site behind a symmetric NAT | NAT-1 000:2157-2158 ("may still be used in a local network"); NET-1.4 004:87-94 |
| cone | a (port-restricted) cone NAT instead of the symmetric one | NAT-1 004:318; 004:343 |
| forward | the port forward of TCP 8802 to the system's 8802 | NET-1.5 004:240-241 |
| system-lan | the system off its WAN interface (the Internet via the LAN) | NET-1.5 004:106 |
| vpn-address | the VPN gives the PC an address from the VPN network | TRB-1 004:327 |

`apply` returns the changed network (expand.Concrete); the runner decides whether the running
lab can take it (router settings: lab.reconfigure_router; the system's settings: a stub
restart) or a new lab must be built (a site's access, the VPN's clients).
"""

from __future__ import annotations

from dataclasses import dataclass

from .expand import OFFICE, Concrete
from .model import Access, Firewall, Forward, Nat, PortOpening, SipAlg, Site
from .oracle import INTERNET_OPENINGS, LAN_OPENINGS, Finding, RemedyRef


@dataclass(frozen=True)
class Remedy:
    id: str
    change: str
    rule: str
    doc: str


REMEDIES = {
    "open-ports": Remedy(
        "open-ports", "open the ports of 004 section 3.4 on {router}'s stateless firewall", "PORT-3", "004:294-312"
    ),
    "stateful": Remedy("stateful", "a stateful firewall on {router} instead of the strict one", "NAT-2", "004:284-290"),
    "alg-off": Remedy("alg-off", "switch the SIP ALG of {router} off", "ALG-1", "004:381"),
    "vpn": Remedy(
        "vpn", "connect {site} through the office VPN instead of the public Internet", "NAT-1", "000:2157-2158"
    ),
    "cone": Remedy("cone", "a port-restricted cone NAT on {router} instead of the symmetric one", "NAT-1", "004:318"),
    "forward": Remedy(
        "forward", "forward TCP 8802 of the office router to the system's 8802", "NET-1.5", "004:240-241"
    ),
    "system-lan": Remedy(
        "system-lan", "connect the system to the Internet through the LAN, not its WAN interface", "NET-1.5", "004:106"
    ),
    "vpn-address": Remedy(
        "vpn-address", "let the VPN give {site}'s PCs an address from the VPN network", "TRB-1", "004:327"
    ),
}


def router_words(where: str) -> str:
    return "the office router" if where == OFFICE else f"the router of {where}"


def describe(ref: RemedyRef) -> str:
    return REMEDIES[ref.id].change.format(router=router_words(ref.where), site=ref.where)


def fitting(findings: list[Finding]) -> list[RemedyRef]:
    """The remedies the site's not-supported and problem findings name, each once."""
    refs = [r for f in findings if f.kind in ("not-supported", "problem") for r in f.remedies]
    return list(dict.fromkeys(refs))


def _site(net: Concrete, name: str, **changes: object) -> Concrete:
    sites = [s.model_copy(update=changes) if s.name == name else s for s in net.customer.sites]
    return Concrete(net.customer.model_copy(update={"sites": sites}), dict(net.algs))


def _router(net: Concrete, where: str, **changes: object) -> Concrete:
    if where == OFFICE:
        office = net.customer.office_router.model_copy(update=changes)
        return Concrete(net.customer.model_copy(update={"office_router": office}), dict(net.algs))
    site = net.customer.site(where)
    assert site.router is not None, f"{where} has no router"
    return _site(net, where, router=site.router.model_copy(update=changes))


def _opened(fw: Firewall, site: Site | None) -> Firewall:
    required = LAN_OPENINGS if site is not None and site.access is Access.OFFICE else INTERNET_OPENINGS
    openings = list(fw.stateless)
    for need, _ in required:
        if not any(o.covers(need.proto, need.low, need.high) for o in openings):
            openings.append(PortOpening(proto=need.proto, low=need.low, high=need.high))
    return Firewall(mode="stateless", stateless=openings)


def apply(ref: RemedyRef, net: Concrete) -> Concrete:
    c = net.customer
    where = ref.where
    if ref.id == "open-ports":
        router = c.office_router if where == OFFICE else c.site(where).router
        assert router is not None
        return _router(net, where, firewall=_opened(router.firewall, None if where == OFFICE else c.site(where)))
    if ref.id == "stateful":
        return _router(net, where, firewall=Firewall(mode="stateful"))
    if ref.id == "alg-off":
        changed = _router(net, where, sip_alg=SipAlg.OFF)
        changed.algs[where] = "none"
        return changed
    if ref.id == "cone":
        return _router(net, where, nat=Nat.PORT_RESTRICTED_CONE)
    if ref.id == "vpn":
        return _site(net, where, access=Access.VPN)
    if ref.id == "vpn-address":
        site = c.site(where)
        return _site(net, where, vpn=site.vpn.model_copy(update={"gives_address": True}))
    if ref.id == "forward":
        forwards = [f for f in c.office_router.forwards if not (f.proto == "tcp" and f.external == 8802)]
        forwards.append(Forward(proto="tcp", external=8802, port=8802))
        return _router(net, OFFICE, forwards=forwards)
    if ref.id == "system-lan":
        system = c.system.model_copy(update={"wan_interface": False})
        return Concrete(c.model_copy(update={"system": system}), dict(net.algs))
    raise ValueError(f"no remedy {ref.id!r}; known: {', '.join(REMEDIES)}")
