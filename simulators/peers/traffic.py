"""Small traffic tools for the simulator's integration tests: UDP echo, UDP/TCP probes.

Every socket is created inside a lab host (`lab.socket`), so all traffic is that host's.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

from simulators.lab import Lab


@contextlib.contextmanager
def _serving(sock: socket.socket, handle: Callable[[], None]) -> Iterator[None]:
    """Call `handle` whenever `sock` is readable, in a thread, until the block ends."""
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            if select.select([sock], [], [], 0.05)[0]:
                handle()
        # what arrived before the block ended is served too (a connect returns when the
        # kernel completed the handshake, before this thread accepted it)
        while select.select([sock], [], [], 0)[0]:
            handle()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(1)
        sock.close()


@contextlib.contextmanager
def udp_echo(lab: Lab, host: str, port: int, address: str | None = None) -> Iterator[list[tuple[str, int]]]:
    """Echo every datagram back from `host:port`; yields the list of peers seen."""
    sock = lab.socket(host, socket.SOCK_DGRAM)
    sock.bind((address or lab.address(host), port))
    seen: list[tuple[str, int]] = []

    def echo() -> None:
        data, peer = sock.recvfrom(4096)
        seen.append(peer)
        sock.sendto(data, peer)

    with _serving(sock, echo):
        yield seen


def udp_roundtrip(
    lab: Lab, host: str, dst: tuple[str, int], src_port: int = 0, timeout: float = 0.5, tries: int = 3
) -> bool:
    """Does a datagram from host (optionally from src_port) to dst come back?"""
    sock = lab.socket(host, socket.SOCK_DGRAM)
    try:
        sock.bind((lab.address(host), src_port))
        for i in range(tries):
            token = f"probe-{i}".encode()
            sock.sendto(token, dst)
            deadline = time.monotonic() + timeout / tries
            while (left := deadline - time.monotonic()) > 0:
                if not select.select([sock], [], [], left)[0]:
                    break
                data, _ = sock.recvfrom(4096)
                if data == token:
                    return True
        return False
    finally:
        sock.close()


class Peers(list[tuple[str, int]]):
    """The peers a listener accepted, in order; `arrived(n)` waits until it holds n."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = threading.Condition()

    def add(self, peer: tuple[str, int]) -> None:
        with self._changed:
            self.append(peer)
            self._changed.notify_all()

    def arrived(self, n: int, timeout: float = 3.0) -> bool:
        """A client's connect() returns on the SYN-ACK; the server has the connection only
        once the client's ACK arrived, which a host that moves at once (roaming through a
        userspace VPN) can lose. Wait for the server's side before changing the network."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self) >= n, timeout)


@contextlib.contextmanager
def tcp_listener(lab: Lab, host: str, port: int) -> Iterator[Peers]:
    """Accept TCP connections on host:port; yields the peers that connected."""
    sock = lab.socket(host, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((lab.address(host), port))
    sock.listen(16)
    peers = Peers()

    def accept() -> None:
        conn, peer = sock.accept()
        peers.add(peer)
        conn.close()

    with _serving(sock, accept):
        yield peers


def tcp_connects(lab: Lab, host: str, dst: tuple[str, int], timeout: float = 0.7) -> bool:
    sock = lab.socket(host, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(dst)
        return True
    except OSError:
        return False
    finally:
        sock.close()
