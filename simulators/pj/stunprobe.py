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


def binding(bind_ip: str, server: Address, timeout: float = 1.5, retries: int = 3) -> ProbeResult:
    """One Binding transaction from a fresh UDP socket on `bind_ip` (blocking, <= timeout)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
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
