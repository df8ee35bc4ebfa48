"""RFC 5780 NAT behaviour discovery, with the transport injected.

`classify` runs the mapping tests (I: primary address, II: alternate IP, III: alternate
IP and port), the filtering tests (II: ask for a reply from the other IP and port, III:
from the other port only) and a hairpinning test, through a `Transport` that sends one
Binding request and returns the response or None on timeout. The logic never touches a
socket; `SocketTransport` is the I/O adapter that does (inside a lab host).

The result speaks both languages: RFC 4787 behaviours, and the preset name the documents
and "Check NAT type" use (full-cone, restricted-cone, port-restricted-cone, symmetric).
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import asdict, dataclass
from typing import Protocol

from . import stun
from .stun import Address

EI, AD, APD = "endpoint-independent", "address-dependent", "address-and-port-dependent"


class Transport(Protocol):
    def local_address(self, channel: int) -> Address: ...

    def request(
        self, channel: int, server: Address, change_ip: bool = False, change_port: bool = False
    ) -> stun.Message | None: ...

    def hairpin(self, from_channel: int, to: Address, channel: int) -> bool: ...


@dataclass
class NatBehaviour:
    stun_server: str
    local: str
    mapped: str | None
    other_address: str | None
    nat: bool | None
    mapping: str | None
    filtering: str | None
    port_allocation: str | None
    hairpinning: bool | None
    preset: str | None
    udp_blocked: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def preset_of(mapping: str | None, filtering: str | None) -> str | None:
    """The classic (RFC 3489) name: any mapping that is not endpoint-independent is symmetric."""
    if mapping is None:
        return None
    if mapping != EI:
        return "symmetric"
    return {EI: "full-cone", AD: "restricted-cone", APD: "port-restricted-cone"}.get(filtering or "")


def _fmt(addr: Address | None) -> str | None:
    return None if addr is None else f"{addr[0]}:{addr[1]}"


def classify(transport: Transport, server: Address) -> NatBehaviour:
    """Mapping on channel 0, filtering on channel 1, hairpin from channel 2 to channel 0."""
    local = transport.local_address(0)
    first = transport.request(0, server)
    base = NatBehaviour(_fmt(server) or "", _fmt(local) or "", None, None, None, None, None, None, None, None)
    if first is None or first.mapped is None:
        base.udp_blocked = True
        base.error = f"no STUN response from {_fmt(server)} (UDP blocked or server unreachable)"
        return base
    mapped, other = first.mapped, first.other_address
    base.mapped, base.other_address = _fmt(mapped), _fmt(other)
    if mapped == local:
        base.nat = False
        base.mapping = base.filtering = EI
        base.port_allocation = "preserve"
        base.hairpinning = True
        return base
    base.nat = True
    base.port_allocation = "preserve" if mapped[1] == local[1] else "random"
    if other is None:
        base.error = "the STUN server gave no OTHER-ADDRESS (it needs two IPs for RFC 5780 tests)"
        return base

    # mapping
    second = transport.request(0, (other[0], server[1]))
    if second is None or second.mapped is None:
        base.error = f"no response from the alternate address {other[0]}:{server[1]}"
        return base
    if second.mapped == mapped:
        base.mapping = EI
    else:
        third = transport.request(0, other)
        if third is None or third.mapped is None:
            base.error = f"no response from the alternate address {_fmt(other)}"
            return base
        base.mapping = AD if third.mapped == second.mapped else APD

    # filtering (a fresh binding, so the mapping tests opened no holes for it)
    if transport.request(1, server) is None:
        base.error = "no response on the filtering channel"
        return base
    if transport.request(1, server, change_ip=True, change_port=True) is not None:
        base.filtering = EI
    elif transport.request(1, server, change_port=True) is not None:
        base.filtering = AD
    else:
        base.filtering = APD

    base.hairpinning = transport.hairpin(2, mapped, 0)
    base.preset = preset_of(base.mapping, base.filtering)
    return base


class SocketTransport:
    """UDP sockets (already created inside a lab host) with STUN retransmission."""

    def __init__(self, sockets: list[socket.socket], timeout: float = 0.6, retries: int = 3):
        self.sockets = sockets
        self.timeout = timeout
        self.retries = retries
        for s in sockets:
            s.setblocking(False)

    def local_address(self, channel: int) -> Address:
        host, port = self.sockets[channel].getsockname()[:2]
        return str(host), int(port)

    def request(
        self, channel: int, server: Address, change_ip: bool = False, change_port: bool = False
    ) -> stun.Message | None:
        sock = self.sockets[channel]
        msg = stun.binding_request(change_ip, change_port)
        data = stun.serialize(msg)
        per_try = self.timeout / self.retries
        for _ in range(self.retries):
            sock.sendto(data, server)
            deadline = time.monotonic() + per_try
            while (left := deadline - time.monotonic()) > 0:
                ready, _, _ = select.select([sock], [], [], left)
                if not ready:
                    break
                try:
                    raw, _ = sock.recvfrom(2048)
                    reply = stun.parse(raw)
                except (OSError, stun.StunError):
                    continue
                if reply.transaction_id == msg.transaction_id and reply.klass is stun.Class.SUCCESS:
                    return reply
        return None

    def hairpin(self, from_channel: int, to: Address, channel: int) -> bool:
        token = b"uclab-hairpin"
        self.sockets[from_channel].sendto(token, to)
        deadline = time.monotonic() + self.timeout
        sock = self.sockets[channel]
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                return False
            try:
                raw, _ = sock.recvfrom(2048)
            except OSError:
                continue
            if raw == token:
                return True
        return False
