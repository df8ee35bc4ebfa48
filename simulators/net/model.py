"""The topology model: what a lab network is made of, validated.

A topology names L2 segments (each one subnet), hosts and routers attached to them, VPNs
between a server and clients, and the services that run on hosts. Routers carry the
behaviour the documents care about, in RFC 4787 terms (mapping, filtering, port
allocation, hairpinning, binding timeout), plus a firewall, port forwards and a SIP ALG.

Structural rules (types, allowed values) are enforced by pydantic; rules that relate
parts to each other (a link to a missing segment, overlapping subnets, a forward to an
address off the LAN) by `simulators.net.checks`. Both report through `TopologyError`.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME_RE = r"^[a-z][a-z0-9_]{0,23}$"
IFNAME_RE = r"^[a-z][a-z0-9_]{0,11}$"
Name = Annotated[str, Field(pattern=NAME_RE, description="lower-case name: letters, digits, _; max 24")]
IfName = Annotated[str, Field(pattern=IFNAME_RE, description="interface name inside its host; max 12")]
TopologyName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$", description="lower-case name; max 48")]


class Strict(BaseModel):
    """Base for every model: unknown fields are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Behaviour(StrEnum):
    """RFC 4787 mapping / filtering behaviour."""

    ENDPOINT_INDEPENDENT = "endpoint-independent"
    ADDRESS_DEPENDENT = "address-dependent"
    ADDRESS_AND_PORT_DEPENDENT = "address-and-port-dependent"


class PortAllocation(StrEnum):
    PRESERVE = "preserve"
    RANDOM = "random"


class NatPreset(StrEnum):
    """The names the documents and the client's "Check NAT type" use."""

    FULL_CONE = "full-cone"
    RESTRICTED_CONE = "restricted-cone"
    PORT_RESTRICTED_CONE = "port-restricted-cone"
    SYMMETRIC = "symmetric"


PRESETS: dict[NatPreset, tuple[Behaviour, Behaviour, PortAllocation]] = {
    NatPreset.FULL_CONE: (Behaviour.ENDPOINT_INDEPENDENT, Behaviour.ENDPOINT_INDEPENDENT, PortAllocation.PRESERVE),
    NatPreset.RESTRICTED_CONE: (Behaviour.ENDPOINT_INDEPENDENT, Behaviour.ADDRESS_DEPENDENT, PortAllocation.PRESERVE),
    NatPreset.PORT_RESTRICTED_CONE: (
        Behaviour.ENDPOINT_INDEPENDENT,
        Behaviour.ADDRESS_AND_PORT_DEPENDENT,
        PortAllocation.PRESERVE,
    ),
    NatPreset.SYMMETRIC: (
        Behaviour.ADDRESS_AND_PORT_DEPENDENT,
        Behaviour.ADDRESS_AND_PORT_DEPENDENT,
        PortAllocation.RANDOM,
    ),
}


class Impairment(Strict):
    """tc netem on a link, applied in both directions (so RTT grows by 2 x delay)."""

    delay_ms: float = Field(0, ge=0, le=10_000, description="one-way delay added in each direction")
    jitter_ms: float = Field(0, ge=0, le=10_000)
    loss_pct: float = Field(0, ge=0, le=100, description="packet loss per direction, percent")
    rate_kbit: int | None = Field(None, gt=0, description="bandwidth limit per direction")

    @model_validator(mode="after")
    def _jitter_needs_delay(self) -> Impairment:
        if self.jitter_ms and not self.delay_ms:
            raise ValueError("jitter_ms needs delay_ms > 0 (netem varies the delay); set delay_ms")
        return self


class Interface(Strict):
    """One interface of a host or router, attached to a segment."""

    segment: Name
    address: list[IPv4Address] = Field(description="one or more addresses; the first is primary")
    capture: bool = Field(False, description="record a pcap of this interface for the whole run")
    impair: Impairment | None = None

    @field_validator("address", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return value if isinstance(value, list) else [value]

    @field_validator("address")
    @classmethod
    def _not_empty(cls, value: list[IPv4Address]) -> list[IPv4Address]:
        if not value:
            raise ValueError("give at least one address")
        return value

    @property
    def primary(self) -> IPv4Address:
        return self.address[0]


class Service(Strict):
    """Something the lab starts on a host (e.g. `stun` = coturn on all its addresses)."""

    kind: Name
    options: dict[str, Any] = Field(default_factory=dict)


class Location(Strict):
    """Where a roaming host can be moved to (`lab.roam(host, name)`)."""

    interface: IfName = "eth0"
    segment: Name
    address: IPv4Address
    gateway: IPv4Address | None = None
    vpn: bool = Field(False, description="bring the host's VPN tunnels up at this location")


class Host(Strict):
    interfaces: dict[IfName, Interface]
    gateway: IPv4Address | None = Field(None, description="default gateway; inferred when one router is on the segment")
    services: list[Service] = Field(default_factory=list)
    roaming: dict[Name, Location] = Field(default_factory=dict)

    @field_validator("services", mode="before")
    @classmethod
    def _service_shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"kind": v} if isinstance(v, str) else v for v in value]
        return value


class Nat(Strict):
    """Source NAT on the router's `outside` interface, in RFC 4787 terms."""

    preset: NatPreset | None = None
    mapping: Behaviour | None = None
    filtering: Behaviour | None = None
    port_allocation: PortAllocation | None = None
    hairpinning: bool = False
    udp_timeout_s: int = Field(120, ge=1, le=86_400, description="UDP binding timeout")
    outside: IfName = "wan"

    @model_validator(mode="before")
    @classmethod
    def _preset_shorthand(cls, value: Any) -> Any:
        return {"preset": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _resolve(self) -> Nat:
        if self.preset is not None:
            mapping, filtering, allocation = PRESETS[self.preset]
            self.mapping = self.mapping or mapping
            self.filtering = self.filtering or filtering
            self.port_allocation = self.port_allocation or allocation
        missing = [f for f in ("mapping", "filtering") if getattr(self, f) is None]
        if missing:
            raise ValueError(
                f"NAT needs a preset or explicit {' and '.join(missing)}; "
                f"presets: {', '.join(p.value for p in NatPreset)}"
            )
        if self.port_allocation is None:
            self.port_allocation = (
                PortAllocation.PRESERVE if self.mapping is Behaviour.ENDPOINT_INDEPENDENT else PortAllocation.RANDOM
            )
        if self.mapping is not Behaviour.ENDPOINT_INDEPENDENT and self.port_allocation is PortAllocation.PRESERVE:
            raise ValueError(
                f"impossible NAT: mapping {self.mapping} (one external port per destination) cannot "
                "preserve the internal port, a preserved port is the same for every destination; "
                "use port_allocation: random, or mapping: endpoint-independent"
            )
        return self

    @property
    def behaviour(self) -> tuple[Behaviour, Behaviour, PortAllocation]:
        assert self.mapping and self.filtering and self.port_allocation
        return self.mapping, self.filtering, self.port_allocation

    @property
    def is_preset(self) -> NatPreset | None:
        for preset, behaviour in PRESETS.items():
            if behaviour == self.behaviour:
                return preset
        return None


PortRange = Annotated[str, Field(pattern=r"^\d{1,5}(-\d{1,5})?$")]


class PortRule(Strict):
    """A static hole in a stateless firewall: packets with this source OR destination port pass."""

    proto: Literal["udp", "tcp"]
    ports: PortRange
    direction: Literal["both", "inbound", "outbound"] = "both"
    note: str = ""

    @field_validator("ports", mode="before")
    @classmethod
    def _int_port(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("ports")
    @classmethod
    def _valid_range(cls, value: str) -> str:
        lo, _, hi = value.partition("-")
        first, last = int(lo), int(hi or lo)
        if not 1 <= first <= last <= 65535:
            raise ValueError(f"port range {value!r} must be 1-65535 with low <= high")
        return value

    @property
    def bounds(self) -> tuple[int, int]:
        lo, _, hi = self.ports.partition("-")
        return int(lo), int(hi or lo)


class FirewallMode(StrEnum):
    NONE = "none"
    STATEFUL = "stateful"
    STATELESS = "stateless"
    STRICT = "strict"


class Firewall(Strict):
    """Filtering between the router's outside interface and the rest.

    stateful: outbound flows and their replies pass, unsolicited inbound is dropped (004:286).
    stateless: only packets matching `rules` (by port, no connection state) pass (004:294).
    strict: stateful, and every UDP packet is dropped (no UDP payload, no STUN; NAT-2).
    """

    mode: FirewallMode = FirewallMode.STATEFUL
    rules: list[PortRule] = Field(default_factory=list)
    outside: IfName | None = Field(None, description="defaults to the NAT's outside interface, else 'wan'")

    @model_validator(mode="before")
    @classmethod
    def _mode_shorthand(cls, value: Any) -> Any:
        return {"mode": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _rules_only_when_stateless(self) -> Firewall:
        if self.rules and self.mode is not FirewallMode.STATELESS:
            raise ValueError(f"rules apply to a stateless firewall only; mode is {self.mode.value}")
        return self


class PortForward(Strict):
    """DNAT on the outside interface: `proto port` of the router -> `to` (address:port)."""

    proto: Literal["tcp", "udp"] = "tcp"
    port: int = Field(ge=1, le=65535)
    to: str = Field(description="inside address:port, e.g. 192.168.1.30:8802")

    @field_validator("to")
    @classmethod
    def _address_port(cls, value: str) -> str:
        m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+)(?::(\d{1,5}))?", value)
        if not m:
            raise ValueError(f"{value!r} is not address[:port], e.g. 192.168.1.30:8802")
        ipaddress.IPv4Address(m.group(1))
        if m.group(2) and not 1 <= int(m.group(2)) <= 65535:
            raise ValueError(f"port in {value!r} must be 1-65535")
        return value

    @property
    def target(self) -> tuple[IPv4Address, int]:
        host, _, port = self.to.partition(":")
        return IPv4Address(host), int(port) if port else self.port


class SipAlg(Strict):
    """none | kernel (nf_conntrack_sip on UDP/TCP 5060) | faulty (NFQUEUE middlebox)."""

    mode: Literal["none", "kernel", "faulty"] = "none"
    behaviour: str | None = Field(None, description="named faulty behaviour (mode faulty)")
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith("faulty:"):
                return {"mode": "faulty", "behaviour": value.split(":", 1)[1]}
            return {"mode": value}
        return value

    @model_validator(mode="after")
    def _behaviour_iff_faulty(self) -> SipAlg:
        if self.mode == "faulty" and not self.behaviour:
            raise ValueError("a faulty SIP ALG needs a behaviour, e.g. sip_alg: faulty:passthrough")
        if self.mode != "faulty" and self.behaviour:
            raise ValueError(f"behaviour is only for mode faulty (mode is {self.mode})")
        return self


class Router(Strict):
    interfaces: dict[IfName, Interface]
    nat: Nat | None = None
    firewall: Firewall | None = Field(None, description="defaults to stateful when the router NATs, else none")
    port_forwards: list[PortForward] = Field(default_factory=list)
    sip_alg: SipAlg = Field(default_factory=SipAlg)
    services: list[Service] = Field(default_factory=list)

    @field_validator("services", mode="before")
    @classmethod
    def _service_shorthand(cls, value: Any) -> Any:
        return Host._service_shorthand(value)

    @property
    def effective_firewall(self) -> Firewall:
        if self.firewall is not None:
            return self.firewall
        return Firewall(mode=FirewallMode.STATEFUL if self.nat else FirewallMode.NONE, outside=None)

    @property
    def outside(self) -> str:
        if self.nat:
            return self.nat.outside
        fw = self.firewall
        return fw.outside if fw and fw.outside else "wan"


class VpnClient(Strict):
    address: IPv4Address | None = Field(
        description="address from the VPN network; null reproduces a VPN that gives none (TRB-1)"
    )


class Vpn(Strict):
    """A WireGuard (wireguard-go) VPN: server on a router or host, clients get VPN addresses."""

    server: Name
    subnet: IPv4Network
    endpoint: IPv4Address | None = Field(None, description="server's reachable address; default: its outside address")
    port: int = Field(51820, ge=1, le=65535)
    clients: dict[Name, VpnClient]
    routes: list[IPv4Network] | None = Field(
        None, description="networks the clients reach through the tunnel; default: the server's LAN segments"
    )

    @property
    def server_address(self) -> IPv4Address:
        return next(iter(self.subnet.hosts()))  # a /31 or /32 gives a list, not an iterator


class Segment(Strict):
    """One L2 segment (a bridge) carrying one IPv4 subnet."""

    subnet: IPv4Network
    description: str = ""

    @field_validator("subnet", mode="before")
    @classmethod
    def _strict_subnet(cls, value: Any) -> Any:
        if isinstance(value, str) and "/" in value:
            net = IPv4Interface(value)
            if net.network.network_address != net.ip:
                raise ValueError(f"{value} has host bits set; did you mean {net.network}?")
        return value


class Topology(Strict):
    name: TopologyName
    description: str = ""
    refs: list[str] = Field(default_factory=list, description="document references, e.g. 004:96")
    segments: dict[Name, Segment]
    hosts: dict[Name, Host] = Field(default_factory=dict)
    routers: dict[Name, Router] = Field(default_factory=dict)
    vpns: dict[Name, Vpn] = Field(default_factory=dict)

    def node(self, name: str) -> Host | Router:
        if name in self.hosts:
            return self.hosts[name]
        return self.routers[name]

    @property
    def nodes(self) -> dict[str, Host | Router]:
        return {**self.hosts, **self.routers}

    def interfaces_on(self, segment: str) -> list[tuple[str, str, Interface]]:
        return [
            (node, ifname, iface)
            for node, spec in self.nodes.items()
            for ifname, iface in spec.interfaces.items()
            if iface.segment == segment
        ]

    def address_of(self, node: str) -> IPv4Address:
        """The node's primary address (its first interface's first address)."""
        spec = self.node(node)
        return next(iter(spec.interfaces.values())).primary
