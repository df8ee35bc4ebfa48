"""Raw SIP on the wire from inside a lab host: UDP datagrams, TCP and TLS streams.

The messages really cross the simulated network (sockets opened in the sender's
namespace). Replies are collected by Call-ID so many cases can be in flight at once.
"""

from __future__ import annotations

import re
import select
import socket
import ssl
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from simulators.lab import Lab

_CALL_ID = re.compile(rb"^(?:Call-ID|i)[ \t]*:[ \t]*(.+?)\r?$", re.IGNORECASE | re.MULTILINE)


def call_id(message: bytes) -> bytes | None:
    m = _CALL_ID.search(message)
    return m.group(1).strip() if m else None


def status(reply: bytes) -> int | None:
    if reply.startswith(b"SIP/2.0 "):
        try:
            return int(reply[8:11])
        except ValueError:
            return None
    return None


def udp_exchange(
    lab: Lab, host: str, bind: tuple[str, int], target: tuple[str, int], messages: Iterable[bytes], wait: float
) -> list[bytes]:
    """Send every datagram from `bind`, then collect whatever comes back for `wait` seconds."""
    sock = lab.socket(host)
    try:
        sock.bind(bind)
        for msg in messages:
            sock.sendto(msg, target)
        replies = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([sock], [], [], left)
            if ready:
                replies.append(sock.recv(65535))
        return replies
    finally:
        sock.close()


def stream_exchange(lab: Lab, host: str, target: tuple[str, int], message: bytes, *, tls: bool, wait: float) -> bytes:
    """One connection: send `message`, read until a SIP status line arrives, the peer closes,
    or `wait` seconds pass. Returns what was read (b"" when nothing)."""
    sock = lab.socket(host, socket.SOCK_STREAM)
    sock.settimeout(wait)
    conn: socket.socket = sock
    data = b""
    try:
        sock.connect(target)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = ctx.wrap_socket(sock)
        conn.sendall(message)
        deadline = time.monotonic() + wait
        while b"\r\n\r\n" not in data and (left := deadline - time.monotonic()) > 0:
            conn.settimeout(left)
            chunk = conn.recv(65535)
            if not chunk:
                break
            data += chunk
    except (OSError, TimeoutError):
        pass
    finally:
        conn.close()
    return data


def stream_exchanges(
    lab: Lab, host: str, target: tuple[str, int], messages: list[bytes], *, tls: bool, wait: float, parallel: int = 16
) -> list[bytes]:
    with ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda m: stream_exchange(lab, host, target, m, tls=tls, wait=wait), messages))
