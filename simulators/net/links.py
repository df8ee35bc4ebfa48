"""The switch's numbering, and `Links`: what the add-ons of a built network may use.

Every segment is a bridge in the switch namespace and every interface a veth pair whose
switch end is a port of that bridge. Their ifindexes are fixed by position (bridge i is
100 + i, the k-th port 1000 + k and named `pk`), so a port can be found without asking
the kernel.

VPN tunnels, faulty-ALG middleboxes and link impairments run against a built network but
are not part of building it. They see it through `Links`, the few public operations they
need, instead of reaching into `network.Network`; this keeps them below the network in the
import graph (the network starts them, they never import it).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pyroute2 import IPRoute

    from .model import Topology
    from .runs import Run

BRIDGE_INDEX = 100  # ifindex of segment i's bridge in the switch namespace: 100 + i
PORT_INDEX = 1000  # ifindex of the k-th switch port


@dataclass(frozen=True)
class SwitchPort:
    """The switch end of one interface's veth pair: its ifindex and name in the switch namespace."""

    index: int
    name: str


def switch_port(k: int) -> SwitchPort:
    """The k-th port of the switch (counted over every interface of every node, in topology order)."""
    return SwitchPort(PORT_INDEX + k, f"p{k}")


def bridge_index(segment: int) -> int:
    """The ifindex of the i-th segment's bridge in the switch namespace."""
    return BRIDGE_INDEX + segment


class Links(Protocol):
    """A built lab network as its add-ons see it: names, sockets, interfaces, switch ports."""

    @property
    def topo(self) -> Topology: ...

    @property
    def run(self) -> Run: ...

    @property
    def switch(self) -> str:
        """The switch namespace's name."""
        ...

    def ns(self, node: str) -> str:
        """The namespace of a host or router."""
        ...

    def ipr(self, node: str) -> IPRoute:
        """A netlink socket inside the node's namespace (`_sw`: the switch's)."""
        ...

    def ifindex(self, node: str, ifname: str) -> int:
        """The ifindex of the node's interface."""
        ...

    def port_of(self, node: str, ifname: str) -> SwitchPort:
        """The switch port the node's interface is plugged into."""
        ...

    def configure_interface(self, node: str, ifname: str, addresses: list[IPv4Address], prefixlen: int) -> None:
        """Bring the node's interface up with these addresses."""
        ...
