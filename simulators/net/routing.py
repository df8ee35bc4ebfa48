"""Routes for every node, and which addresses each node is expected to reach.

Hosts get a default route to their gateway (plus VPN routes through their tunnel). Routers
get one route per subnet they can reach, found by a breadth-first walk over segments in
which a NAT router never forwards from its outside segment into its inside ones: private
networks behind a NAT stay invisible from the Internet, as on the real one. No route is a
default route on a router, so nothing can leave the lab.

`expect_reachable` walks a ping hop by hop through those routes, the firewalls and the
NATs, so the lab can verify the network it built before anyone trusts it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from .model import FirewallMode, Host, Router, Topology


@dataclass(frozen=True)
class Route:
    dst: IPv4Network
    via: IPv4Address | None
    dev: str
    src: IPv4Address | None = None

    def __str__(self) -> str:
        parts = [str(self.dst)]
        if self.via:
            parts.append(f"via {self.via}")
        parts.append(f"dev {self.dev}")
        if self.src:
            parts.append(f"src {self.src}")
        return " ".join(parts)


@dataclass(frozen=True)
class Attachment:
    """A node's presence on a segment (or VPN tunnel): its interface and addresses."""

    node: str
    ifname: str
    addresses: tuple[IPv4Address, ...]


@dataclass(frozen=True)
class Link:
    """A segment or a VPN tunnel, as seen by routing."""

    name: str
    subnet: IPv4Network
    members: tuple[Attachment, ...]
    tunnel: bool = False
    client_accepts: tuple[IPv4Network, ...] = ()  # tunnel: sources a client accepts from the server


def vpn_ifname(topo: Topology, vpn: str) -> str:
    return f"wg{list(topo.vpns).index(vpn)}"


def vpn_routes(topo: Topology, vpn: str) -> list[IPv4Network]:
    """Networks a VPN's clients reach through the tunnel (default: the server's LANs)."""
    spec = topo.vpns[vpn]
    if spec.routes is not None:
        return list(spec.routes)
    server = topo.node(spec.server)
    outside = server.outside if isinstance(server, Router) else None
    return [topo.segments[i.segment].subnet for n, i in server.interfaces.items() if n != outside]


def vpn_endpoint(topo: Topology, vpn: str) -> IPv4Address:
    spec = topo.vpns[vpn]
    if spec.endpoint is not None:
        return spec.endpoint
    server = topo.node(spec.server)
    if isinstance(server, Router) and server.outside in server.interfaces:
        return server.interfaces[server.outside].primary
    return next(iter(server.interfaces.values())).primary


class Routing:
    """Routing facts of one topology (a roaming host's current place included)."""

    def __init__(self, topo: Topology, placement: dict[str, str] | None = None):
        self.topo = topo
        self.placement = placement or {}
        self.links: dict[str, Link] = {}
        for seg, spec in topo.segments.items():
            members = []
            for node, nspec in topo.nodes.items():
                for ifname, iface in self._interfaces(node, nspec).items():
                    if iface[0] == seg:
                        members.append(Attachment(node, ifname, iface[1]))
            self.links[seg] = Link(seg, spec.subnet, tuple(members))
        for vname, vpn in topo.vpns.items():
            dev = vpn_ifname(topo, vname)
            members = [Attachment(vpn.server, dev, (vpn.server_address,))]
            members += [Attachment(c, dev, (cs.address,)) for c, cs in vpn.clients.items() if cs.address is not None]
            accepts = (vpn.subnet, *vpn_routes(topo, vname))
            self.links[f"vpn:{vname}"] = Link(f"vpn:{vname}", vpn.subnet, tuple(members), True, accepts)
        self.forwarders = set(topo.routers) | {v.server for v in topo.vpns.values()}

    # -- placement (roaming) -------------------------------------------------------------

    def _interfaces(self, node: str, spec: Host | Router) -> dict[str, tuple[str, tuple[IPv4Address, ...]]]:
        result = {n: (i.segment, tuple(i.address)) for n, i in spec.interfaces.items()}
        place = self.placement.get(node)
        if place and isinstance(spec, Host):
            loc = spec.roaming[place]
            result[loc.interface] = (loc.segment, (loc.address,))
        return result

    def interface_of(self, node: str, ifname: str) -> tuple[str, tuple[IPv4Address, ...]]:
        """(segment, addresses) of a node's interface at its current place."""
        return self._interfaces(node, self.topo.node(node))[ifname]

    def gateway(self, host: str) -> IPv4Address | None:
        spec = self.topo.hosts[host]
        place = self.placement.get(host)
        if place:
            loc = spec.roaming[place]
            if loc.gateway:
                return loc.gateway
            segments = [loc.segment]
        else:
            if spec.gateway:
                return spec.gateway
            segments = [i.segment for i in spec.interfaces.values()]
        routers = [m.addresses[0] for s in segments for m in self.links[s].members if m.node in self.topo.routers]
        return routers[0] if len(routers) == 1 else None

    def vpn_active(self, host: str) -> bool:
        place = self.placement.get(host)
        return place is None or self.topo.hosts[host].roaming[place].vpn

    # -- routes ---------------------------------------------------------------------------

    def attachments(self, node: str) -> list[tuple[Link, Attachment]]:
        out = []
        for link in self.links.values():
            for m in link.members:
                if m.node == node and (not link.tunnel or node not in self.topo.hosts or self.vpn_active(node)):
                    out.append((link, m))
        return out

    def _may_forward(self, node: str, from_link: Link, to_link: Link) -> bool:
        if node not in self.forwarders:
            return False
        spec = self.topo.routers.get(node)
        if spec is None or spec.nat is None:
            return True
        outside_seg = spec.interfaces[spec.nat.outside].segment if spec.nat.outside in spec.interfaces else None
        return not (from_link.name == outside_seg and to_link.name != outside_seg)

    def routes(self, node: str) -> list[Route]:
        if node in self.topo.hosts:
            return self._host_routes(node)
        return self._router_routes(node)

    def _host_routes(self, host: str) -> list[Route]:
        routes = []
        gw = self.gateway(host)
        if gw is not None:
            dev = next(m.ifname for link, m in self.attachments(host) if gw in link.subnet)
            routes.append(Route(IPv4Network("0.0.0.0/0"), gw, dev))
        if self.vpn_active(host):
            for vname, vpn in self.topo.vpns.items():
                if host in vpn.clients:
                    src = vpn.clients[host].address
                    dev = vpn_ifname(self.topo, vname)
                    routes += [Route(net, None, dev, src) for net in vpn_routes(self.topo, vname)]
        return routes

    def _router_routes(self, router: str) -> list[Route]:
        direct = {link.name for link, _ in self.attachments(router)}
        first_hop: dict[str, tuple[IPv4Address, str]] = {}
        queue: deque[str] = deque()
        for link, _mine in self.attachments(router):
            queue.append(link.name)
        visited = set(direct)
        while queue:
            lname = queue.popleft()
            link = self.links[lname]
            for member in link.members:
                if member.node == router or member.node not in self.forwarders:
                    continue
                for nlink, _ in self.attachments(member.node):
                    if nlink.name in visited or not self._may_forward(member.node, link, nlink):
                        continue
                    visited.add(nlink.name)
                    if lname in direct:
                        dev = next(m.ifname for m in link.members if m.node == router)
                        first_hop[nlink.name] = (member.addresses[0], dev)
                    else:
                        first_hop[nlink.name] = first_hop[lname]
                    queue.append(nlink.name)
        return [Route(self.links[n].subnet, via, dev) for n, (via, dev) in first_hop.items()]

    # -- expected reachability -------------------------------------------------------------

    def addresses(self, node: str) -> list[IPv4Address]:
        return [a for _, m in self.attachments(node) for a in m.addresses]

    def _next_hop(self, node: str, dst: IPv4Address) -> tuple[Link, IPv4Address, Route | None] | None:
        best: tuple[int, Link, IPv4Address, Route | None] | None = None
        for link, _ in self.attachments(node):
            if dst in link.subnet and (best is None or link.subnet.prefixlen > best[0]):
                best = (link.subnet.prefixlen, link, dst, None)
        blackhole = False
        for route in self.routes(node):
            if dst in route.dst and (best is None or route.dst.prefixlen > best[0]):
                dev_link = next((lk for lk, m in self.attachments(node) if m.ifname == route.dev), None)
                if dev_link is None:  # a tunnel without an address of its own: packets die in it
                    blackhole = True
                    best = (route.dst.prefixlen, Link("blackhole", route.dst, ()), dst, route)
                    continue
                blackhole = False
                best = (route.dst.prefixlen, dev_link, route.via or dst, route)
        if best is None or blackhole:
            return None
        return best[1:]

    def _source(self, node: str, dst: IPv4Address) -> IPv4Address | None:
        hop = self._next_hop(node, dst)
        if hop is None:
            return None
        link, _, route = hop
        if route is not None and route.src is not None:
            return route.src
        mine = next((m for lk, m in self.attachments(node) if lk is link), None)
        return mine.addresses[0] if mine and mine.addresses else None

    def expect_reachable(self, src_node: str, dst: IPv4Address) -> bool:
        """Would a ping from `src_node` to `dst` get its reply, given routes, NATs and firewalls?"""
        src = self._source(src_node, dst)
        if src is None:
            return False
        there = self._walk(src_node, src, dst, reply=False)
        if there is None:
            return False
        dst_node, seen_src, natted_by = there
        back = self._walk(dst_node, dst, seen_src, reply=True)
        # a reply to a NATed source ends at the NAT's address; conntrack takes it back inside
        return back is not None and back[0] == (natted_by or src_node)

    def _walk(
        self, node: str, src: IPv4Address, dst: IPv4Address, reply: bool
    ) -> tuple[str, IPv4Address, str | None] | None:
        """Follow a packet: (node reached, source as seen there, last NAT that rewrote it)."""
        in_if: str | None = None
        natted_by: str | None = None
        for _ in range(32):
            if dst in self.addresses(node):
                return node, src, natted_by
            hop = self._next_hop(node, dst)
            if hop is None:
                return None
            link, target, _ = hop
            out_if = next(m.ifname for lk, m in self.attachments(node) if lk is link)
            spec = self.topo.routers.get(node)
            if spec is not None and not reply:
                crosses = spec.outside in (in_if, out_if)
                if crosses and spec.effective_firewall.mode is FirewallMode.STATELESS:
                    return None  # ICMP carries no port a stateless rule could open
                if spec.nat and out_if == spec.nat.outside:
                    src = spec.interfaces[out_if].primary
                    natted_by = node
            if link.tunnel and not self._tunnel_accepts(link, node, src):
                return None  # the receiving WireGuard peer drops sources outside its allowed IPs
            nxt = next((m for m in link.members if target in m.addresses), None)
            if nxt is None and link.tunnel and link.members and link.members[0].node != node:
                nxt = link.members[0]  # a tunnel route has no next-hop address: the peer is the server
            if nxt is None:
                return None
            nspec = self.topo.routers.get(nxt.node)
            filters = nspec is not None and (nspec.effective_firewall.mode is not FirewallMode.NONE or nspec.nat)
            if filters and not reply and nspec is not None and nxt.ifname == nspec.outside:
                return None  # a new inbound flow on the outside interface is dropped
            node, in_if = nxt.node, nxt.ifname
        return None

    @staticmethod
    def _tunnel_accepts(link: Link, sender: str, src: IPv4Address) -> bool:
        server = link.members[0]
        if sender == server.node:  # server -> client: the client allows the VPN network and routes
            return any(src in net for net in link.client_accepts)
        mine = next((m for m in link.members if m.node == sender), None)  # client -> server: its /32
        return mine is not None and src in mine.addresses
