"""A concrete customer network -> the lab topology (simulators/net/model.py) and the system's
configuration, plus what each site's clients need to know (where to log in, where to register).

The picture, for a customer with an Internet site, a VPN site and an office site behind its
own router:

    system, peers ── office_lan ── office_router ── office_wan ── internet ── public_net (stun, dns)
          │                 (NAT, firewall, forwards, ALG, VPN server)  │
          └── s3_router ── s3_lan (office site)        s1_wan ── s1_router ── s1_lan (internet site)
                                                       s2_wan ── s2_router ── s2_lan (VPN site, wg0)

- LANs are the customer's own ranges (site LANs default to a free 192.168.x.0/24).
- Public addresses never are: the office router's public address (whatever the file says) is
  198.51.100.120, the public STUN server 192.0.2.10/.11, the DNS server 192.0.2.53, site i's
  access link 203.0.113.16i/28. `mapping` says so for the report.
- Every NAT forgets idle UDP bindings after BINDING_TIMEOUT_S (the lab's compressed value, so a
  call can be shown to survive it within seconds; the report says so).
- Both sides of every router are captured (pcaps in the run directory).
- Each site has its own counterpart in the office, a desk phone on the system's LAN (`peer`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from typing import Any

import yaml

from simulators.net.builder import TopologyBuilder
from simulators.net.model import Topology
from simulators.uc.config import SystemConfig, validate_config
from simulators.uc.profiles import Mode
from simulators.uc.rules.passwords import check_password
from simulators.uc.service import EXAMPLES

from .expand import OFFICE, Concrete
from .model import Access, Client, Firewall, Nat, Site

BINDING_TIMEOUT_S = 4
OFFICE_PUBLIC = IPv4Address("198.51.100.120")
OFFICE_WAN = IPv4Network("198.51.100.0/24")
WAN_INTERFACE = IPv4Address("198.51.100.30")
"""the address the system's own WAN interface stands for (sip.wan_interface_address, 004:106)"""
PUBLIC_NET = IPv4Network("192.0.2.0/24")
STUN_ADDRESSES = ("192.0.2.10", "192.0.2.11")
DNS_ADDRESS = "192.0.2.53"
SITE_WANS = IPv4Network("203.0.113.0/24")
PEER_BASE = 250
"""stations of the office counterparts: 250, 251, ... (one per site)"""
STATION_BASE = 300
"""myPortal @work clients' stations: 300, 301, ... (a fresh one per measurement)"""
DESK_BASE = 400
"""desk phone clients' stations: 400, 401, ..."""


@dataclass(frozen=True)
class ClientPlan:
    site: str
    kind: Client
    host: str
    index: int

    @property
    def label(self) -> str:
        return f"{self.kind.value} {self.index + 1}"


@dataclass
class SitePlan:
    name: str
    key: str  # s1, s2, ...: the lab's short name of the site
    access: Access
    clients: list[ClientPlan]
    peer_host: str
    peer_station: str
    login: str  # host:port as the user types it in the login screen
    login_name: str | None  # a DNS name in `login`, resolved through the lab's DNS server
    router: str | None
    bind_any: bool  # a VPN client binds to 0.0.0.0 (the tunnel address is picked by routing)


@dataclass
class Built:
    topology: Topology
    config: dict[str, Any]
    sites: dict[str, SitePlan]
    public_names: list[str]
    mapping: list[str] = field(default_factory=list)

    def system_config(self) -> SystemConfig:
        return validate_config(self.config, "uclab check: the customer's system")


def _hosts(net: IPv4Network, taken: set[IPv4Address]) -> Any:
    return (a for a in net.hosts() if a not in taken)


def _site_lans(sites: list[Site], taken: list[IPv4Network]) -> list[IPv4Network | None]:
    pool = (IPv4Network(f"192.168.{n}.0/24") for n in itertools.chain(range(100, 256), range(0, 100)))
    out: list[IPv4Network | None] = []
    used = list(taken) + [s.lan for s in sites if s.lan is not None]
    for s in sites:
        if s.access is Access.OFFICE and s.router is None:
            out.append(None)
        elif s.lan is not None:
            out.append(s.lan)
        else:
            lan = next(n for n in pool if not any(n.overlaps(u) for u in used))
            used.append(lan)
            out.append(lan)
    return out


def _nat(nat: Nat) -> dict[str, Any] | None:
    return None if nat is Nat.NONE else {"preset": nat.value, "udp_timeout_s": BINDING_TIMEOUT_S}


def _firewall(fw: Firewall) -> dict[str, Any] | str:
    if fw.mode == "stateless":
        return {"mode": "stateless", "rules": [{"proto": o.proto, "ports": f"{o.low}-{o.high}"} for o in fw.stateless]}
    return fw.mode


def _iface(
    segment: str, address: IPv4Address | str | list[str], capture: bool = False, impair: dict[str, Any] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"segment": segment, "address": address if isinstance(address, list) else str(address)}
    if capture:
        out["capture"] = True
    if impair:
        out["impair"] = impair
    return out


def _impair(site: Site) -> dict[str, Any] | None:
    link = site.link
    if not (link.delay_ms or link.loss_pct or link.rate_kbit):
        return None
    out: dict[str, Any] = {"delay_ms": link.delay_ms, "jitter_ms": link.jitter_ms, "loss_pct": link.loss_pct}
    if link.rate_kbit:
        out["rate_kbit"] = link.rate_kbit
    return out


def password(mode: Mode, station: str) -> str:
    """A UC password the mode's own rules accept (the stub refuses others at login)."""
    if mode is Mode.SMART:
        return f"Start#{station}m"
    for n in itertools.count(int(station) * 7919):
        candidate = f"{n % 900000 + 100000}"
        if check_password(mode, candidate, station).ok:
            return candidate
    raise AssertionError("unreachable")


def system_config(net: Concrete, stations: list[str], desks: list[str], peers: list[str]) -> dict[str, Any]:
    """The office example configuration of the customer's mode, release and system settings,
    with a user and VoIP device per client station and a desk phone per office counterpart."""
    c = net.customer
    example = "office_suite" if c.system.mode is Mode.SUITE else "office"
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
    data["system"].update(mode=c.system.mode.value, release=c.system.release.value, name=c.customer[:64])
    data.setdefault("sip", {})["wan_interface_address"] = str(WAN_INTERFACE) if c.system.wan_interface else None
    for n in stations:
        data["users"].append(
            {
                "number": n,
                "name": f"Client {n}",
                "password": password(c.system.mode, n),
                "licences": ["ip_user", "uc_user"],
            }
        )
        data["devices"].append(
            {"id": f"client_{n}", "kind": "voip_client", "number": n, "sip_user": n, "sip_password": f"sip{n}secret"}
        )
    for n in desks + peers:
        data["users"].append(
            {
                "number": n,
                "name": f"Office {n}",
                "password": password(c.system.mode, n),
                "licences": ["ip_user", "uc_user"],
            }
        )
        data["devices"].append(
            {"id": f"desk_{n}", "kind": "sip_phone", "number": n, "sip_user": n, "sip_password": f"sip{n}secret"}
        )
    return data


def build(net: Concrete, stations: int) -> Built:
    c = net.customer
    office = c.office_router
    sysnet = c.system.lan
    taken: set[IPv4Address] = {c.system.address}
    router_lan = office.address or next(_hosts(sysnet, taken))
    taken.add(router_lan)
    lans = _site_lans(c.sites, [sysnet, office.vpn.subnet])
    b = TopologyBuilder("check", f"uclab check: {c.customer}", ["004:207-248", "004:268-319"])
    b.segment("office_lan", str(sysnet), "the customer's office LAN with the system")
    b.segment("office_wan", str(OFFICE_WAN), "the office's Internet link (documentation range)")
    b.segment("public_net", str(PUBLIC_NET), "public STUN and DNS servers (documentation range)")
    b.host("system", eth0=_iface("office_lan", c.system.address), gateway=str(router_lan))
    b.host("stun", eth0=_iface("public_net", list(STUN_ADDRESSES)), services=["stun"])
    names = [office.public.name] if office.public.name else []
    if names:
        b.host(
            "dns",
            eth0=_iface("public_net", DNS_ADDRESS),
            services=[{"kind": "dns", "options": {"records": {n: str(OFFICE_PUBLIC) for n in names}}}],
        )
    internet: dict[str, Any] = {
        "office": _iface("office_wan", "198.51.100.1"),
        "public": _iface("public_net", "192.0.2.1"),
    }
    vpn_clients: dict[str, str | None] = {}
    vpn_hosts = (str(a) for a in itertools.islice(office.vpn.subnet.hosts(), 1, None))
    plans: dict[str, SitePlan] = {}
    peers: list[str] = []
    office_free = _hosts(sysnet, taken)
    lan_hosts: dict[str, Any] = {}
    port = next((f.external for f in office.forwards if f.proto == "tcp" and f.port == 8802), 8802)
    public_login = f"{office.public.name or OFFICE_PUBLIC}:{port}"
    for i, (site, lan) in enumerate(zip(c.sites, lans, strict=True)):
        key = f"s{i + 1}"
        peer_host, peer_station = f"{key}_peer", str(PEER_BASE + i)
        peers.append(peer_station)
        lan_hosts[peer_host] = next(office_free)
        clients = [ClientPlan(site.name, kind, f"{key}_c{j + 1}", j) for j, kind in enumerate(site.clients)]
        router_name = f"{key}_router" if site.router is not None else None
        if site.access is Access.OFFICE and site.router is None:
            for cp in clients:
                lan_hosts[cp.host] = next(office_free)
        elif site.router is not None and lan is not None:
            assert router_name is not None
            seg_lan = f"{key}_lan"
            b.segment(seg_lan, str(lan), f"{site.name}: the site's LAN")
            first = next(lan.hosts())
            if site.access is Access.OFFICE:
                outside = _iface("office_lan", next(office_free), capture=True)
            else:
                wan = list(SITE_WANS.subnets(new_prefix=28))[i]
                seg_wan = f"{key}_wan"
                b.segment(seg_wan, str(wan), f"{site.name}: the site's Internet link (documentation range)")
                hosts = list(wan.hosts())
                internet[key] = _iface(seg_wan, hosts[0])
                outside = _iface(seg_wan, hosts[1], capture=True, impair=_impair(site))
            b.router(
                router_name,
                nat=_nat(site.router.nat),
                firewall=_firewall(site.router.firewall),
                sip_alg=net.alg(site.name),
                lan=_iface(seg_lan, first, capture=True),
                wan=outside,
            )
            free = _hosts(lan, {first})
            for cp in clients:
                b.host(cp.host, eth0=_iface(seg_lan, next(free)))
                if site.access is Access.VPN:
                    vpn_clients[cp.host] = next(vpn_hosts) if site.vpn.gives_address else None
        else:  # an Internet site without a router: the PCs are on the Internet themselves
            wan = list(SITE_WANS.subnets(new_prefix=28))[i]
            seg_wan = f"{key}_wan"
            b.segment(seg_wan, str(wan), f"{site.name}: PCs directly on the Internet (documentation range)")
            hosts = list(wan.hosts())
            internet[key] = _iface(seg_wan, hosts[0], capture=True)
            for j, cp in enumerate(clients):
                b.host(cp.host, eth0=_iface(seg_wan, hosts[2 + j], impair=_impair(site)))
                if site.access is Access.VPN:
                    vpn_clients[cp.host] = next(vpn_hosts) if site.vpn.gives_address else None
        login = f"{c.system.address}:8802" if site.access is not Access.INTERNET else public_login
        plans[site.name] = SitePlan(
            name=site.name,
            key=key,
            access=site.access,
            clients=clients,
            peer_host=peer_host,
            peer_station=peer_station,
            login=login,
            login_name=office.public.name if site.access is Access.INTERNET else None,
            router=router_name,
            bind_any=site.access is Access.VPN,
        )
    for host, address in lan_hosts.items():
        b.host(host, eth0=_iface("office_lan", address), gateway=str(router_lan))
    forwards = [
        {"proto": f.proto, "port": f.external, "to": f"{f.address or c.system.address}:{f.port}"}
        for f in office.forwards
    ]
    b.router(
        "office_router",
        nat=_nat(office.nat),
        firewall=_firewall(office.firewall),
        port_forwards=forwards,
        sip_alg=net.alg(OFFICE),
        lan=_iface("office_lan", router_lan, capture=True),
        wan=_iface("office_wan", OFFICE_PUBLIC, capture=True),
    )
    b.router("internet", **internet)
    if vpn_clients:
        b.vpn("office_vpn", server="office_router", subnet=str(office.vpn.subnet), clients=vpn_clients)
    mapping = _mapping(net, names)
    config = system_config(net, *station_pools(stations), peers)
    return Built(b.build(), config, plans, names, mapping)


def station_pools(n: int) -> tuple[list[str], list[str]]:
    """n myPortal @work stations and n desk phone stations."""
    return [str(STATION_BASE + i) for i in range(n)], [str(DESK_BASE + i) for i in range(n)]


def _mapping(net: Concrete, names: list[str]) -> list[str]:
    office = net.customer.office_router
    given = (
        f"the office router's public address {office.public.address}"
        if office.public.address
        else "the office router's public address"
    )
    out = [
        f"{given} is {OFFICE_PUBLIC} in the lab; every public address comes from the documentation ranges "
        "192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 (the lab never uses a real public address)",
        f"public STUN server {STUN_ADDRESSES[0]}:3478 (and {STUN_ADDRESSES[1]} for NAT type detection)",
        f"NAT binding timeouts are {BINDING_TIMEOUT_S} s in the lab (real routers: minutes), so a call is shown to survive one",
    ]
    if names:
        out.append(
            f"{', '.join(names)} resolves to {OFFICE_PUBLIC} through the lab's DNS server {DNS_ADDRESS} (dnsmasq)"
        )
    if net.customer.system.wan_interface:
        out.append(f"the system's WAN interface address is {WAN_INTERFACE} in the lab (004:106)")
    return out


def router_of(where: str) -> str:
    """The lab name of the router a remedy or finding names (OFFICE or a site's plan key)."""
    return "office_router" if where == OFFICE else f"{where}_router"
