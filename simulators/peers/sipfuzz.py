"""Sending a fuzzing campaign from inside a lab host: UDP datagrams, TCP or TLS streams, answers counted.

    tally = send_udp(lab, "desk_phone", ("192.168.1.60", 5070), ("192.168.1.30", 5060), messages, per_s=2000)
    tally = send_stream(lab, "desk_phone", ("192.168.1.30", 5061), messages, tls=True, per_connection=200)
    tally.sent, tally.answers, tally.server_errors

The messages (mutator.py makes them) cross the lab network from sockets opened in the
sender's namespace, paced to `per_s` so the target's socket buffers, not the sender, set
what is dropped. Answers are counted by status class from what comes back: on UDP every
datagram that starts with a status line, on a stream every status line at a message
boundary. A stream is reopened after `per_connection` messages (so a front door that
decides per connection sees many first lines) and whenever the peer closes it or stops
reading for STREAM_PATIENCE_S: a lying Content-Length makes a server wait for a body that
never comes, and it may close the connection for bad framing; both are counted
(`connections`). Nothing here judges: the caller asserts on the target afterwards.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from simulators.lab import Lab

STREAM_PATIENCE_S = 1.0
DRAIN_S = 1.0
"""after the last message, answers are collected this long"""
_STATUS = re.compile(rb"(?:^|\r\n\r\n|\n\n)SIP/2\.0 ([1-6])\d\d ")
_SERVER_ERROR = re.compile(rb"(?:^|\r\n\r\n|\n\n)(SIP/2\.0 5\d\d [^\r\n]*)")
NOTED = 5


@dataclass
class Tally:
    transport: str
    target: str
    sent: int = 0
    answers: Counter[int] = field(default_factory=Counter)
    """answers by status class: {4: n} counts 4xx"""
    connections: int = 0
    seconds: float = 0.0
    server_error_lines: list[str] = field(default_factory=list)
    """the status lines of the first few 5xx answers (what to look for in the stub's logs)"""

    @property
    def answered(self) -> int:
        return sum(self.answers.values())

    @property
    def server_errors(self) -> int:
        return self.answers.get(5, 0)

    def count_datagram(self, data: bytes) -> None:
        """Count a datagram that came back if it is a response (starts with a status line)."""
        if data.startswith(b"SIP/2.0 ") and data[8:9].isdigit():
            self.answers[int(data[8:9])] += 1
            if data[8:9] == b"5":
                self._note(data)

    def count_stream(self, data: bytes) -> None:
        """Count every status line at a message boundary of what a stream read."""
        self.answers.update(int(c) for c in _STATUS.findall(data))
        for m in _SERVER_ERROR.finditer(data):
            self._note(m.group(1))

    def _note(self, data: bytes) -> None:
        if len(self.server_error_lines) < NOTED:
            self.server_error_lines.append(data.split(b"\r\n", 1)[0].decode("utf-8", "replace"))

    def add(self, other: Tally) -> None:
        self.sent += other.sent
        self.answers.update(other.answers)
        self.connections += other.connections
        self.seconds += other.seconds
        self.server_error_lines += other.server_error_lines[: NOTED - len(self.server_error_lines)]


def _pace(t0: float, n: int, per_s: float) -> None:
    """Wait until message n is due at per_s messages per second since t0."""
    due = t0 + n / per_s
    if (left := due - time.monotonic()) > 0:
        time.sleep(left)


def send_udp(
    lab: Lab, host: str, bind: tuple[str, int], target: tuple[str, int], messages: Iterable[bytes], per_s: float
) -> Tally:
    """Every message as one datagram from `bind`, `per_s` per second; answers counted meanwhile."""
    tally = Tally("UDP", f"{target[0]}:{target[1]}", connections=1)
    sock = lab.socket(host)
    done = threading.Event()

    def read() -> None:
        deadline = None
        while deadline is None or time.monotonic() < deadline:
            if deadline is None and done.is_set():
                deadline = time.monotonic() + DRAIN_S
            ready, _, _ = select.select([sock], [], [], 0.05)
            if ready:
                tally.count_datagram(sock.recv(65535))

    t0 = time.monotonic()
    try:
        sock.bind(bind)
        reader = threading.Thread(target=read, name="fuzz-udp-answers", daemon=True)
        reader.start()
        for n, message in enumerate(messages):
            _pace(t0, n, per_s)
            with contextlib.suppress(OSError):  # ICMP errors of earlier datagrams, oversize
                sock.sendto(message, target)
                tally.sent += 1
        done.set()
        reader.join(DRAIN_S + 5)
    finally:
        sock.close()
    tally.seconds = time.monotonic() - t0
    return tally


class _Stream:
    """One TCP (or TLS) connection from inside a lab host; what it read, for counting."""

    def __init__(self, lab: Lab, host: str, target: tuple[str, int], tls: bool) -> None:
        raw = lab.socket(host, socket.SOCK_STREAM)
        raw.settimeout(STREAM_PATIENCE_S * 3)
        raw.connect(target)
        self.sock: socket.socket = raw
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(raw)
        self.sock.settimeout(STREAM_PATIENCE_S)
        self.read = b""

    def send(self, message: bytes) -> None:
        self.sock.settimeout(STREAM_PATIENCE_S)
        self.sock.sendall(message)
        self.drain(0.0)

    def drain(self, wait: float) -> None:
        """Read what has arrived (and for `wait` seconds more); OSError when the peer closed."""
        deadline = time.monotonic() + wait
        self.sock.settimeout(0.0)  # a readable TCP socket may hold half a TLS record
        while True:
            try:
                chunk = self.sock.recv(65535)
            except (ssl.SSLWantReadError, BlockingIOError):
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                    return
                continue
            if not chunk:
                raise ConnectionError("closed by the peer")
            self.read += chunk

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def send_stream(
    lab: Lab,
    host: str,
    target: tuple[str, int],
    messages: Iterable[bytes],
    *,
    tls: bool,
    per_connection: int = 200,
    per_s: float = 1000.0,
) -> Tally:
    """Every message on a TCP (tls=False) or TLS connection to `target`, reopened after
    `per_connection` messages and whenever it fails; answers counted by status class."""
    tally = Tally("TLS" if tls else "TCP", f"{target[0]}:{target[1]}")
    stream: _Stream | None = None

    def close() -> None:
        nonlocal stream
        if stream is not None:
            tally.count_stream(stream.read)
            stream.close()
            stream = None

    t0 = time.monotonic()
    try:
        for n, message in enumerate(messages):
            _pace(t0, n, per_s)
            if stream is not None and n % per_connection == 0:
                with contextlib.suppress(OSError):
                    stream.drain(0.05)
                close()
            for _ in range(2):  # a connection the server closed or stalled: once more on a new one
                try:
                    if stream is None:
                        stream = _Stream(lab, host, target, tls)
                        tally.connections += 1
                    stream.send(message)
                    tally.sent += 1
                    break
                except OSError:  # ssl.SSLError and ConnectionError are OSErrors
                    close()
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.drain(DRAIN_S)
    finally:
        close()
    tally.seconds = time.monotonic() - t0
    return tally
