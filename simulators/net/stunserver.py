"""coturn as a STUN server on a lab host.

With two listening addresses coturn answers RFC 5780 requests (OTHER-ADDRESS,
CHANGE-REQUEST), which NAT type detection needs; with one it answers plain Binding
requests only (pjnath then reports 420 "configured without RFC 5780 support").
Readiness is proven, not assumed: after coturn reports its servers, a Binding request is
sent to every listening address from inside the host and must be answered.
"""

from __future__ import annotations

import socket
from ipaddress import IPv4Address
from pathlib import Path

from . import natclassify
from .errors import LabError
from .probe import open_socket
from .process import LabProcess, spawn

STUN_PORT = 3478


def start(
    ns: str, host: str, addresses: list[IPv4Address], run_dir: Path, port: int = STUN_PORT, name: str = "stun"
) -> LabProcess:
    if not addresses:
        raise LabError(f"STUN server on {host} needs at least one address")
    argv = ["turnserver", "-n", "--no-auth", "--no-cli", "--no-tls", "--no-dtls", "--simple-log"]
    argv += [f"--listening-ip={a}" for a in addresses]
    argv += [
        f"--listening-port={port}",
        f"--relay-ip={addresses[0]}",
        "--log-file=stdout",
        f"--pidfile={run_dir / f'{host}.{name}.pid'}",
        f"--userdb={run_dir / f'{host}.{name}.db'}",
        "--no-tcp-relay",
    ]
    proc = spawn(ns, argv, name=f"coturn-{name}", host=host, log=run_dir / "logs" / f"{host}.{name}.log", watch=True)
    proc.wait_for(r"Total General servers", timeout=10.0)
    for addr in addresses:
        sock = open_socket(ns, socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((str(addr), 0))
            reply = natclassify.SocketTransport([sock], timeout=2.0, retries=10).request(0, (str(addr), port))
        finally:
            sock.close()
        if reply is None:
            proc.stop()
            raise LabError(f"coturn on {host} does not answer STUN on {addr}:{port}; see {proc.log}")
    return proc
