"""Probes: sockets that live inside lab hosts.

A socket belongs to the network namespace of the thread that created it, for its whole
life. So the orchestrator can open a socket *inside* a host (the thread enters the
namespace only for the `socket()` call) and every packet of it stays in the lab: it is
that host sending. This gives in-lab probes without a process per probe.

`ping_matrix` sends ICMP echo requests from many hosts to many targets at once over raw
sockets and collects replies in one select loop: the lab's "verified ready" check costs a
few milliseconds instead of a `ping` process per pair.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import time
from collections.abc import Iterable
from ipaddress import IPv4Address

from . import netns


def open_socket(ns: str, family: int = socket.AF_INET, kind: int = socket.SOCK_DGRAM, proto: int = 0) -> socket.socket:
    """A socket created inside namespace `ns`."""
    with netns.entered(ns):
        return socket.socket(family, kind, proto)


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return int(~total & 0xFFFF)


def _echo(ident: int, seq: int) -> bytes:
    header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    payload = b"uclab-probe"
    csum = _checksum(header + payload)
    return struct.pack("!BBHHH", 8, 0, csum, ident, seq) + payload


def ping_matrix(
    pairs: Iterable[tuple[str, str, IPv4Address]],
    timeout: float = 2.0,
    retry_every: float = 0.05,
) -> dict[tuple[str, IPv4Address], bool]:
    """Ping every (source name, source namespace, target) at once; True where a reply came.

    Unanswered requests are re-sent every `retry_every` seconds until `timeout` (the first
    packet to a new neighbour can be held while ARP resolves).
    """
    pairs = list(pairs)
    socks: dict[str, socket.socket] = {}
    pending: dict[tuple[str, int], tuple[str, IPv4Address]] = {}
    result: dict[tuple[str, IPv4Address], bool] = {}
    ident = os.getpid() & 0xFFFF
    try:
        for i, (name, ns, target) in enumerate(pairs):
            if name not in socks:
                s = open_socket(ns, socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                s.setblocking(False)
                socks[name] = s
            pending[(name, i + 1)] = (name, target)
            result[(name, target)] = False
        by_fd = {s.fileno(): n for n, s in socks.items()}
        deadline = time.monotonic() + timeout
        next_send = 0.0
        while pending and time.monotonic() < deadline:
            now = time.monotonic()
            if now >= next_send:
                for (name, seq), (_, target) in pending.items():
                    try:
                        socks[name].sendto(_echo(ident, seq), (str(target), 0))
                    except OSError:
                        pass  # e.g. no route: stays unanswered
                next_send = now + retry_every
            ready, _, _ = select.select(list(by_fd), [], [], max(0.0, min(next_send, deadline) - time.monotonic()))
            for fd in ready:
                name = by_fd[fd]
                while True:
                    try:
                        packet, (src, _) = socks[name].recvfrom(2048)
                    except BlockingIOError:
                        break
                    ihl = (packet[0] & 0x0F) * 4
                    kind, _, _, rid, seq = struct.unpack("!BBHHH", packet[ihl : ihl + 8])
                    key = (name, seq)
                    if kind == 0 and rid == ident and key in pending and str(pending[key][1]) == src:
                        result[pending.pop(key)] = True
    finally:
        for s in socks.values():
            s.close()
    return result


def tcp_connect(ns: str, host: str, port: int, timeout: float = 1.0, source: str | None = None) -> bool:
    """Can a TCP connection from inside `ns` be opened to host:port within `timeout`?"""
    s = open_socket(ns, socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        if source:
            s.bind((source, 0))
        s.connect((host, port))
        return True
    except OSError:
        return False
    finally:
        s.close()
