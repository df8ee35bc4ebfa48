"""The customer file: a partner's site survey of one customer's network, validated.

    customer: Bakery Huber GmbH
    system: {mode: smart, release: V3R2FR1, lan: 192.168.10.0/24, address: 192.168.10.30}
    office_router:
      nat: port-restricted-cone        # full-cone | restricted-cone | port-restricted-cone | symmetric | unknown
      firewall: stateful               # stateful | strict | none | unknown | {stateless: ["tcp 8802", ...]}
      sip_alg: off                     # off | on | unknown
      public: {name: pbx.huber.example}
      forwards: ["tcp 8802 -> 8802"]   # external port -> system port (004:240-241)
    sites:
      - name: home office
        access: internet               # internet | vpn | office
        router: {nat: symmetric, firewall: stateful, sip_alg: off}
        link: {delay_ms: 30, jitter_ms: 8, loss_pct: 0.5}
        clients: [myportal_voip]       # myportal_voip (TLS 8802) | desk_phone (UDP 5060)

Everything optional has the documented default (the 004 chapter 2 set-up: a port-restricted
cone office router, stateful, no SIP ALG, TCP 8802 forwarded to the system's 8802). LAN
ranges are the customer's own and used as given; they must be private and must not collide
with each other or with the ranges the lab keeps for itself (the VPN network, the
documentation ranges that stand for the public Internet). Public addresses are never used:
the lab maps them onto the documentation ranges (`build.py`).

`load(path)` returns a `Customer` or raises `CustomerError` listing every problem with its
file:line, the field, what is allowed and an example (yamlcheck, as topologies do).
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from simulators import yamlcheck
from simulators.net.checks import DOC_RANGES
from simulators.net.errors import Problem
from simulators.uc.profiles import Mode, Release

PRIVATE = tuple(IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
SCHEMA_HINT = "see `uclab check --schema` for the fields"
HOSTNAME_RE = r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
PORTS_RE = re.compile(r"^(tcp|udp) (\d{1,5})(?:-(\d{1,5}))?$")
FORWARD_RE = re.compile(r"^(tcp|udp) (\d{1,5}) -> (?:(\d+\.\d+\.\d+\.\d+):)?(\d{1,5})$")

EXAMPLES: dict[str, str] = {
    "customer": "customer: Bakery Huber GmbH",
    "system": "system: {mode: smart, release: V3R2FR1, lan: 192.168.10.0/24, address: 192.168.10.30}",
    "mode": "mode: smart",
    "release": "release: V3R2FR1",
    "lan": "lan: 192.168.10.0/24",
    "address": "address: 192.168.10.30",
    "wan_interface": "wan_interface: false",
    "office_router": "office_router: {nat: port-restricted-cone, firewall: stateful, sip_alg: off}",
    "nat": "nat: port-restricted-cone",
    "firewall": 'firewall: stateful   or   firewall: {stateless: ["tcp 8802", "udp 3478", "udp 49152-65535"]}',
    "stateless": 'stateless: ["tcp 8802", "udp 3478", "udp 49152-65535"]',
    "sip_alg": "sip_alg: off",
    "public": "public: {name: pbx.huber.example, address: 62.38.100.120}",
    "name": "name: pbx.huber.example",
    "sites.name": "name: home office",
    "forwards": 'forwards: ["tcp 8802 -> 8802"]',
    "vpn": "vpn: {subnet: 10.8.0.0/24}",
    "subnet": "subnet: 10.8.0.0/24",
    "sites": "sites: [{name: home office, access: internet, clients: [myportal_voip]}]",
    "access": "access: internet",
    "router": "router: {nat: port-restricted-cone, firewall: stateful, sip_alg: off}",
    "link": "link: {delay_ms: 30, jitter_ms: 8, loss_pct: 0.5}",
    "delay_ms": "delay_ms: 30",
    "jitter_ms": "jitter_ms: 8",
    "loss_pct": "loss_pct: 0.5",
    "rate_kbit": "rate_kbit: 2000",
    "clients": "clients: [myportal_voip, desk_phone]",
    "gives_address": "gives_address: true",
}


class CustomerError(ValueError):
    """A customer file is invalid; `problems` lists each with its place, what is allowed and an example."""

    def __init__(self, source: str | None, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = [p.render(source or "customer") for p in problems]
        head = f"{source or 'customer'}: {len(lines)} problem{'s' if len(lines) != 1 else ''}"
        super().__init__(head + "\n  " + "\n  ".join(lines))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Nat(StrEnum):
    FULL_CONE = "full-cone"
    RESTRICTED_CONE = "restricted-cone"
    PORT_RESTRICTED_CONE = "port-restricted-cone"
    SYMMETRIC = "symmetric"
    NONE = "none"
    UNKNOWN = "unknown"


class SipAlg(StrEnum):
    OFF = "off"
    ON = "on"
    UNKNOWN = "unknown"


class Access(StrEnum):
    INTERNET = "internet"
    VPN = "vpn"
    OFFICE = "office"


class Client(StrEnum):
    MYPORTAL_VOIP = "myportal_voip"
    DESK_PHONE = "desk_phone"


FirewallMode = Literal["stateful", "strict", "stateless", "none", "unknown"]


class PortOpening(Strict):
    """One static opening of a stateless firewall: `udp 49152-65535` (004:302-312)."""

    proto: Literal["tcp", "udp"]
    low: int = Field(ge=1, le=65535)
    high: int = Field(ge=1, le=65535)

    def __str__(self) -> str:
        return f"{self.proto} {self.low}" + (f"-{self.high}" if self.high != self.low else "")

    def covers(self, proto: str, low: int, high: int) -> bool:
        return self.proto == proto and self.low <= low and high <= self.high

    @model_validator(mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return cls.parse(value).model_dump() if isinstance(value, str) else value

    @classmethod
    def parse(cls, text: Any) -> PortOpening:
        m = PORTS_RE.fullmatch(str(text).strip()) if isinstance(text, str) else None
        if m is None:
            raise ValueError(
                f"{text!r} is not a port opening; write 'PROTO PORT' or 'PROTO LOW-HIGH', e.g. 'udp 49152-65535'"
            )
        low, high = int(m.group(2)), int(m.group(3) or m.group(2))
        if not 1 <= low <= high <= 65535:
            raise ValueError(f"{text!r}: ports must be 1-65535 with low <= high, e.g. 'udp 49152-65535'")
        return cls(proto=m.group(1), low=low, high=high)


class Firewall(Strict):
    """stateful (004:284-291) | strict (004:319) | stateless with its static openings (004:294-312) |
    none | unknown (expanded into stateful and strict)."""

    mode: FirewallMode = "stateful"
    stateless: list[PortOpening] = Field(default_factory=list, description="the openings of a stateless firewall")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            allowed = ("stateful", "strict", "none", "unknown")
            if value not in allowed:
                raise ValueError(
                    f"unknown firewall {value!r}; use one of: {', '.join(allowed)}, or {{stateless: [openings]}}"
                )
            return {"mode": value}
        if isinstance(value, dict) and "stateless" in value and "mode" not in value:
            return {"mode": "stateless", **value}
        return value

    def label(self) -> str:
        if self.mode == "stateless":
            return (
                "stateless (" + ", ".join(map(str, self.stateless)) + ")"
                if self.stateless
                else "stateless (nothing open)"
            )
        return self.mode


class Router(Strict):
    nat: Nat = Field(Nat.PORT_RESTRICTED_CONE, description="RFC 3489 NAT type, none, or unknown")
    firewall: Firewall = Field(default_factory=Firewall)
    sip_alg: SipAlg = Field(SipAlg.OFF, description="a SIP ALG on this router (004:379-387)")

    @field_validator("sip_alg", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        # YAML 1.1 reads a bare off/on as false/true
        return {False: "off", True: "on"}.get(value, value) if isinstance(value, bool) else value


class Public(Strict):
    """How the Internet reaches the office router: its public address and/or DNS name (004:219)."""

    address: IPv4Address | None = Field(None, description="mapped onto 198.51.100.0/24 in the lab")
    name: str | None = Field(
        None, pattern=HOSTNAME_RE, max_length=253, description="served by a DNS server inside the lab"
    )

    @field_validator("address")
    @classmethod
    def _public(cls, value: IPv4Address | None) -> IPv4Address | None:
        if value is not None and (value.is_private or value.is_loopback or value.is_multicast or value.is_reserved):
            raise ValueError(
                f"{value} is not a public address; give the office router's Internet address, e.g. 62.38.100.120"
            )
        return value


class Forward(Strict):
    """A port forward of the office router: `tcp 8802 -> 8802` (external port -> system port, 004:240-241)."""

    proto: Literal["tcp", "udp"]
    external: int = Field(ge=1, le=65535)
    address: IPv4Address | None = Field(None, description="inside address; default: the system")
    port: int = Field(ge=1, le=65535)

    def __str__(self) -> str:
        to = f"{self.address}:{self.port}" if self.address else str(self.port)
        return f"{self.proto} {self.external} -> {to}"

    @classmethod
    def parse(cls, text: Any) -> Forward:
        m = FORWARD_RE.fullmatch(text.strip()) if isinstance(text, str) else None
        if m is None:
            raise ValueError(
                f"{text!r} is not a port forward; write 'PROTO EXTERNAL -> SYSTEM_PORT', e.g. 'tcp 8802 -> 8802' "
                "or 'tcp 443 -> 8802'"
            )
        ext, port = int(m.group(2)), int(m.group(4))
        for p in (ext, port):
            if not 1 <= p <= 65535:
                raise ValueError(f"{text!r}: ports must be 1-65535, e.g. 'tcp 8802 -> 8802'")
        return cls(proto=m.group(1), external=ext, address=m.group(3), port=port)

    @model_validator(mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return cls.parse(value).model_dump() if isinstance(value, str) else value


class Vpn(Strict):
    subnet: IPv4Network = Field(IPv4Network("10.8.0.0/24"), description="the VPN network the office router serves")


class OfficeRouter(Router):
    address: IPv4Address | None = Field(None, description="its LAN address; default: the first free one of the LAN")
    public: Public = Field(default_factory=Public)
    forwards: list[Forward] = Field(
        default_factory=lambda: [Forward(proto="tcp", external=8802, port=8802)],
        description="external port -> system port; default the documented tcp 8802 -> 8802 (004:240-241)",
    )
    vpn: Vpn = Field(default_factory=Vpn)


class System(Strict):
    mode: Mode = Mode.SMART
    release: Release = Release.V3R2FR1
    lan: IPv4Network = Field(description="the office LAN the system is on, e.g. 192.168.10.0/24")
    address: IPv4Address = Field(description="the system's LAN address, e.g. 192.168.10.30")
    wan_interface: bool = Field(
        False, description="true: the system reaches the Internet on its own WAN interface (004:106 warns against it)"
    )


class Link(Strict):
    """Impairment of the site's access link, both directions (RTT grows by twice the delay)."""

    delay_ms: float = Field(0, ge=0, le=2000)
    jitter_ms: float = Field(0, ge=0, le=500)
    loss_pct: float = Field(0, ge=0, le=50)
    rate_kbit: int | None = Field(None, ge=64, le=1_000_000)

    @model_validator(mode="after")
    def _jitter_needs_delay(self) -> Link:
        if self.jitter_ms > self.delay_ms:
            raise ValueError(
                f"jitter_ms ({self.jitter_ms}) varies the delay around delay_ms ({self.delay_ms}) and cannot exceed it; "
                f"e.g. delay_ms: {max(self.jitter_ms, 30):g}, jitter_ms: {self.jitter_ms:g}"
            )
        return self


class SiteVpn(Strict):
    gives_address: bool = Field(
        True, description="false: the VPN gives the PC no address from the VPN network (004:327, TRB-1)"
    )


class Site(Strict):
    name: str = Field(min_length=1, max_length=60)
    access: Access
    lan: IPv4Network | None = Field(None, description="the site's own LAN; default: a free 192.168.x.0/24")
    router: Router | None = Field(
        None, description="the site's router; default: a port-restricted cone, stateful router (none for office)"
    )
    link: Link = Field(default_factory=Link)
    vpn: SiteVpn = Field(default_factory=SiteVpn)
    clients: list[Client] = Field(default_factory=lambda: [Client.MYPORTAL_VOIP], min_length=1, max_length=4)

    @model_validator(mode="before")
    @classmethod
    def _default_router(cls, value: Any) -> Any:
        if isinstance(value, dict) and "router" not in value and value.get("access") in ("internet", "vpn"):
            return {**value, "router": {}}
        return value


class Customer(Strict):
    customer: str = Field(min_length=1, max_length=120, description="free text, shown in the report")
    system: System
    office_router: OfficeRouter = Field(default_factory=OfficeRouter)
    sites: list[Site] = Field(min_length=1, max_length=12)

    def site(self, name: str) -> Site:
        return next(s for s in self.sites if s.name == name)


# -- cross-field checks --------------------------------------------------------------------------

Loc = tuple[str | int, ...]


def _private(net: IPv4Network) -> bool:
    return any(net.subnet_of(p) for p in PRIVATE)


def cross_checks(c: Customer) -> list[Problem]:
    """What relates the parts: ranges, addresses, forwards, client kinds per access."""
    out: list[Problem] = []
    lans: list[tuple[Loc, IPv4Network]] = [(("system", "lan"), c.system.lan)]
    lans.append((("office_router", "vpn", "subnet"), c.office_router.vpn.subnet))  # default 10.8.0.0/24
    lans += [(("sites", i, "lan"), s.lan) for i, s in enumerate(c.sites) if s.lan is not None]
    for i, (loc, net) in enumerate(lans):
        if any(net.overlaps(d) for d in DOC_RANGES):
            out.append(
                Problem(
                    loc,
                    f"{net} collides with the ranges the lab uses for the public Internet "
                    "(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24); use a private range, e.g. 192.168.10.0/24",
                )
            )
        elif not _private(net):
            out.append(
                Problem(
                    loc,
                    f"{net} is not a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); "
                    "LAN ranges are used as given, e.g. 192.168.10.0/24",
                )
            )
        elif net.prefixlen > 29:
            out.append(Problem(loc, f"{net} is too small for the lab's hosts; use /29 or larger, e.g. 192.168.10.0/24"))
        for other_loc, other in lans[:i]:
            if net.overlaps(other):
                where = ".".join(map(str, other_loc))
                out.append(Problem(loc, f"{net} overlaps {where} ({other}); give each network its own range"))
    sysnet, addr = c.system.lan, c.system.address
    if addr not in sysnet or addr in (sysnet.network_address, sysnet.broadcast_address):
        out.append(
            Problem(
                ("system", "address"),
                f"{addr} is not a host address of system.lan {sysnet}; e.g. {next(sysnet.hosts())}",
            )
        )
    ra = c.office_router.address
    if ra is not None and (ra not in sysnet or ra == addr):
        why = "is the system's address" if ra == addr else f"is not in system.lan {sysnet}"
        out.append(
            Problem(
                ("office_router", "address"), f"{ra} {why}; give the router's LAN address, e.g. {next(sysnet.hosts())}"
            )
        )
    if c.office_router.nat is Nat.NONE:
        out.append(
            Problem(
                ("office_router", "nat"),
                "the office router connects a private LAN to the Internet and must NAT; "
                "use a NAT type or unknown, e.g. nat: port-restricted-cone",
            )
        )
    seen: set[tuple[str, int]] = set()
    for j, fwd in enumerate(c.office_router.forwards):
        floc: Loc = ("office_router", "forwards", j)
        if (fwd.proto, fwd.external) in seen:
            out.append(Problem(floc, f"{fwd.proto} {fwd.external} is forwarded twice; keep one"))
        seen.add((fwd.proto, fwd.external))
        if fwd.address is not None and (fwd.address not in sysnet):
            out.append(
                Problem(
                    loc,
                    f"{fwd.address} is not on the office LAN {sysnet}; forward to the system, e.g. 'tcp 8802 -> 8802'",
                )
            )
    names: dict[str, int] = {}
    for i, s in enumerate(c.sites):
        if s.name in names:
            out.append(
                Problem(
                    ("sites", i, "name"),
                    f"site name {s.name!r} is used twice (sites.{names[s.name]}); give each site its own name",
                )
            )
        names.setdefault(s.name, i)
        if s.access is Access.INTERNET and Client.DESK_PHONE in s.clients:
            out.append(
                Problem(
                    ("sites", i, "clients"),
                    "a desk phone (UDP 5060) over the public Internet is not a set-up the "
                    "documents describe (only TCP 8802 is forwarded, 004:240-241, 004:270-272); "
                    "use access: vpn or office for desk phones, e.g. clients: [myportal_voip]",
                )
            )
        if s.access is not Access.VPN and not s.vpn.gives_address:
            out.append(
                Problem(
                    ("sites", i, "vpn"),
                    f"vpn settings apply to access: vpn only (this site is {s.access.value}); remove vpn",
                )
            )
        if s.access is Access.OFFICE and s.router is None and s.lan is not None:
            out.append(
                Problem(
                    ("sites", i, "lan"),
                    "an office site without its own router is on the system's LAN; remove lan or add a router",
                )
            )
        if s.access is Access.OFFICE and s.link != Link():
            out.append(
                Problem(
                    ("sites", i, "link"),
                    "link describes an access link to the Internet or the VPN; an office site has none: remove link",
                )
            )
        if s.access is Access.OFFICE and s.router is None:
            continue
        if s.router is not None and s.access is not Access.OFFICE and s.router.nat is Nat.NONE and s.lan is not None:
            out.append(
                Problem(
                    ("sites", i, "lan"),
                    "a router without NAT cannot give a private LAN Internet access; set a NAT type or remove lan",
                )
            )
    return out


# -- loading -------------------------------------------------------------------------------------


def _field_names() -> set[str]:
    return yamlcheck.field_names([Customer, System, OfficeRouter, Router, Public, Vpn, Site, Link, SiteVpn, Firewall])


def _with_example(loc: Loc, message: str) -> str:
    suggested = re.search(r"did you mean '(\w+)'", message)
    named = [suggested.group(1)] if suggested else [str(p) for p in reversed(loc) if isinstance(p, str)]
    field = next((n for n in named if n in EXAMPLES), None)
    if field is None or "e.g." in message:
        return message
    scoped = f"{loc[0]}.{field}" if loc else field
    return f"{message}; e.g. {EXAMPLES.get(scoped, EXAMPLES[field])}"


def validate(data: Any, source: str | None = None, node: yaml.Node | None = None) -> Customer:
    if not isinstance(data, dict):
        raise CustomerError(
            source,
            [
                Problem(
                    (),
                    "a customer file is a mapping with customer, system, office_router and sites; "
                    f"e.g. {EXAMPLES['customer']}",
                )
            ],
        )
    try:
        customer = Customer.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = yamlcheck.clean_loc(err["loc"])
            msg = yamlcheck.describe(dict(err), _field_names(), SCHEMA_HINT)
            problems.append(Problem(loc, _with_example(loc, msg), yamlcheck.line_of(node, loc)))
        raise CustomerError(source, problems) from None
    problems = [
        Problem(p.loc, _with_example(p.loc, p.message), yamlcheck.line_of(node, p.loc)) for p in cross_checks(customer)
    ]
    if problems:
        raise CustomerError(source, problems)
    return customer


def parse(text: str, source: str | None = None) -> Customer:
    try:
        data, node = yamlcheck.compose(text)
    except yaml.YAMLError as exc:
        raise CustomerError(source, [yamlcheck.yaml_problem(exc)]) from None
    duplicates = yamlcheck.duplicate_keys(node)
    if duplicates:
        raise CustomerError(source, duplicates)
    return validate(data, source, node)


def load(path: str | Path) -> Customer:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CustomerError(
            str(p),
            [
                Problem(
                    (), "no such file; give the path of a customer YAML file, e.g. examples/customers/all_ready.yaml"
                )
            ],
        ) from None
    except UnicodeDecodeError as exc:
        raise CustomerError(str(p), [Problem((), f"not UTF-8 text ({exc.reason}); save the file as UTF-8")]) from None
    return parse(text, str(p))


def json_schema() -> str:
    return json.dumps(Customer.model_json_schema(), indent=2, sort_keys=True)
