"""Raw SIP on the wire from inside a lab host: UDP datagrams, TCP and TLS streams.

`udp_exchange` / `stream_exchange(s)` send prepared messages and collect what comes back;
`Dialogue` asks requests and awaits their final answers on one socket or connection;
`register_with_password` is one digest registration attempt (sipauth.py builds the messages).

The messages really cross the simulated network (sockets opened in the sender's
namespace). Replies are collected by Call-ID so many cases can be in flight at once.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import select
import socket
import ssl
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from simulators.lab import Lab

from . import sipauth

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


def reason(reply: bytes) -> str:
    """The reason phrase of a status line ("" for anything else)."""
    line = reply.split(b"\r\n", 1)[0]
    return line[12:].decode("utf-8", "replace") if status(reply) is not None else ""


class Dialogue:
    """Requests and their final answers over one UDP socket or one TCP/TLS connection,
    opened inside `host` from `bind` (address, port 0 = any) to `target`."""

    def __init__(
        self, lab: Lab, host: str, bind: tuple[str, int], target: tuple[str, int], transport: str, timeout: float = 3.0
    ) -> None:
        self.transport = transport.upper()
        self.target = target
        self.timeout = timeout
        kind = socket.SOCK_DGRAM if self.transport == "UDP" else socket.SOCK_STREAM
        self.sock: socket.socket = lab.socket(host, kind)
        self.sock.bind(bind)
        self.sock.settimeout(timeout)
        self.buffer = b""
        if self.transport != "UDP":
            self.sock.connect(target)
            if self.transport == "TLS":
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                self.sock = ctx.wrap_socket(self.sock)

    @property
    def local(self) -> tuple[str, int]:
        address, port = self.sock.getsockname()[:2]
        return str(address), int(port)

    def ask(self, message: bytes) -> bytes:
        """Send `message`; return its first final (>= 200) answer, b"" if none within the timeout."""
        cid = call_id(message)
        if self.transport == "UDP":
            self.sock.sendto(message, self.target)
        else:
            self.sock.sendall(message)
        deadline = time.monotonic() + self.timeout
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                reply = self._next()
            except (TimeoutError, OSError):
                return b""
            code = status(reply)
            if code is not None and code >= 200 and call_id(reply) == cid:
                return reply
        return b""

    def _next(self) -> bytes:
        if self.transport == "UDP":
            return self.sock.recv(65535)
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65535)
            if not chunk:
                raise ConnectionError("closed by the peer")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        m = re.search(rb"^(?:Content-Length|l)[ \t]*:[ \t]*(\d+)", head, re.IGNORECASE | re.MULTILINE)
        length = int(m.group(1)) if m else 0
        while len(rest) < length:
            chunk = self.sock.recv(65535)
            if not chunk:
                raise ConnectionError("closed by the peer")
            rest += chunk
        self.buffer = rest[length:]
        return head + b"\r\n\r\n" + rest[:length]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def register_with_password(
    lab: Lab,
    host: str,
    bind_ip: str,
    target: tuple[str, int],
    transport: str,
    user: str,
    password: str,
    timeout: float = 3.0,
) -> tuple[int | None, str]:
    """One digest registration attempt (REGISTER, 401, REGISTER with credentials) from `host`:
    the final answer's (status, reason); (None, "") when the registrar did not answer."""
    dialogue = Dialogue(lab, host, (bind_ip, 0), target, transport, timeout)
    try:
        reg = sipauth.Registration(user, target, dialogue.local, dialogue.transport, f"reg-{secrets.token_hex(6)}")
        first = dialogue.ask(reg.message(1))
        challenge = sipauth.Challenge.parse(first)
        if challenge is None:
            return status(first), reason(first)
        answer = dialogue.ask(reg.message(2, challenge.authorization(user, password, "REGISTER", reg.uri)))
        return status(answer), reason(answer)
    finally:
        dialogue.close()
