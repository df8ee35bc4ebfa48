"""Rules that relate parts of a topology to each other.

Pydantic checks each part on its own; these checks look across parts: links to missing
segments, addresses outside their subnet or used twice, overlapping subnets, gateways that
are not routers, port forwards to addresses off the LAN, VPN clients that are not hosts,
and public addresses outside the documentation ranges (network safety: the lab never uses
an address that could belong to someone real).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from ipaddress import IPv4Address, IPv4Network

from .errors import Problem
from .model import FirewallMode, Topology

DOC_RANGES = [IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
PRIVATE_RANGES = [IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]
ALLOWED_RANGES = DOC_RANGES + PRIVATE_RANGES

Loc = tuple[str | int, ...]


def _allowed(net: IPv4Network) -> bool:
    return any(net.subnet_of(r) for r in ALLOWED_RANGES)


def check(topo: Topology, known_alg_behaviours: Callable[[], list[str]] | None = None) -> list[Problem]:
    """Every cross-reference problem of `topo`, in file order."""
    return list(_problems(topo, known_alg_behaviours))


def _problems(topo: Topology, known_alg_behaviours: Callable[[], list[str]] | None) -> Iterator[Problem]:
    for name in set(topo.hosts) & set(topo.routers):
        yield Problem(("routers", name), f"{name!r} is both a host and a router; give them different names")
    if not topo.nodes:
        yield Problem(("hosts",), "the topology has no hosts or routers; add at least one")
    seen: dict[IPv4Address, Loc] = {}  # every address, where it was first used
    yield from _segment_problems(topo)
    yield from _interface_problems(topo, seen)
    yield from _host_problems(topo, seen)
    for router in topo.routers:
        yield from _router_problems(topo, router, seen, known_alg_behaviours)
    for vpn in topo.vpns:
        yield from _vpn_problems(topo, vpn)


def _segment_names(topo: Topology) -> str:
    return ", ".join(topo.segments) or "(none defined)"


# -- segments: allowed ranges, no overlap ---------------------------------------------------


def _segment_problems(topo: Topology) -> Iterator[Problem]:
    nets = list(topo.segments.items())
    for i, (name, seg) in enumerate(nets):
        if not _allowed(seg.subnet):
            yield Problem(
                ("segments", name, "subnet"),
                f"{seg.subnet} is neither private nor a documentation range; public segments must use "
                "192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24 (the lab never uses real addresses)",
            )
        for other, oseg in nets[:i]:
            if seg.subnet.overlaps(oseg.subnet):
                yield Problem(
                    ("segments", name, "subnet"),
                    f"{seg.subnet} overlaps segment {other!r} ({oseg.subnet}); give each segment its own subnet",
                )
        members = topo.interfaces_on(name)
        if not members:
            yield Problem(("segments", name), "no host or router is attached; attach one or remove the segment")


# -- interfaces and addresses ---------------------------------------------------------------


def _interface_problems(topo: Topology, seen: dict[IPv4Address, Loc]) -> Iterator[Problem]:
    for kind, nodes in (("hosts", topo.hosts), ("routers", topo.routers)):
        for node, spec in nodes.items():
            if not spec.interfaces:
                yield Problem((kind, node, "interfaces"), "needs at least one interface")
            for ifname, iface in spec.interfaces.items():
                loc: Loc = (kind, node, "interfaces", ifname)
                if ifname == "lo":
                    yield Problem(loc, "'lo' is reserved for the loopback interface; pick another name")
                iseg = topo.segments.get(iface.segment)
                if iseg is None:
                    yield Problem(
                        (*loc, "segment"),
                        f"segment {iface.segment!r} does not exist; defined segments: {_segment_names(topo)}",
                    )
                    continue
                for i, addr in enumerate(iface.address):
                    yield from _address_problems((*loc, "address", i), addr, iseg.subnet, iface.segment, seen)


# -- host gateways and roaming locations ----------------------------------------------------


def _host_problems(topo: Topology, seen: dict[IPv4Address, Loc]) -> Iterator[Problem]:
    for host, hspec in topo.hosts.items():
        yield from _gateway_problems(topo, host, hspec.gateway, [i.segment for i in hspec.interfaces.values()])
        for place, where in hspec.roaming.items():
            loc = ("hosts", host, "roaming", place)
            if where.interface not in hspec.interfaces:
                yield Problem((*loc, "interface"), f"host has no interface {where.interface!r}")
            rseg = topo.segments.get(where.segment)
            if rseg is None:
                yield Problem(
                    (*loc, "segment"), f"segment {where.segment!r} does not exist; defined: {_segment_names(topo)}"
                )
                continue
            yield from _address_problems((*loc, "address"), where.address, rseg.subnet, where.segment, seen)
            yield from _gateway_problems(topo, host, where.gateway, [where.segment], loc)


# -- routers: NAT and firewall sides, port forwards, SIP ALG --------------------------------


def _router_problems(
    topo: Topology,
    router: str,
    seen: dict[IPv4Address, Loc],
    known_alg_behaviours: Callable[[], list[str]] | None,
) -> Iterator[Problem]:
    rspec = topo.routers[router]
    loc = ("routers", router)
    if rspec.nat and rspec.nat.outside not in rspec.interfaces:
        yield Problem(
            (*loc, "nat", "outside"),
            f"router has no interface {rspec.nat.outside!r}; name the outside interface "
            f"(one of: {', '.join(rspec.interfaces)})",
        )
    if rspec.nat and len(rspec.interfaces) < 2:
        yield Problem((*loc, "nat"), "a NAT needs an inside and an outside interface; add one")
    fw = rspec.effective_firewall
    if fw.mode is not FirewallMode.NONE and rspec.outside not in rspec.interfaces:
        yield Problem(
            (*loc, "firewall", "outside"),
            f"router has no interface {rspec.outside!r} to filter; set firewall.outside "
            f"to one of: {', '.join(rspec.interfaces)}",
        )
    if rspec.port_forwards and not rspec.nat:
        yield Problem((*loc, "port_forwards"), "port forwards need a NAT on the router; add nat: <preset>")
    yield from _forward_problems(topo, router, seen)
    alg = rspec.sip_alg
    if alg.mode == "faulty" and known_alg_behaviours is not None:
        known = known_alg_behaviours()
        if alg.behaviour not in known:
            yield Problem(
                (*loc, "sip_alg", "behaviour"),
                f"unknown faulty SIP ALG behaviour {alg.behaviour!r}; known: {', '.join(known)}",
            )


def _forward_problems(topo: Topology, router: str, seen: dict[IPv4Address, Loc]) -> Iterator[Problem]:
    """Each port forwarded once, to the address of a host on the router's inside."""
    rspec = topo.routers[router]
    inside_nets = [
        topo.segments[i.segment].subnet
        for n, i in rspec.interfaces.items()
        if n != rspec.outside and i.segment in topo.segments
    ]
    seen_fwd: set[tuple[str, int]] = set()
    for j, fwd in enumerate(rspec.port_forwards):
        floc = ("routers", router, "port_forwards", j)
        key = (fwd.proto, fwd.port)
        if key in seen_fwd:
            yield Problem(floc, f"{fwd.proto} port {fwd.port} is forwarded twice; keep one")
        seen_fwd.add(key)
        addr, _ = fwd.target
        if not any(addr in net for net in inside_nets):
            lans = ", ".join(str(n) for n in inside_nets) or "(none)"
            yield Problem(
                (*floc, "to"),
                f"{addr} is not on the router's LAN side ({lans}); forward to an inside address",
            )
        elif addr not in seen:
            yield Problem((*floc, "to"), f"no host has address {addr}; forward to a host's address")


# -- VPNs -----------------------------------------------------------------------------------


def _vpn_problems(topo: Topology, vname: str) -> Iterator[Problem]:
    vpn = topo.vpns[vname]
    loc = ("vpns", vname)
    if vpn.server not in topo.nodes:
        yield Problem((*loc, "server"), f"no host or router named {vpn.server!r}")
    if not _allowed(vpn.subnet) or vpn.subnet.prefixlen > 30:
        yield Problem((*loc, "subnet"), f"{vpn.subnet} must be a private subnet of /30 or larger")
    for seg_name, seg in topo.segments.items():
        if vpn.subnet.overlaps(seg.subnet):
            yield Problem((*loc, "subnet"), f"{vpn.subnet} overlaps segment {seg_name!r} ({seg.subnet})")
    if vpn.endpoint is not None and vpn.server in topo.nodes:
        server_addrs = [a for i in topo.node(vpn.server).interfaces.values() for a in i.address]
        if vpn.endpoint not in server_addrs:
            yield Problem((*loc, "endpoint"), f"{vpn.endpoint} is not an address of {vpn.server!r}")
    yield from _vpn_client_problems(topo, vname)
    if not vpn.clients:
        yield Problem((*loc, "clients"), "a VPN needs at least one client")


def _vpn_client_problems(topo: Topology, vname: str) -> Iterator[Problem]:
    """Clients are hosts with distinct host addresses of the VPN subnet (or none, TRB-1)."""
    vpn = topo.vpns[vname]
    vpn_seen: set[IPv4Address] = {vpn.server_address}
    for client, cspec in vpn.clients.items():
        cloc = ("vpns", vname, "clients", client)
        if client not in topo.hosts:
            yield Problem(cloc, f"VPN clients must be hosts; {client!r} is not a host")
        if cspec.address is None:
            continue
        if cspec.address not in vpn.subnet or cspec.address in (
            vpn.subnet.network_address,
            vpn.subnet.broadcast_address,
        ):
            yield Problem((*cloc, "address"), f"{cspec.address} is not a host address of {vpn.subnet}")
        elif cspec.address in vpn_seen:
            yield Problem(
                (*cloc, "address"),
                f"{cspec.address} is taken (the server uses {vpn.server_address}); pick another",
            )
        vpn_seen.add(cspec.address)


# -- shared -----------------------------------------------------------------------------------


def _address_problems(
    loc: Loc, addr: IPv4Address, subnet: IPv4Network, seg: str, seen: dict[IPv4Address, Loc]
) -> Iterator[Problem]:
    if addr not in subnet:
        yield Problem(loc, f"{addr} is not in segment {seg!r} ({subnet}); use an address from {subnet}")
    elif subnet.prefixlen < 31 and addr in (subnet.network_address, subnet.broadcast_address):
        yield Problem(loc, f"{addr} is the network or broadcast address of {subnet}; use a host address")
    if addr in seen:
        other = ".".join(str(p) for p in seen[addr])
        yield Problem(loc, f"{addr} is already used by {other}; addresses must be unique")
    else:
        seen[addr] = loc


def _gateway_problems(
    topo: Topology, host: str, gateway: IPv4Address | None, segments: list[str], loc: Loc | None = None
) -> Iterator[Problem]:
    loc = loc or ("hosts", host)
    candidates = {
        a: (router, i.segment)
        for router, spec in topo.routers.items()
        for i in spec.interfaces.values()
        if i.segment in segments
        for a in i.address[:1]
    }
    if gateway is None:
        if len(candidates) > 1:
            listing = ", ".join(f"{a} ({r})" for a, (r, _) in candidates.items())
            yield Problem((*loc, "gateway"), f"several routers on the host's segments ({listing}); set gateway to one")
        return
    if gateway not in candidates:
        on_seg = ", ".join(str(a) for a in candidates) or "none"
        yield Problem(
            (*loc, "gateway"),
            f"{gateway} is not a router address on the host's segments (router addresses there: {on_seg})",
        )
