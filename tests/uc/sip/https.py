"""A minimal HTTPS/1.1 client that runs inside a lab host (a socket opened in its namespace).

Enough to log in to the UC API through the front door from wherever a test puts the
client (office LAN, home behind NAT): the request really crosses the simulated network.
"""

from __future__ import annotations

import json
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.lab import Lab


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    lab: Lab,
    host: str,
    address: str,
    port: int,
    method: str,
    path: str,
    *,
    body: Any = None,
    ca_file: Path | None = None,
    tls: bool = True,
    timeout: float = 5.0,
) -> Reply:
    sock = lab.socket(host, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((address, port))
        conn: socket.socket = sock
        if tls:
            ctx = ssl.create_default_context(cafile=str(ca_file)) if ca_file else ssl._create_unverified_context()
            ctx.check_hostname = False
            conn = ctx.wrap_socket(sock)
        data = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {address}:{port}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        conn.sendall(head.encode() + data)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    finally:
        sock.close()
    response = b"".join(chunks)
    status_line, _, rest = response.partition(b"\r\n")
    _, _, payload = rest.partition(b"\r\n\r\n")
    return Reply(int(status_line.split(b" ")[1]), payload)
