"""The lab: one running topology with its processes, owned by this process.

    with Lab("home_internet") as lab:          # builds, starts services, verifies
        lab.exec("home_pc", ["ping", "-c1", "192.0.2.10"])
        cap = lab.capture("office_router", "wan")
        ...
    # torn down here, also when the block raised

`Lab.up` builds the network (simulators.net), starts the interface captures the topology
asks for and the services of each host (`stun` = coturn, `dns` = dnsmasq), then proves the network
works: every address a host is expected to reach answers a ping. A failure at any step
tears everything down before the error propagates.
"""

from __future__ import annotations

import atexit
import contextlib
import socket
import subprocess
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from .net import capture as capture_mod
from .net import dns, loader, natclassify, probe, process, runs, stunserver
from .net.errors import LabError
from .net.labthread import on_lab_thread
from .net.model import Impairment, Service, Topology
from .net.network import Network
from .net.process import LabProcess

ServiceStarter = Callable[["Lab", str, Service], list[LabProcess]]
SERVICES: dict[str, ServiceStarter] = {}


def service(kind: str) -> Callable[[ServiceStarter], ServiceStarter]:
    """Register a starter for a service kind a topology can name on a host."""

    def register(fn: ServiceStarter) -> ServiceStarter:
        SERVICES[kind] = fn
        return fn

    return register


@service("stun")
def _stun(lab: Lab, host: str, svc: Service) -> list[LabProcess]:
    addresses = [a for i in lab.topo.node(host).interfaces.values() for a in i.address]
    port = int(svc.options.get("port", stunserver.STUN_PORT))
    return [stunserver.start(lab.ns(host), host, addresses, lab.dir, port=port)]


@service("dns")
def _dns(lab: Lab, host: str, svc: Service) -> list[LabProcess]:
    addresses = [a for i in lab.topo.node(host).interfaces.values() for a in i.address]
    records = {str(k): str(v) for k, v in dict(svc.options.get("records", {})).items()}
    return [dns.start(lab.ns(host), host, addresses, records, lab.dir)]


@dataclass
class ReadyReport:
    checked: int
    failed: list[tuple[str, str]] = field(default_factory=list)
    ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


_live: weakref.WeakSet[Lab] = weakref.WeakSet()


@atexit.register
def _down_all() -> None:
    for lab in list(_live):
        with contextlib.suppress(Exception):
            lab.down()


class Lab:
    def __init__(self, topology: Topology | str | Path, *, run_root: Path | None = None):
        self.topo = topology if isinstance(topology, Topology) else loader.load(topology)
        self._run_root = run_root
        self.run: runs.Run | None = None
        self.net: Network | None = None
        self.processes: list[LabProcess] = []
        self.captures: list[capture_mod.Capture] = []
        self.ready: ReadyReport | None = None
        self.timings: dict[str, float] = {}

    # -- lifecycle ------------------------------------------------------------------------

    @on_lab_thread
    def up(self, verify: bool = True, services: bool = True) -> Lab:
        if self.net is not None:
            raise LabError(f"lab {self.run_id} is already up")
        from .net import reaper

        reaper.ensure_started()
        t0 = time.perf_counter()
        self.run = runs.Run.create(self.topo.name, self._run_root)
        self.run.path("topology.json").write_text(self.topo.model_dump_json(indent=2))
        self.net = Network(self.topo, self.run)
        _live.add(self)
        try:
            self.net.build()
            self.timings["build_ms"] = self.net.timings.total_ms
            for node, spec in self.topo.nodes.items():
                for ifname, iface in spec.interfaces.items():
                    if iface.capture:
                        self.capture(node, ifname)
            if services:
                self.start_services()
            if verify:
                self.ready = self.verify()
                if not self.ready.ok:
                    lost = ", ".join(f"{a} -> {b}" for a, b in self.ready.failed[:10])
                    raise LabError(
                        f"topology {self.topo.name} built but not working: no ping reply for {lost}; see {self.run.dir}"
                    )
            self.timings["ready_ms"] = (time.perf_counter() - t0) * 1000
            self.run.write_meta(state="up", hosts=self.hosts_summary())
        except BaseException:
            self.down()
            raise
        return self

    @on_lab_thread
    def down(self) -> None:
        if self.net is None:
            return
        for cap in self.captures:
            with contextlib.suppress(Exception):
                cap.stop()
        for proc in reversed(self.processes):
            with contextlib.suppress(Exception):
                proc.stop(timeout=2.0)
        self.net.teardown()
        self.net = None
        if self.run is not None:
            self.run.write_meta(state="down")
            with contextlib.suppress(OSError):
                (self.run.dir / "DEAD").write_text("torn down\n")
            self.run.finish()
        _live.discard(self)

    def __enter__(self) -> Lab:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()

    # -- facts ----------------------------------------------------------------------------

    @property
    def run_id(self) -> str:
        return self.run.run_id if self.run else "(not up)"

    @property
    def dir(self) -> Path:
        if self.run is None:
            raise LabError("the lab is not up")
        return self.run.dir

    def socket_path(self, *parts: str) -> Path:
        """A Unix socket path of this lab: short (runs.socket_dir), wherever the run directory is."""
        if self.run is None:
            raise LabError("the lab is not up")
        return self.run.socket(*parts)

    def _net(self) -> Network:
        if self.net is None:
            raise LabError("the lab is not up; call up() first")
        return self.net

    def ns(self, host: str) -> str:
        return self._net().ns(host)

    def address(self, host: str, ifname: str | None = None) -> str:
        """A host's current primary address (of `ifname`, or of its first interface)."""
        net = self._net()
        spec = self.topo.node(host)
        name = ifname or next(iter(spec.interfaces))
        return str(net.routing.interface_of(host, name)[1][0])

    def hosts_summary(self) -> dict[str, dict[str, list[str]]]:
        net = self._net()
        out: dict[str, dict[str, list[str]]] = {}
        for node, spec in self.topo.nodes.items():
            out[node] = {
                ifname: [str(a) for a in net.routing.interface_of(node, ifname)[1]] for ifname in spec.interfaces
            }
        return out

    # -- doing things in hosts ------------------------------------------------------------

    def exec(
        self, host: str, argv: Sequence[str], timeout: float = 30.0, check: bool = False
    ) -> subprocess.CompletedProcess[str]:
        return process.run(self.ns(host), argv, timeout=timeout, check=check)

    def spawn(self, host: str, argv: Sequence[str], name: str | None = None, **kw: Any) -> LabProcess:
        name = name or Path(argv[0]).name
        kw.setdefault("log", self.dir / "logs" / f"{host}.{name}.log")
        proc = process.spawn(self.ns(host), argv, name=name, host=host, **kw)
        self.processes.append(proc)
        return proc

    def socket(self, host: str, kind: int = socket.SOCK_DGRAM, family: int = socket.AF_INET) -> socket.socket:
        """A socket inside `host`: everything sent through it is that host sending."""
        return probe.open_socket(self.ns(host), family, kind)

    @on_lab_thread
    def capture(self, host: str, ifname: str, bpf: str | None = None, tag: str | None = None) -> capture_mod.Capture:
        cap = capture_mod.start(self._net(), host, ifname, bpf=bpf, tag=tag)
        self.captures.append(cap)
        return cap

    @on_lab_thread
    def roam(self, host: str, place: str | None) -> None:
        self._net().roam(host, place)

    @on_lab_thread
    def reconfigure_router(self, router: str, **changes: Any) -> None:
        """Change a router of the running lab, e.g. reconfigure_router("home_router", nat="symmetric",
        firewall="strict", sip_alg="kernel"). The new topology is validated like a file; the lab
        keeps running (hosts, services and phones stay up), the router forgets its connections."""
        from .net.builder import TopologyBuilder

        if router not in self.topo.routers:
            raise LabError(
                f"no router {router!r} in topology {self.topo.name}; routers: {', '.join(self.topo.routers)}"
            )
        builder = TopologyBuilder.from_topology(self.topo)
        for key, value in changes.items():
            builder.set(f"routers.{router}.{key}", value)
        topo = builder.build()
        self._net().reconfigure(topo)
        self.topo = topo
        if self.run is not None:
            self.run.path("topology.json").write_text(topo.model_dump_json(indent=2))

    @on_lab_thread
    def impair(self, host: str, ifname: str, **kw: Any) -> None:
        self._net().impair(host, ifname, Impairment(**kw) if kw else None)

    # -- services -------------------------------------------------------------------------

    def start_services(self) -> None:
        for host, spec in self.topo.nodes.items():
            for svc in spec.services:
                starter = SERVICES.get(svc.kind)
                if starter is None:
                    raise LabError(
                        f"host {host} asks for service {svc.kind!r}, which this lab does not know; "
                        f"known: {', '.join(sorted(SERVICES))}"
                    )
                self.processes += starter(self, host, svc)

    def stun_servers(self) -> list[tuple[str, list[str]]]:
        """(host, addresses) of every host running the `stun` service."""
        found = []
        for host, spec in self.topo.hosts.items():
            if any(s.kind == "stun" for s in spec.services):
                found.append((host, [str(a) for i in spec.interfaces.values() for a in i.address]))
        return found

    # -- checks ---------------------------------------------------------------------------

    def verify(self, timeout: float = 3.0) -> ReadyReport:
        """Ping every address each host is expected to reach (routes, NATs, firewalls)."""
        net = self._net()
        t0 = time.perf_counter()
        pairs = []
        for src in self.topo.nodes:
            for dst in self.topo.nodes:
                if dst == src:
                    continue
                for addr in net.routing.addresses(dst):
                    if net.routing.expect_reachable(src, addr):
                        pairs.append((src, net.ns(src), addr))
        result = probe.ping_matrix(pairs, timeout=timeout)
        failed = [(src, str(addr)) for (src, addr), ok in result.items() if not ok]
        return ReadyReport(len(pairs), failed, (time.perf_counter() - t0) * 1000)

    def natcheck(self, host: str, stun_host: str | None = None) -> natclassify.NatBehaviour:
        """Classify, from `host`, the NAT behaviour it sees towards a STUN server (RFC 5780)."""
        servers = self.stun_servers()
        if stun_host is not None:
            servers = [s for s in servers if s[0] == stun_host]
        if not servers:
            raise LabError(
                f"topology {self.topo.name} has no host running the stun service; add a host with "
                "two public addresses and services: [stun] on the Internet side"
            )
        _, addresses = servers[0]
        socks = [self.socket(host) for _ in range(3)]
        try:
            src = self.address(host)
            for s in socks:
                s.bind((src, 0))
            transport = natclassify.SocketTransport(socks)
            return natclassify.classify(transport, (addresses[0], stunserver.STUN_PORT))
        finally:
            for s in socks:
                s.close()

    def reachable(self, src: str, dst: IPv4Address | str, timeout: float = 1.0) -> bool:
        result = probe.ping_matrix([(src, self.ns(src), IPv4Address(str(dst)))], timeout=timeout)
        return all(result.values())
