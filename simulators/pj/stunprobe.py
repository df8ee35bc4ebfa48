"""STUN Binding probes from this process (which runs inside its lab host).

Answers two questions the client's settings page asks: is a STUN server reachable, and
which address does it see us as (mapped address), to tell "no NAT" from a NAT.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from simulators.net.natclassify import SocketTransport

Address = tuple[str, int]


@dataclass(frozen=True)
class ProbeResult:
    server: Address
    local: Address
    mapped: Address | None

    @property
    def reachable(self) -> bool:
        return self.mapped is not None

    @property
    def behind_nat(self) -> bool | None:
        if self.mapped is None:
            return None
        return self.mapped != self.local


def route_source(destination: str) -> str:
    """The source address this host's routes pick towards `destination` (nothing is sent:
    connecting a UDP socket only asks the routing table)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((destination, 9))
        address: str = sock.getsockname()[0]
        return address


def binding(bind_ip: str, server: Address, timeout: float = 1.5, retries: int = 3) -> ProbeResult:
    """One Binding transaction from a fresh UDP socket on `bind_ip` (blocking, <= timeout).
    Any address (0.0.0.0) becomes the source the routes pick towards the server, so the
    local address compared with the mapped one is the one the packet leaves with."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if bind_ip == "0.0.0.0":
            try:
                bind_ip = route_source(server[0])
            except OSError:  # no route: the request below fails as unreachable
                pass
        sock.bind((bind_ip, 0))
        transport = SocketTransport([sock], timeout=timeout, retries=retries)
        local = transport.local_address(0)
        try:
            reply = transport.request(0, server)
        except OSError:
            reply = None
        return ProbeResult(server, local, reply.mapped if reply else None)
    finally:
        sock.close()
