"""A system under test outside the lab, for the external-system tests: a VM without a VM.

The appliance is a network namespace of its own with one end of a veth pair in it (`eth0`,
the system host's address and gateway as the topology gives them); the other end is left
in the host's namespace, down, under the name a user would give a VM's interface, for a lab
to attach (`hosts.system.external`). It may run the UC server stub (`start_stub`), which
then plays a real system: the lab knows it only by its address.

It is named with a run id of its own (`ucl<run>-<host>`, the run's lock held while it
lives), so `uclab clean` removes it after a crash, and the veth pair with it (deleting one
end of a veth deletes the other, wherever it is). It never touches the host beyond moving
its own veth end there: the end is created inside the appliance and moved out.

    python -m tests.net.appliance home_internet vmsys0     # until Ctrl-C: stub on 192.168.1.30
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pyroute2 import IPRoute

from simulators.lab import stun_servers
from simulators.net import loader, netns, probe, process, runs
from simulators.net.builder import TopologyBuilder
from simulators.net.labthread import on_lab_thread
from simulators.net.model import Topology
from simulators.net.network import NODE_SYSCTLS
from simulators.net.process import LabProcess
from simulators.net.routing import Routing


class Appliance:
    """One host of a topology, built by hand beside the lab, reached through `interface`."""

    def __init__(self, topo: Topology, interface: str, host: str = "system") -> None:
        self.lab_topology = topo
        """the topology a lab brings up: `host` external, reached through `interface`"""
        self.topo = TopologyBuilder.from_topology(topo).set(f"hosts.{host}.external", None).build()
        """the same network as the appliance sees itself: a plain host (what a stub run here reads)"""
        self.host = host
        self.interface = interface
        self.run = runs.Run.create("appliance")
        self.processes: list[LabProcess] = []
        self.namespace = runs.ns_name(self.run.run_id, host)
        self._build()

    @property
    def dir(self) -> Path:
        return self.run.dir

    @on_lab_thread  # pyroute2's sync API cannot run inside the test's asyncio loop
    def _build(self) -> None:
        spec = self.topo.hosts[self.host]
        (ifname, iface), *_ = spec.interfaces.items()
        prefixlen = self.topo.segments[iface.segment].subnet.prefixlen
        netns.create(self.namespace)
        try:
            netns.write_sysctl(self.namespace, NODE_SYSCTLS)
            with netns.entered(self.namespace):
                ipr = IPRoute()
                try:
                    ipr.link("set", index=1, state="up")
                    ipr.link("add", ifname=ifname, kind="veth", peer={"ifname": self.interface})
                    idx = ipr.link_lookup(ifname=ifname)[0]
                    ipr.link("set", index=idx, state="up")
                    for addr in iface.address:
                        ipr.addr("add", index=idx, address=str(addr), prefixlen=prefixlen)
                    for route in Routing(self.topo).routes(self.host):  # as the topology configures it
                        via = {"gateway": str(route.via)} if route.via else {}
                        ipr.route("add", dst=str(route.dst), oif=idx, **via)
                    peer = ipr.link_lookup(ifname=self.interface)[0]
                    ipr.link("set", index=peer, net_ns_fd=netns.home_fd())  # the user's end, down
                finally:
                    ipr.close()
        except BaseException:
            self.close()
            raise

    # -- what a stub needs of its site (simulators.uc.service.StubSite) ---------------------------

    def ns(self, host: str) -> str:
        return self.namespace

    def address(self, host: str, ifname: str | None = None) -> str:
        return str(self.topo.address_of(host))

    def spawn(self, host: str, argv: Sequence[str], name: str | None = None, **kw: Any) -> LabProcess:
        name = name or Path(argv[0]).name
        kw.setdefault("log", self.dir / "logs" / f"{host}.{name}.log")
        proc = process.spawn(self.namespace, argv, name=name, host=host, **kw)
        self.processes.append(proc)
        return proc

    def socket(self, host: str, kind: int = socket.SOCK_DGRAM, family: int = socket.AF_INET) -> socket.socket:
        return probe.open_socket(self.namespace, family, kind)

    def socket_path(self, *parts: str) -> Path:
        return self.run.socket(*parts)

    def stun_servers(self) -> list[tuple[str, list[str]]]:
        return stun_servers(self.topo)

    # -- lifetime -----------------------------------------------------------------------------

    def host_end_exists(self) -> bool:
        """Whether the user's end is in the host's namespace now (not lent to a lab)."""
        return Path("/sys/class/net", self.interface).exists()

    @on_lab_thread
    def close(self) -> None:
        """Stop what runs in it and remove it; its veth pair goes with it, wherever its other end is."""
        for proc in reversed(self.processes):
            with contextlib.suppress(Exception):
                proc.stop(timeout=2.0)
        runs.kill_namespace_processes([self.namespace], grace_s=0.5)
        with contextlib.suppress(Exception), netns.entered(self.namespace):
            ipr = IPRoute()  # deleting its end removes the pair now (a namespace goes asynchronously)
            try:
                for idx in ipr.link_lookup(kind="veth"):
                    ipr.link("del", index=idx)
            finally:
                ipr.close()
        with contextlib.suppress(OSError):
            netns.delete(self.namespace)
        self.run.finish()
        shutil.rmtree(self.run.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    import asyncio

    from simulators.system import with_external_system
    from simulators.uc.service import start_stub

    topology, interface = argv
    topo = with_external_system(loader.load(topology), interface)
    appliance = Appliance(topo, interface)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        stub = asyncio.run(start_stub(appliance, "system", config="office"))
        print(f"appliance {appliance.run.run_id}: the stub on {stub.lan_ip}, reached through {interface}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
        stub.stop()
    finally:
        appliance.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
