"""The system under test as the suites reach it: the stub the lab runs, or an external system.

A topology's `system` host is either run by the lab (the UC server stub, simulators/uc) or
external (`hosts.system.external`: a VM or an appliance attached through an interface of
this machine, simulators/net/external.py). What a client needs of either is the same and
comes from the topology: the system's LAN address, the 8802 door on the LAN and the public
doors the office router forwards to it, and the SIP URIs a device dials (`SystemDoors`).

An external system offers only what its network shows. What needs the stub (its UC API,
which the lab's UC client speaks; a configuration the lab would give it; any other
attribute of a Stub, such as `config`, `ca_file` or `restart`) raises `NeedsStub`, which the
pytest plugin reports as a skip with its sentence:

    system = ExternalSystem.of(lab)          # a handle, starts nothing
    system.door_uri("202", "198.51.100.120:8802")
    system.requires_stub("UC login")         # NeedsStub: "the system under test is external ..."

`with_external_system` marks a topology's system host external (what
`--uclab-system-interface` and `uclab up|run --system-interface` do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from .net.builder import TopologyBuilder
from .net.errors import LabError
from .net.model import Topology

if TYPE_CHECKING:
    from .lab import Lab

SYSTEM_HOST = "system"
"""the topology host the system runs on (every topology in topologies/ names it so)"""
DOOR_PORT = 8802


class NeedsStub(Exception):
    """A check needs the UC server stub (its UC API, a configuration the lab gives it, its
    internals) and the system under test is external; the message says which and why."""


def door_endpoints(topo: Topology, lan_ip: str, port: int = DOOR_PORT) -> list[str]:
    """'public:port' of every port forward in the topology that leads to lan_ip:port."""
    out = []
    for router in topo.routers.values():
        for pf in router.port_forwards:
            address, target_port = pf.target
            if pf.proto == "tcp" and str(address) == lan_ip and target_port == port:
                outside = router.interfaces.get(router.outside)
                if outside is not None:
                    out += [f"{a}:{pf.port}" for a in outside.address]
    return out


class SystemDoors:
    """Where clients reach a system: its LAN address, the 8802 doors, the URIs devices dial."""

    lan_ip: str
    door_endpoints: list[str]
    external: bool = False

    @property
    def door(self) -> str:
        return f"{self.lan_ip}:{DOOR_PORT}"

    def sip_uri(self, user: str, transport: str = "udp") -> str:
        """How a LAN device addresses `user` at the system (5060, 5061 for TLS)."""
        if transport == "tls":
            return f"sip:{user}@{self.lan_ip}:5061;transport=tls"
        suffix = "" if transport == "udp" else f";transport={transport}"
        return f"sip:{user}@{self.lan_ip}:5060{suffix}"

    def door_uri(self, user: str, endpoint: str | None = None) -> str:
        """How a VoIP client addresses `user` through 8802 (the LAN door or a public one)."""
        return f"sip:{user}@{endpoint or self.door};transport=tls"


@dataclass
class ExternalSystem(SystemDoors):
    """A system under test outside the lab, as its network shows it (nothing is started)."""

    host: str
    interface: str
    lan_ip: str
    door_endpoints: list[str]
    external: bool = True

    @classmethod
    def of(cls, lab: Lab, host: str = SYSTEM_HOST) -> ExternalSystem:
        spec = lab.topo.hosts.get(host)
        if spec is None or spec.external is None:
            raise LabError(f"{host} is not an external host of topology {lab.topo.name}")
        lan_ip = lab.address(host)
        return cls(host, spec.external.interface, lan_ip, door_endpoints(lab.topo, lan_ip))

    def requires_stub(self, what: str) -> NoReturn:
        raise NeedsStub(f"the system under test is external ({self.host} via {self.interface}): {what}")

    def __getattr__(self, name: str) -> NoReturn:
        """What only the stub has (its configuration, CA, restart, call core, logs): NeedsStub."""
        if name.startswith("_"):
            raise AttributeError(name)
        self.requires_stub(f"this test uses the stub's {name!r}, which an external system does not offer")

    def stop(self) -> None:
        """Nothing to stop: the lab started nothing on an external system."""


def with_external_system(topo: Topology, interface: str, host: str = SYSTEM_HOST) -> Topology:
    """`topo` with its `host` marked external, reached through this machine's `interface`
    (validated like a file); a topology without that host is returned as it is."""
    if host not in topo.hosts:
        return topo
    return TopologyBuilder.from_topology(topo).set(f"hosts.{host}.external", {"interface": interface}).build()
