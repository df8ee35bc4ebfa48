"""The support matrix: which networks myPortal @work VoIP works in, per the documents.

A cell is one network: how the client reaches the office (access), the NATs on the way,
the firewall and SIP ALG on the client's side, and the signalling transport. `expect`
is the oracle: what the documents say a user sees in that cell, with the rule that says
it. Where the documents say nothing, the expectation is None and the measured outcome is
recorded without a verdict. No I/O here; `uclab/matrix_sweep.py` measures, `reports/matrix.py`
renders.

Document basis:
- NET-1.2 (004:61-70), NET-1.4 (004:87-94), NET-1.5 (004:96-107): LAN, VPN and Internet
  set-ups work (login, VoIP registration, two-way audio).
- PORT-1 (004:270-276): signalling on TCP 8802 only; for the Internet only 8802 is forwarded.
- PORT-2 (004:284-291): stateful firewall/NAT: nothing to open.
- PORT-3 (004:294-312): stateless firewall with the documented ranges works.
- NAT-1 (004:318, 000:2157-2158): symmetric NAT not supported over public networks, still
  usable on the local network. NAT-2 (004:319): strict firewalls not supported.
- NAT-3 (000:2138-2160): Check NAT type says simple / Symmetric / could not be detected.
- ALG-1 (004:379-387): a SIP ALG can cause one-way audio, no ringing, dropped calls, calls
  straight to voicemail. It sees SIP on 5060 only; TLS on 8802 is opaque to it.
- STUN connectivity of the client (the `stun` column; "off": its STUN server does not answer,
  as behind a firewall that drops UDP 3478): not needed in-house (NET-1.2, 004:68), needed via
  the Internet (NET-1.5, 004:107), mandatorily needed via the VPN (NET-1.4, 004:94). Where
  the lab is known not to produce the documented outcome, the expectation says why
  (`not_reproduced`): a contradicting measurement is then "documented, not reproduced", neither
  agreement nor disagreement.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

ACCESS = ("lan", "vpn", "internet")
HOME_NAT = ("none", "full-cone", "restricted-cone", "port-restricted-cone", "symmetric")
OFFICE_NAT = ("cone", "symmetric")
FIREWALL = ("stateful", "stateless", "strict")
SIP_ALG = ("off", "kernel", "faulty")
TRANSPORT = ("tls8802", "udp5060")
STUN = ("on", "off")

FAULTY_BEHAVIOUR = "sdp-rewrite-no-pinhole"  # the matrix's faulty ALG; the ALG suite runs all four
NOT_APPLICABLE = "n/a"
FILTERS_BY_PORT = ("port-restricted-cone", "cone", "symmetric")
"""NATs with address-and-port-dependent filtering (RFC 4787): the matrix's office "cone"
is a port-restricted cone (topologies/matrix.yaml)."""


@dataclass(frozen=True)
class Cell:
    access: str
    home_nat: str
    office_nat: str
    firewall: str
    sip_alg: str
    transport: str
    stun: str = "on"
    """the client's STUN connectivity: "on" (the lab's STUN server answers) or "off" (it does not)"""

    @property
    def id(self) -> str:
        return "-".join(
            [self.access, f"home_{self.home_nat}", f"office_{self.office_nat}", self.firewall,
             f"alg_{self.sip_alg}", self.transport, *(["stun_off"] if self.stun == "off" else [])]
        )  # fmt: skip

    @property
    def client_host(self) -> str:
        if self.access == "lan":
            return "lan_pc"
        return "public_pc" if self.home_nat == "none" else "home_pc"


@dataclass
class Expectation:
    """What the documents say a user sees; None where they say nothing."""

    login: bool | None = None
    register: bool | None = None
    rings: bool | None = None
    audio: str | None = None  # "two-way" | "none" | "one-way" | "not two-way"
    nat_type: str | None = None  # "simple" | "Symmetric" | "could not be detected"
    rules: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    not_reproduced: dict[str, str] = field(default_factory=dict)
    """outcome name -> why the lab is known not to produce its documented value (its system or
    network is not the one the document's statement assumes); a measurement contradicting
    that outcome is "documented, not reproduced" instead of a disagreement"""

    def add(self, rule: str, why: str) -> None:
        if rule not in self.rules:
            self.rules.append(rule)
        self.why.append(why)


def cells() -> list[Cell]:
    """The swept cells: the full cross product, with dimensions that cannot matter collapsed.

    LAN clients cross no NAT (home and office NAT collapse; the office NAT only shapes the
    Check NAT type result, kept at cone); a strict firewall is an edge device between a
    network and the Internet (004:319), not a filter between office clients and their own
    system, so LAN cells have stateful and stateless (004:306) firewalls only. VPN media crosses no NAT and no ALG can read it
    (office NAT collapses, ALG off and kernel kept to show the immunity). A client on the
    public Internet has no home router (firewall and ALG collapse).

    Without STUN connectivity (stun "off") only what the statements about STUN can depend on
    is swept, with TLS on 8802 and no ALG: LAN clients behind both firewall kinds; VPN clients
    behind a cone and a symmetric home NAT (the tunnel carries the media, so the other NAT
    kinds cannot differ); Internet clients behind a port-restricted and a full cone home NAT
    and on a public address, towards the office's cone.
    """
    out: list[Cell] = []
    for fw, alg, tr in itertools.product(FIREWALL[:2], SIP_ALG, TRANSPORT):
        out.append(Cell("lan", NOT_APPLICABLE, "cone", fw, alg, tr))
    for home, fw, alg, tr in itertools.product(HOME_NAT[1:], FIREWALL, ("off", "kernel"), TRANSPORT):
        out.append(Cell("vpn", home, NOT_APPLICABLE, fw, alg, tr))
    for office, tr in itertools.product(OFFICE_NAT, TRANSPORT):
        out.append(Cell("internet", "none", office, NOT_APPLICABLE, NOT_APPLICABLE, tr))
    for home, office, fw, alg, tr in itertools.product(HOME_NAT[1:], OFFICE_NAT, FIREWALL, SIP_ALG, TRANSPORT):
        out.append(Cell("internet", home, office, fw, alg, tr))
    for fw in FIREWALL[:2]:
        out.append(Cell("lan", NOT_APPLICABLE, "cone", fw, "off", "tls8802", stun="off"))
    for home in ("port-restricted-cone", "symmetric"):
        out.append(Cell("vpn", home, NOT_APPLICABLE, "stateful", "off", "tls8802", stun="off"))
    for home in ("port-restricted-cone", "full-cone"):
        out.append(Cell("internet", home, "cone", "stateful", "off", "tls8802", stun="off"))
    out.append(Cell("internet", "none", "cone", NOT_APPLICABLE, NOT_APPLICABLE, "tls8802", stun="off"))
    return out


VPN_HOST_CANDIDATE = (
    "the lab's system anchors every call's media on its office LAN address, and the VPN routes the "
    "client's VPN address (10.8.0.2) to the office LAN without NAT: ICE pairs the client's host "
    "candidate with the system's through the tunnel, so nothing on this path needs STUN (the "
    "documents do not say what makes it mandatory, e.g. a VPN that hides the client's address)"
)
"""why the lab does not reproduce NET-1.4's "mandatorily needed" (004:94)"""


def _nat_type(exp: Expectation, nat: str, udp_blocked: bool, stun_off: bool = False) -> None:
    if stun_off:
        exp.nat_type = "could not be detected"
        exp.add("NAT-3", "the client's STUN server does not answer: Check NAT type says could not be detected")
    elif udp_blocked:
        exp.nat_type = "could not be detected"
        exp.add("NAT-3", "UDP to the STUN server is blocked: Check NAT type says could not be detected")
    elif nat == "symmetric":
        exp.nat_type = "Symmetric"
        exp.add("NAT-3", "behind a symmetric NAT Check NAT type says Symmetric")
    else:
        exp.nat_type = "simple"
        exp.add("NAT-3", "behind no NAT or a cone NAT Check NAT type says simple")


def expect(cell: Cell) -> Expectation:
    exp = Expectation()
    strict = cell.firewall == "strict"
    udp = cell.transport == "udp5060"
    alg_sees_sip = udp and cell.sip_alg != "off" and cell.access != "vpn"
    stun_off = cell.stun == "off"

    if cell.access == "lan":
        exp.add("NET-1.2", "office LAN: login to LAN-IP:8802, VoIP, two-way audio")
        _nat_type(exp, cell.office_nat, strict, stun_off)
        if stun_off:
            exp.why.append("STUN connectivity is not needed for pure in-house connections (004:68)")
        exp.login = True
        exp.register = exp.rings = not (udp and strict)
        if strict:
            exp.audio = "none"
            exp.add("NAT-2", "a strict firewall lets no UDP payload through")
        elif cell.firewall == "stateless":
            exp.audio = "two-way"
            exp.add("PORT-3", "the stateless firewall opens UDP 1024-65535 inside the LAN")
        else:
            exp.audio = "two-way"
            exp.add("PORT-2", "a stateful firewall needs nothing opened")
    elif cell.access == "vpn":
        exp.add("NET-1.4", "home via VPN: login to LAN-IP:8802 through the tunnel, two-way audio")
        _nat_type(exp, cell.home_nat, strict, stun_off)
        if strict:
            exp.login = exp.register = exp.rings = False
            exp.audio = "none"
            exp.add("NAT-2", "a strict firewall blocks the VPN's UDP: no tunnel, 'Connection Time out' (TRB-4)")
            exp.add("TRB-4", "the client reports Connection Time out")
        elif cell.firewall == "stateless":
            exp.login = None  # the documented tables name no VPN port
            exp.why.append("the 004 section 3.4 tables do not cover the VPN's own ports: no documented expectation")
        else:
            exp.login = exp.register = exp.rings = True
            exp.audio = "two-way"
        if stun_off:
            exp.rings = None
            exp.audio = "not two-way"
            exp.add("NET-1.4", "STUN connectivity is mandatorily needed via the VPN (004:94): VoIP fails without it")
            exp.why.append("the documents do not say which step fails without STUN: only that the call cannot work")
            exp.not_reproduced["audio"] = VPN_HOST_CANDIDATE
        if cell.sip_alg != "off":
            exp.add("ALG-1", "SIP inside the VPN is encrypted: an ALG cannot touch it")
    else:  # internet
        exp.add("NET-1.5", "home via the public Internet: login to the public address, 8802 forwarded")
        exp.add("PORT-1", "UC and VoIP signalling on TCP 8802 only")
        _nat_type(exp, cell.home_nat, strict, stun_off)
        exp.login = True
        if udp:
            exp.register = None
            exp.why.append(
                "SIP over UDP 5060 from the Internet is not a documented myPortal @work set-up (PORT-1: 8802 only): "
                "only documented failures are expected"
            )
        else:
            exp.register = True
        if cell.home_nat == "symmetric" or cell.office_nat == "symmetric":
            other = cell.office_nat if cell.home_nat == "symmetric" else cell.home_nat
            exp.add("NAT-1", "symmetric NAT is not supported over public networks")
            if other in FILTERS_BY_PORT:
                exp.audio = "none"
                exp.why.append(
                    "the far side filters by address and port (or is symmetric too): the symmetric NAT's "
                    "new mapping towards it is never let in, so no payload flows"
                )
            else:
                exp.why.append(
                    f"the far side ({other}) does not filter by port: whether payload flows is not "
                    "documented, only that the set-up is not supported"
                )
        elif strict:
            exp.audio = "none"
            exp.add("NAT-2", "a strict firewall lets no UDP payload through")
        elif cell.firewall == "stateless":
            exp.audio = None if udp else "two-way"
            exp.add("PORT-3", "the stateless firewall opens UDP 49152-65535 for payload over the Internet")
        else:
            exp.audio = None if udp else "two-way"
            exp.add("PORT-2", "stateful firewalls and NATs need nothing opened")
        if exp.register and not strict:
            exp.rings = True
        elif strict:
            exp.why.append("strict firewalls are not supported (NAT-2): only the missing payload is documented")
        if stun_off and cell.home_nat == "none":
            exp.rings = exp.audio = None
            exp.why.append(
                "the documents' Internet user sits behind an external router (004:221, 004:248); whether a PC "
                "with a public address of its own needs STUN is not documented"
            )
        elif stun_off:
            exp.rings = None
            exp.audio = "not two-way"
            exp.add("NET-1.5", "STUN connectivity is needed via the public Internet (004:107): VoIP fails without it")
            exp.why.append("the documents do not say which step fails without STUN: only that the call cannot work")
    if alg_sees_sip:
        exp.add("ALG-1", "a SIP ALG on the client's router sees this SIP on 5060")
        if cell.sip_alg == "faulty" and exp.audio in ("two-way", None):
            exp.audio = "not two-way"
            exp.why.append(
                f"a SIP ALG that rewrites SDP without opening the media path ({FAULTY_BEHAVIOUR}) breaks the "
                "payload: one of the documented symptoms (004:379-387), not two-way audio"
            )
        elif cell.sip_alg == "kernel" and exp.audio == "two-way":
            exp.audio = None
            exp.why.append("the documents say an ALG may cause one of four symptoms, not which: no expectation")
    elif cell.sip_alg not in ("off", NOT_APPLICABLE) and cell.access != "vpn":
        exp.add("ALG-1", "signalling is TLS on 8802: the ALG cannot read or change it")
    return exp
