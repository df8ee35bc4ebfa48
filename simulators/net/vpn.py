"""WireGuard VPNs with wireguard-go (userspace; this kernel has no WireGuard module).

Each end runs `wireguard-go -f wgN` inside its namespace, with a private mount namespace
and its own /run so the control socket never appears in the host's /run. The lab talks to
that socket through `/proc/<pid>/root/run/wireguard/wgN.sock` with the cross-platform
UAPI text protocol (`set=1`, hex keys), so no `wg`/`nsenter` process is needed.

The server peer allows each client's VPN address (/32); a client configured without an
address (TRB-1: the VPN gives no address from the VPN network) gets a peer with no
allowed IPs on the server, so the server drops everything it sends: "connection time out".
"""

from __future__ import annotations

import os
import socket
import time
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from .errors import LabError
from .process import LabProcess, spawn
from .routing import vpn_endpoint, vpn_ifname, vpn_routes

if TYPE_CHECKING:
    from .links import Links

KEEPALIVE_S = 25


class Keys:
    def __init__(self) -> None:
        key = X25519PrivateKey.generate()
        self.private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
        self.public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def uapi(pid: int, ifname: str, request: str, timeout: float = 2.0) -> str:
    """Send one UAPI request to the wireguard-go of `pid`; raise on a non-zero errno."""
    path = f"/proc/{pid}/root/run/wireguard/{ifname}.sock"
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise LabError(f"wireguard-go {pid} has no control socket {path}")
        time.sleep(0.002)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(request.encode() + b"\n")
        data = b""
        while not data.endswith(b"\n\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    reply = data.decode()
    if "errno=0" not in reply:
        raise LabError(f"wireguard-go rejected the configuration of {ifname}: {reply.strip()}")
    return reply


def _start(net: Links, node: str, ifname: str) -> LabProcess:
    proc = spawn(
        net.ns(node),
        ["wireguard-go", "-f", ifname],
        name=f"wireguard-go-{ifname}",
        host=node,
        log=net.run.path("logs", f"{node}.wireguard-{ifname}.log"),
        watch=True,
        private_run=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LOG_LEVEL": "verbose"},
    )
    proc.wait_for("UAPI listener started", timeout=5.0)
    return proc


class VpnSetup:
    """Two phases: `start` creates the tunnels (before routes exist, which need the
    devices), `connect` gives the clients their peer (after routes exist, so the first
    handshake goes out at once instead of waiting for WireGuard's 5 s retry)."""

    def __init__(self, net: Links):
        self.net = net
        self.processes: list[LabProcess] = []
        self._clients: list[tuple[LabProcess, str, str]] = []  # process, ifname, UAPI request

    def start(self) -> list[LabProcess]:
        net, topo = self.net, self.net.topo
        for vname, vpn in topo.vpns.items():
            ifname = vpn_ifname(topo, vname)
            server_keys = Keys()
            client_keys = {c: Keys() for c in vpn.clients}
            server = _start(net, vpn.server, ifname)
            self.processes.append(server)
            peers = ""
            for client, keys in client_keys.items():
                peers += f"public_key={keys.public}\nreplace_allowed_ips=true\n"
                address = vpn.clients[client].address
                if address is not None:
                    peers += f"allowed_ip={address}/32\n"
            uapi(
                server.pid,
                ifname,
                f"set=1\nprivate_key={server_keys.private}\nlisten_port={vpn.port}\nreplace_peers=true\n{peers}",
            )
            net.configure_interface(vpn.server, ifname, [vpn.server_address], vpn.subnet.prefixlen)
            endpoint = vpn_endpoint(topo, vname)
            allowed = "".join(f"allowed_ip={n}\n" for n in [vpn.subnet, *vpn_routes(topo, vname)])
            for client, keys in client_keys.items():
                proc = _start(net, client, ifname)
                self.processes.append(proc)
                uapi(proc.pid, ifname, f"set=1\nprivate_key={keys.private}\n")
                address = vpn.clients[client].address
                net.configure_interface(client, ifname, [address] if address else [], vpn.subnet.prefixlen)
                self._clients.append(
                    (
                        proc,
                        ifname,
                        f"set=1\nreplace_peers=true\npublic_key={server_keys.public}\n"
                        f"endpoint={endpoint}:{vpn.port}\npersistent_keepalive_interval={KEEPALIVE_S}\n{allowed}",
                    )
                )
        return self.processes

    def connect(self) -> None:
        for proc, ifname, request in self._clients:
            uapi(proc.pid, ifname, request)
