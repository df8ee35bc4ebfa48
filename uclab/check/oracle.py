"""What the documents say about one site of one concrete network. Pure.

`findings` lists every documented fact that applies to the site's set-up: the set-up is not
supported (NAT-1 004:318, NAT-2 004:319), a documented configuration problem (a port the 004
section 3.4 tables require is closed, no port forward of 8802, the system on its WAN interface,
a VPN that gives no address, a SIP ALG on the signalling path), or a documented warning (a
stateless firewall "cannot be recommend for VoIP", 004:300). Each names its rule ID, the
document line it rests on, the steps of what a user does that it breaks (so the verdict can
tell an explained failure from an unexplained one) and the remedies the documents give.

`documented_setup` is the support matrix's oracle (suites/network/matrix_spec.expect) for the
site's client kind: the scenario rules (NET-1.2 / 1.4 / 1.5, PORT-1/2/3, NAT-3) the report
cites for a site that works.
"""

from __future__ import annotations

from dataclasses import dataclass

from suites.network.matrix_spec import NOT_APPLICABLE, Cell, Expectation, expect

from .expand import OFFICE, Concrete
from .model import Access, Client, Firewall, Nat, PortOpening

ALL_STEPS = (
    "login",
    "nat_type",
    "ice_status",
    "register",
    "rings",
    "audio_in",
    "outgoing",
    "audio_out",
    "binding_timeout",
    "hold",
)
SIGNALLING = ALL_STEPS
PAYLOAD = ("audio_in", "audio_out", "binding_timeout", "hold")
STUN = ("nat_type", "ice_status")

INTERNET_OPENINGS = (
    (PortOpening(proto="tcp", low=8802, high=8802), "004:305"),
    (PortOpening(proto="udp", low=3478, high=3478), "004:273"),
    (PortOpening(proto="udp", low=49152, high=65535), "004:309"),
)
"""what a stateless firewall between the client and the Internet must open (004:302-312)"""
LAN_OPENINGS = (
    (PortOpening(proto="tcp", low=8802, high=8802), "004:305"),
    (PortOpening(proto="udp", low=1024, high=65535), "004:306"),
)
"""what a stateless firewall inside the customer network must open (004:294, 004:306)"""


@dataclass(frozen=True)
class RemedyRef:
    """A documented remedy for a finding: `id` (remedies.REMEDIES) applied at `where` (OFFICE or a site)."""

    id: str
    where: str


@dataclass(frozen=True)
class Finding:
    kind: str  # not-supported | problem | warning
    rule: str
    ref: str
    text: str  # what applies here, in the lab's words (the report adds the document's own words)
    breaks: tuple[str, ...] = ()
    remedies: tuple[RemedyRef, ...] = ()


def _missing(fw: Firewall, required: tuple[tuple[PortOpening, str], ...]) -> list[tuple[PortOpening, str]]:
    return [
        (need, ref)
        for need, ref in required
        if not any(o.covers(need.proto, need.low, need.high) for o in fw.stateless)
    ]


def _breaks_of(missing: list[tuple[PortOpening, str]]) -> tuple[str, ...]:
    out: list[str] = []
    for need, _ in missing:
        if need.proto == "tcp":
            out += SIGNALLING
        elif need.low == need.high == 3478:
            out += STUN
        else:
            out += PAYLOAD
    return tuple(dict.fromkeys(out))


def _stateless(
    where: str, name: str, fw: Firewall, required: tuple[tuple[PortOpening, str], ...], scope: str
) -> list[Finding]:
    out = [
        Finding(
            "warning",
            "PORT-3",
            "004:300",
            f"{name} has a stateless firewall, which the documents do not recommend for VoIP",
        )
    ]
    missing = _missing(fw, required)
    if missing:
        listed = ", ".join(f"{o} ({ref})" for o, ref in missing)
        out.append(
            Finding(
                "problem",
                "PORT-3",
                "004:294-298" if scope == "lan" else "004:296-298",
                f"{name}'s stateless firewall does not open what 004 section 3.4 requires {(scope == 'lan' and 'inside the customer network') or 'towards the Internet'}: {listed}",
                _breaks_of(missing),
                (RemedyRef("open-ports", where),),
            )
        )
    return out


def _strict(where: str, name: str) -> Finding:
    return Finding(
        "not-supported",
        "NAT-2",
        "004:319",
        f"{name} has a strict firewall",
        PAYLOAD + STUN,
        (RemedyRef("stateful", where),),
    )


def findings(net: Concrete, site_name: str) -> list[Finding]:
    c = net.customer
    site = c.site(site_name)
    office = c.office_router
    out: list[Finding] = []
    router = site.router
    own = f"the router of {site.name}"
    if site.access is Access.INTERNET:
        if office.nat is Nat.SYMMETRIC or (router is not None and router.nat is Nat.SYMMETRIC):
            which = "the office router" if office.nat is Nat.SYMMETRIC else own
            fixes = [
                RemedyRef("vpn", site.name),
                RemedyRef("cone", OFFICE if office.nat is Nat.SYMMETRIC else site.name),
            ]
            out.append(
                Finding(
                    "not-supported",
                    "NAT-1",
                    "004:318",
                    f"{which} is a symmetric NAT and the site uses the public Internet",
                    PAYLOAD,
                    tuple(fixes),
                )
            )
        if not any(
            f.proto == "tcp" and f.port == 8802 and f.address in (None, c.system.address) for f in office.forwards
        ):
            out.append(
                Finding(
                    "problem",
                    "NET-1.5",
                    "004:240-241",
                    "the office router forwards no external port to the system's TCP 8802",
                    SIGNALLING,
                    (RemedyRef("forward", OFFICE),),
                )
            )
        if office.firewall.mode == "strict":
            out.append(_strict(OFFICE, "the office router"))
        elif office.firewall.mode == "stateless":
            out += _stateless(OFFICE, "the office router", office.firewall, INTERNET_OPENINGS, "internet")
    if site.access is Access.VPN:
        if office.firewall.mode == "strict":
            out.append(_strict(OFFICE, "the office router"))
        elif office.firewall.mode == "stateless":
            out.append(
                Finding(
                    "warning",
                    "PORT-3",
                    "004:300",
                    "the office router has a stateless firewall, which the documents do not "
                    "recommend for VoIP; the 004 section 3.4 tables name no port for the VPN itself",
                )
            )
        if not site.vpn.gives_address:
            out.append(
                Finding(
                    "problem",
                    "TRB-1",
                    "004:327",
                    "the VPN gives the PC no address from the VPN network",
                    SIGNALLING,
                    (RemedyRef("vpn-address", site.name),),
                )
            )
    if router is not None:
        if router.firewall.mode == "strict":
            out.append(_strict(site.name, own))
        elif router.firewall.mode == "stateless":
            required = LAN_OPENINGS if site.access is Access.OFFICE else INTERNET_OPENINGS
            scope = "lan" if site.access is Access.OFFICE else "internet"
            if site.access is Access.VPN:
                out.append(
                    Finding(
                        "warning",
                        "PORT-3",
                        "004:300",
                        f"{own} has a stateless firewall, which the documents do not recommend "
                        "for VoIP; the 004 section 3.4 tables name no port for the VPN itself",
                    )
                )
            else:
                out += _stateless(site.name, own, router.firewall, required, scope)
        alg = net.alg(site.name)
        if alg != "none" and site.access is Access.OFFICE and Client.DESK_PHONE in site.clients:
            breaks = {"faulty:sdp-rewrite-no-pinhole": PAYLOAD, "faulty:drop-inbound-invite": ("rings",)}.get(alg, ())
            kind = "problem" if breaks else "warning"
            out.append(
                Finding(
                    kind,
                    "ALG-1",
                    "004:381-386",
                    f"{own} has a SIP ALG on the desk phones' signalling (UDP 5060)",
                    breaks,
                    (RemedyRef("alg-off", site.name),),
                )
            )
    if c.system.wan_interface:
        # 004:106 names the payload issues of clients "via Public IP"; the stub advertises the
        # WAN address to every client, so the lab measures office and VPN clients too
        out.append(
            Finding(
                "problem",
                "NET-1.5",
                "004:106",
                "the system reaches the Internet on its own WAN interface",
                PAYLOAD,
                (RemedyRef("system-lan", OFFICE),),
            )
        )
    return out


def _cell_nat(nat: Nat) -> str:
    return "cone" if nat is Nat.PORT_RESTRICTED_CONE else nat.value


def cell(net: Concrete, site_name: str, client: Client) -> Cell:
    """The support matrix's cell closest to this site (its firewall and ALG findings are this module's)."""
    c = net.customer
    site = c.site(site_name)
    transport = "udp5060" if client is Client.DESK_PHONE else "tls8802"
    router = site.router
    fw_mode = router.firewall.mode if router is not None else "stateful"
    firewall = "strict" if fw_mode == "strict" else ("stateless" if fw_mode == "stateless" else "stateful")
    if site.access is Access.OFFICE:
        return Cell("lan", NOT_APPLICABLE, _cell_nat(c.office_router.nat), firewall, "off", transport)
    home = router.nat.value if router is not None and router.nat is not Nat.NONE else "none"
    if site.access is Access.VPN:
        return Cell("vpn", home, NOT_APPLICABLE, firewall, "off", transport)
    if c.office_router.firewall.mode == "stateless" and firewall == "stateful":
        firewall = "stateless"
    return Cell(
        "internet",
        home,
        _cell_nat(c.office_router.nat),
        firewall if home != "none" else NOT_APPLICABLE,
        "off" if home != "none" else NOT_APPLICABLE,
        transport,
    )


def documented_setup(net: Concrete, site_name: str, client: Client) -> Expectation:
    return expect(cell(net, site_name, client))
