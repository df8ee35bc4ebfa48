"""Build a topology out of kernel parts, and take it apart again.

One namespace per host and router (`ucl<run>-<node>`) plus one switch namespace holding a
bridge per segment. Each interface is a veth pair: one end in the node under the
interface's name, the other enslaved to the segment's bridge. Addresses, routes, sysctls
and netem go through netlink (pyroute2 sockets opened inside each namespace, no forks);
router rulesets are written to `<run>/nft/<router>.nft` and loaded with libnftables
(what `nft -f` does). VPN tunnels, captures and faulty-ALG middleboxes are processes in
their hosts (vpn.py, capture.py, alg.py).

A failure anywhere during `build` removes everything built so far before the error
propagates: no half-built lab is left behind.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Any

from pyroute2 import IPRoute

from . import netns, nftables, nftlib, runs
from .errors import LabError
from .links import SwitchPort, bridge_index, switch_port
from .model import Impairment, Topology
from .process import LabProcess
from .routing import Routing, vpn_ifname

if TYPE_CHECKING:
    from .impair import Impairments

NODE_SYSCTLS = {
    "net.ipv6.conf.all.disable_ipv6": "1",
    "net.ipv6.conf.default.disable_ipv6": "1",
}
FORWARDER_SYSCTLS = {"net.ipv4.ip_forward": "1", "net.ipv4.conf.all.rp_filter": "0"}


def namespaced_iproute(ns: str) -> IPRoute:
    """An IPRoute whose netlink sockets are always opened inside namespace `ns`.

    pyroute2 keeps one socket per *thread*, opened lazily in the calling thread's network
    namespace. Used from another thread (the lab thread, an executor), a plain IPRoute
    created inside a lab namespace would quietly open a new socket in the host's namespace
    and change the host's interfaces. This wraps the per-thread socket factory so every
    socket of this object is created in `ns`, whichever thread asks.
    """
    with netns.entered(ns):
        ipr = IPRoute()
    core = ipr.asyncore
    open_socket = core.setup_socket

    def setup_socket_in_ns(*args: Any, **kwargs: Any) -> Any:
        with netns.entered(ns):
            return open_socket(*args, **kwargs)

    core.setup_socket = setup_socket_in_ns
    return ipr


@dataclass
class Timings:
    """Where build time went, in milliseconds per phase."""

    phases: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + (time.perf_counter() - t0) * 1000

    @property
    def total_ms(self) -> float:
        return sum(self.phases.values())


class Network:
    """The kernel side of one lab: namespaces, links, addresses, routes, rulesets.

    Its VPN tunnels, faulty-ALG middleboxes and impairments use it as `links.Links`.
    """

    def __init__(self, topo: Topology, run: runs.Run):
        self.topo = topo
        self.run = run
        self.routing = Routing(topo)
        self.placement: dict[str, str] = {}
        self.timings = Timings()
        self.processes: list[LabProcess] = []
        self._ipr: dict[str, IPRoute] = {}
        self._created_ns: list[str] = []
        self._seg_index = {name: i for i, name in enumerate(topo.segments)}
        self._port_of: dict[tuple[str, str], SwitchPort] = {}  # (node, ifname) -> its switch port
        self._index: dict[tuple[str, str], int] = {}  # (node, ifname) -> ifindex
        self._built = False
        self.impairments: Impairments | None = None  # created on first use
        self.middleboxes: dict[str, LabProcess] = {}  # router -> faulty-ALG middlebox

    # -- names and sockets ----------------------------------------------------------------

    def ns(self, node: str) -> str:
        if node not in self.topo.nodes and node != "_sw":
            known = ", ".join(self.topo.nodes)
            raise LabError(f"no host or router named {node!r} in topology {self.topo.name}; known: {known}")
        return runs.ns_name(self.run.run_id, node)

    @property
    def switch(self) -> str:
        return runs.switch_ns(self.run.run_id)

    def ipr(self, node: str) -> IPRoute:
        """A netlink socket living inside the node's namespace (cached), safe from any thread."""
        sock = self._ipr.get(node)
        if sock is None:
            sock = namespaced_iproute(self.ns(node) if node != "_sw" else self.switch)
            self._ipr[node] = sock
        return sock

    def ifindex(self, node: str, ifname: str) -> int:
        cached = self._index.get((node, ifname))
        if cached is not None:
            return cached
        found = self.ipr(node).link_lookup(ifname=ifname)
        if not found:
            raise LabError(f"{node} has no interface {ifname!r}")
        self._index[(node, ifname)] = int(found[0])
        return int(found[0])

    def port_of(self, node: str, ifname: str) -> SwitchPort:
        """The switch port the node's interface is plugged into."""
        port = self._port_of.get((node, ifname))
        if port is None:
            raise LabError(f"{node} has no interface {ifname!r}")
        return port

    # -- build ----------------------------------------------------------------------------

    def build(self, start_process: Callable[..., LabProcess] | None = None) -> None:
        """Create everything. On any failure, remove what was created, then re-raise."""
        try:
            with self.timings.phase("namespaces"):
                self._namespaces()
            with self.timings.phase("links"):
                self._segments()
                self._interfaces()
            vpns = None
            if self.topo.vpns:
                from .vpn import VpnSetup

                vpns = VpnSetup(self)
                with self.timings.phase("vpn"):
                    self.processes += vpns.start()
            with self.timings.phase("routes"):
                for node in self.topo.nodes:
                    self._install_routes(node)
            with self.timings.phase("rulesets"):
                self._rulesets()
            with self.timings.phase("impairments"):
                self._impairments()
            if any(r.sip_alg.mode == "faulty" for r in self.topo.routers.values()):
                from .alg import start_middleboxes

                with self.timings.phase("alg"):
                    self.middleboxes = start_middleboxes(self)
            if vpns is not None:  # last: the first handshake must meet the NAT rules
                with self.timings.phase("vpn"):
                    vpns.connect()
            self._built = True
        except BaseException:
            self.teardown()
            raise

    def _namespaces(self) -> None:
        for name in [*self.topo.nodes, "_sw"]:
            ns = runs.ns_name(self.run.run_id, name)
            netns.create(ns)
            self._created_ns.append(ns)
            values = dict(NODE_SYSCTLS)
            if name in self.routing.forwarders:
                values.update(FORWARDER_SYSCTLS)
            netns.write_sysctl(ns, values)

    def _segments(self) -> None:
        sw = self.ipr("_sw")
        alias = runs.link_alias(self.run.run_id)
        for seg, i in self._seg_index.items():
            sw.link("add", ifname=f"br{i}", index=bridge_index(i), kind="bridge", state="up", ifalias=f"{alias}:{seg}")
        for node in self.topo.nodes:
            self.ipr(node).link("set", index=1, state="up")  # lo

    def _interfaces(self) -> None:
        sw = self.ipr("_sw")
        alias = runs.link_alias(self.run.run_id)
        k = 0
        for node, spec in self.topo.nodes.items():
            fd = os.open(netns.path(self.ns(node)), os.O_RDONLY)
            try:
                for ifname, iface in spec.interfaces.items():
                    port = switch_port(k)
                    k += 1
                    sw.link(
                        "add",
                        ifname=port.name,
                        index=port.index,
                        kind="veth",
                        master=bridge_index(self._seg_index[iface.segment]),
                        state="up",
                        ifalias=f"{alias}:{node}:{ifname}",
                        peer={"ifname": ifname, "net_ns_fd": fd},
                    )
                    self._port_of[(node, ifname)] = port
                    peer_index = sw.link("get", index=port.index)[0].get_attr("IFLA_LINK")
                    self._index[(node, ifname)] = peer_index
                    self.configure_interface(
                        node, ifname, iface.address, self.topo.segments[iface.segment].subnet.prefixlen
                    )
            finally:
                os.close(fd)

    def configure_interface(self, node: str, ifname: str, addresses: list[IPv4Address], prefixlen: int) -> None:
        """Bring the node's interface up (tagged with the run) with these addresses."""
        ipr = self.ipr(node)
        idx = self.ifindex(node, ifname)
        ipr.link("set", index=idx, state="up", ifalias=runs.link_alias(self.run.run_id))
        for addr in addresses:
            ipr.addr("add", index=idx, address=str(addr), prefixlen=prefixlen)

    def _install_routes(self, node: str) -> None:
        ipr = self.ipr(node)
        for route in self.routing.routes(node):
            kw: dict[str, Any] = {"dst": str(route.dst), "oif": self.ifindex(node, route.dev)}
            if route.via is not None:
                kw["gateway"] = str(route.via)
            if route.src is not None:
                kw["prefsrc"] = str(route.src)
            try:
                ipr.route("add", **kw)
            except Exception as exc:
                raise LabError(f"route {route} in {node} failed: {exc}") from exc

    def _rulesets(self) -> None:
        for router in self.topo.routers:
            self._load_ruleset(router)

    def _load_ruleset(self, router: str, replace: bool = False) -> None:
        text = nftables.router_ruleset(self.topo, router, self.run.run_id)
        path = self.run.path("nft", f"{router}.nft")
        path.write_text((nftables.reload_prefix(self.run.run_id) if replace else "") + text)
        try:
            nftlib.load_file(self.ns(router), path)
        except nftlib.NftError as exc:
            raise LabError(f"nft rejected the ruleset of {router} ({path}):\n{exc}") from None

    def flush_conntrack(self, node: str) -> None:
        """Forget every connection the node tracks (NAT bindings, firewall state)."""
        from pyroute2 import Conntrack

        with netns.entered(self.ns(node)):
            ct = Conntrack()
        try:
            ct.flush()
        finally:
            ct.close()

    def reconfigure(self, topo: Topology) -> list[str]:
        """Apply changed router behaviour (NAT, firewall, forwards, SIP ALG) to the running lab.

        Hosts, segments, interfaces and VPNs must stay as they are. Routes that change with a
        NAT (what is hidden behind it) are reinstalled; changed routers get their new ruleset
        atomically and their faulty-ALG middlebox replaced; every router forgets its tracked
        connections, as a rebooted router would. Returns the names of the changed routers.
        """
        old = self.topo
        if _shape(old) != _shape(topo):
            raise LabError(
                "only router behaviour (nat, firewall, port_forwards, sip_alg) can change in a running lab; "
                "for other changes bring a new lab up"
            )
        changed = [r for r in topo.routers if topo.routers[r] != old.routers[r]]
        if not changed:
            return []
        from .alg import start_middlebox, stop_middlebox

        old_routing = self.routing
        self.topo = topo
        self.routing = Routing(topo, self.placement)
        for node in topo.nodes:
            before, after = old_routing.routes(node), self.routing.routes(node)
            if before != after:
                ipr = self.ipr(node)
                for route in before:
                    with contextlib.suppress(Exception):
                        ipr.route("del", dst=str(route.dst), oif=self.ifindex(node, route.dev))
                self._install_routes(node)
        for router in changed:
            if router in self.middleboxes:
                stop_middlebox(self, router, self.middleboxes.pop(router))
            self._load_ruleset(router, replace=True)
            if topo.routers[router].sip_alg.mode == "faulty":
                self.middleboxes[router] = start_middlebox(self, router)
        for router in topo.routers:
            self.flush_conntrack(router)
        return changed

    def _impairments(self) -> None:
        for node, spec in self.topo.nodes.items():
            for ifname, iface in spec.interfaces.items():
                if iface.impair is not None:
                    self.impair(node, ifname, iface.impair)

    def impair(self, node: str, ifname: str, imp: Impairment | None) -> None:
        """Set (or with None, clear) delay, jitter, loss and rate on a link, both directions."""
        self.ifindex(node, ifname)  # clear error for an unknown interface
        if self.impairments is None:
            from .impair import Impairments

            self.impairments = Impairments(self)
        self.impairments.set(node, ifname, imp)

    # -- runtime changes ------------------------------------------------------------------

    def roam(self, host: str, place: str | None) -> None:
        """Move a roaming host to one of its `roaming` locations (None: back where it started)."""
        spec = self.topo.hosts.get(host)
        if spec is None:
            raise LabError(f"no host named {host!r} in topology {self.topo.name}")
        if place is not None and place not in spec.roaming:
            known = ", ".join(spec.roaming) or "none (add roaming: to the host)"
            raise LabError(f"host {host} has no roaming location {place!r}; known: {known}")
        current = self.placement.get(host)
        if current == place:
            return
        placement = {**self.placement, host: place} if place else {k: v for k, v in self.placement.items() if k != host}
        new = Routing(self.topo, placement)
        ipr = self.ipr(host)
        for route in self.routing.routes(host):
            with contextlib.suppress(Exception):
                ipr.route("del", dst=str(route.dst), oif=self.ifindex(host, route.dev))
        dev = spec.roaming[place or current].interface  # type: ignore[index]
        segment, addresses = new.interface_of(host, dev)
        idx = self.ifindex(host, dev)
        for addr in ipr.get_addr(index=idx):
            ipr.addr("del", index=idx, address=addr.get_attr("IFA_ADDRESS"), prefixlen=addr["prefixlen"])
        self.ipr("_sw").link("set", index=self.port_of(host, dev).index, master=bridge_index(self._seg_index[segment]))
        prefixlen = self.topo.segments[segment].subnet.prefixlen
        for addr in addresses:
            ipr.addr("add", index=idx, address=str(addr), prefixlen=prefixlen)
        self.placement, self.routing = placement, new
        for vname, vpn in self.topo.vpns.items():
            if host in vpn.clients:
                state = "up" if new.vpn_active(host) else "down"
                ipr.link("set", index=self.ifindex(host, vpn_ifname(self.topo, vname)), state=state)
        self._install_routes(host)

    # -- teardown -------------------------------------------------------------------------

    def teardown(self) -> None:
        """Stop processes, remove every namespace. Safe to call twice or after a partial build."""
        if self.impairments is not None:
            self.impairments.stop()
            self.impairments = None
        for proc in self.middleboxes.values():
            with contextlib.suppress(Exception):
                proc.stop(timeout=1.0)
        self.middleboxes.clear()
        for proc in reversed(self.processes):
            with contextlib.suppress(Exception):
                proc.stop(timeout=1.0)
        self.processes.clear()
        for sock in self._ipr.values():
            with contextlib.suppress(Exception):
                sock.close()
        self._ipr.clear()
        self._index.clear()
        names = netns.names(f"{runs.NS_PREFIX}{self.run.run_id}-")
        if names:
            runs.kill_namespace_processes(names, grace_s=0.5)
        for name in names:
            with contextlib.suppress(OSError):
                netns.delete(name)
        self._created_ns.clear()
        self._built = False


def _shape(topo: Topology) -> tuple[object, ...]:
    """What a running lab cannot change: segments, hosts, VPNs and router interfaces."""
    return topo.segments, topo.hosts, topo.vpns, {r: s.interfaces for r, s in topo.routers.items()}
