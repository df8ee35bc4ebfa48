"""Build topologies in Python. The builder produces the same plain data a YAML file holds
and validates it through the same path, so a built topology and a file are equivalent:

    topo = (
        TopologyBuilder("two_lans")
        .segment("lan", "192.168.1.0/24")
        .host("alice", eth0=("lan", "192.168.1.10"))
        .host("bob", eth0=("lan", "192.168.1.11"))
        .build()
    )
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from .loader import validate
from .model import Topology

IfSpec = tuple[str, str | list[str]] | dict[str, Any]


def _interfaces(spec: dict[str, IfSpec]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ifname, value in spec.items():
        if isinstance(value, tuple):
            segment, address = value
            out[ifname] = {"segment": segment, "address": address}
        else:
            out[ifname] = dict(value)
    return out


class TopologyBuilder:
    def __init__(self, name: str, description: str = "", refs: list[str] | None = None):
        self.data: dict[str, Any] = {
            "name": name,
            "description": description,
            "refs": list(refs or []),
            "segments": {},
            "hosts": {},
            "routers": {},
            "vpns": {},
        }

    @classmethod
    def from_topology(cls, topo: Topology) -> TopologyBuilder:
        """Start from an existing topology (e.g. a file) to derive a variant."""
        builder = cls(topo.name)
        builder.data = topo.model_dump(mode="json", exclude_defaults=True)
        for key in ("segments", "hosts", "routers", "vpns", "refs"):
            builder.data.setdefault(key, [] if key == "refs" else {})
        return builder

    def named(self, name: str, description: str | None = None) -> TopologyBuilder:
        self.data["name"] = name
        if description is not None:
            self.data["description"] = description
        return self

    def segment(self, name: str, subnet: str, description: str = "") -> TopologyBuilder:
        self.data["segments"][name] = {"subnet": subnet, "description": description}
        return self

    def host(
        self,
        name: str,
        *,
        gateway: str | None = None,
        services: list[str | dict[str, Any]] | None = None,
        roaming: dict[str, dict[str, Any]] | None = None,
        **interfaces: IfSpec,
    ) -> TopologyBuilder:
        host: dict[str, Any] = {"interfaces": _interfaces(interfaces)}
        if gateway:
            host["gateway"] = gateway
        if services:
            host["services"] = services
        if roaming:
            host["roaming"] = roaming
        self.data["hosts"][name] = host
        return self

    def router(
        self,
        name: str,
        *,
        nat: str | dict[str, Any] | None = None,
        firewall: str | dict[str, Any] | None = None,
        port_forwards: list[dict[str, Any]] | None = None,
        sip_alg: str | dict[str, Any] | None = None,
        **interfaces: IfSpec,
    ) -> TopologyBuilder:
        router: dict[str, Any] = {"interfaces": _interfaces(interfaces)}
        for key, value in (("nat", nat), ("firewall", firewall), ("sip_alg", sip_alg)):
            if value is not None:
                router[key] = value
        if port_forwards:
            router["port_forwards"] = port_forwards
        self.data["routers"][name] = router
        return self

    def vpn(
        self, name: str, *, server: str, subnet: str, clients: dict[str, str | None], **extra: Any
    ) -> TopologyBuilder:
        self.data["vpns"][name] = {
            "server": server,
            "subnet": subnet,
            "clients": {c: {"address": a} for c, a in clients.items()},
            **extra,
        }
        return self

    def set(self, path: str, value: Any) -> TopologyBuilder:
        """Set any field by dotted path, e.g. set("routers.home_router.nat", "symmetric")."""
        parts = path.split(".")
        target = self.data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
        return self

    def build(self) -> Topology:
        return validate(copy.deepcopy(self.data), source=f"<builder {self.data.get('name')}>")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.data, sort_keys=False)
