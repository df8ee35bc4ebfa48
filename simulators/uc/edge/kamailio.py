"""The SIP edge: Kamailio's generated configuration, subscriber table, process and RPC.

`EdgeSettings` says where Kamailio listens and whom it talks to; `render` writes the stub's
`kamailio.cfg` (the static routing script next to this module) and `uc-defs.cfg` (listen
sockets, aliases, realm, ports, paths: one `#!substdef` per value) into the stub's
directory; `write_subscribers` writes the digest table (HA1 only, from the stub state)
as an SQLite file for auth_db. `argv` runs Kamailio in the foreground (-DD -E), logging
to stderr, which the lab tees into the run's logs. `Rpc` talks JSON-RPC over the Unix
datagram socket in the stub's directory (ul.dump, ul.rm, core.uptime).

Sockets (system host):
    udp/tcp LAN:5060, tls LAN:5061     desk phones, DECT, SIPp, baresip
    tcp 127.0.0.1:5090                 behind the front door (8802), PROXY v1 header first
    udp 127.0.0.1:5060                 the call core's side (worker i at 127.0.0.1:5100+i)
    tcp 127.0.0.1:8448                 evapi: the UC server's registration decisions
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..authlimits import AuthLimits
from ..tls import TLS12_CIPHERS

TEMPLATE = Path(__file__).with_name("kamailio.cfg")
KAMAILIO = "kamailio"
SUBSCRIBER_VERSION = 7  # auth_db's table version in Kamailio 5.6


@dataclass(frozen=True)
class Account:
    """One SIP digest account as Kamailio needs it (never the password)."""

    username: str
    ha1: str


@dataclass
class EdgeSettings:
    lan_ip: str
    realm: str
    directory: Path
    tls_cert: Path
    tls_key: Path
    sip_port: int = 5060
    tls_port: int = 5061
    door_port: int = 5090
    internal_port: int = 5060
    core_port: int = 5100
    core_workers: int = 3
    evapi_port: int = 8448
    door_endpoints: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    children: int = 2
    tcp_children: int = 1
    """one TCP/TLS reader: with two, Kamailio 5.6.3's tls module on OpenSSL 3 crashes under
    parallel handshakes (a double free in shared memory; sslyze scans of 5061 killed it in
    4 of 6 runs with 2 readers, 0 of 8 with 1; 5.6.3 has no tls_threads_mode)"""
    debug: int = 2
    min_expires: int = 60
    max_expires: int = 300
    natping_s: int = 20
    fr_inv_ms: int = 60_000
    ul_timer_s: int = 10
    sockets: Path | None = None
    """where the RPC socket goes (default: `directory`); a lab gives a short socket directory"""
    auth_limits: AuthLimits = field(default_factory=AuthLimits)

    @property
    def cfg_path(self) -> Path:
        return self.directory / "kamailio.cfg"

    @property
    def defs_path(self) -> Path:
        return self.directory / "uc-defs.cfg"

    @property
    def auth_db(self) -> Path:
        return self.directory / "subscriber.sqlite"

    @property
    def rpc_socket(self) -> Path:
        return (self.sockets or self.directory) / "kamailio-rpc.sock"

    @property
    def dispatcher_list(self) -> Path:
        return self.directory / "dispatcher.list"

    @property
    def pid_file(self) -> Path:
        return self.directory / "kamailio.pid"

    def listen_lines(self) -> list[str]:
        lan, i = self.lan_ip, "127.0.0.1"
        return [
            f"listen=udp:{lan}:{self.sip_port}",
            f"listen=tcp:{lan}:{self.sip_port}",
            f"listen=tls:{lan}:{self.tls_port}",
            f"listen=udp:{i}:{self.internal_port}",
            f"listen=tcp:{i}:{self.door_port}",
        ]

    def alias_lines(self) -> list[str]:
        endpoints = [f"{self.lan_ip}:8802", *self.door_endpoints]
        return [f"alias={e}" for e in dict.fromkeys(endpoints)] + [f"alias={d}" for d in dict.fromkeys(self.domains)]

    def substitutions(self) -> dict[str, str]:
        return {
            "UC_LAN_IP": self.lan_ip,
            "UC_REALM": self.realm,
            "UC_DOOR_PORT": str(self.door_port),
            "UC_INTERNAL_PORT": str(self.internal_port),
            "UC_CORE_PORT": str(self.core_port),
            "UC_CORE_WORKERS": str(self.core_workers),
            "UC_DISPATCHER_LIST": str(self.dispatcher_list),
            "UC_EVAPI_PORT": str(self.evapi_port),
            "UC_RPC_SOCKET": str(self.rpc_socket),
            "UC_AUTH_DB_URL": f"sqlite://{self.auth_db}",
            "UC_TLS_CERT": str(self.tls_cert),
            "UC_TLS_KEY": str(self.tls_key),
            "UC_TLS_CIPHERS": ":".join(TLS12_CIPHERS),
            "UC_CHILDREN": str(self.children),
            "UC_TCP_CHILDREN": str(self.tcp_children),
            "UC_DEBUG": str(self.debug),
            "UC_MIN_EXPIRES": str(self.min_expires),
            "UC_MAX_EXPIRES": str(self.max_expires),
            "UC_NATPING_S": str(self.natping_s),
            "UC_FR_INV_MS": str(self.fr_inv_ms),
            "UC_UL_TIMER_S": str(self.ul_timer_s),
            "UC_AUTH_SOURCE_MAX": str(self.auth_limits.source_failures),
            "UC_AUTH_ACCOUNT_MAX": str(self.auth_limits.account_failures),
            "UC_AUTH_WINDOW_S": str(self.auth_limits.window_s),
            "UC_AUTH_BLOCK_S": str(self.auth_limits.block_s),
            "UC_AUTH_KNOWN_S": str(self.auth_limits.known_source_s),
        }


def _check_value(name: str, value: str) -> str:
    for bad in ('"', "!", "\n", "\r"):
        if bad in value:
            raise ValueError(f"Kamailio setting {name}={value!r} contains {bad!r}; use a plain address, name or path")
    return value


def defs_text(settings: EdgeSettings) -> str:
    lines = ["# generated by simulators/uc/edge/kamailio.py for one stub start; do not edit"]
    for name, value in settings.substitutions().items():
        lines.append(f'#!substdef "!{name}!{_check_value(name, value)}!g"')
    if settings.auth_limits.enabled:
        lines.append("#!define UC_AUTH_LIMITS")
    lines += settings.listen_lines() + settings.alias_lines()
    return "\n".join(lines) + "\n"


def render(settings: EdgeSettings) -> Path:
    """Write kamailio.cfg and uc-defs.cfg into the stub directory; returns the cfg path."""
    settings.directory.mkdir(parents=True, exist_ok=True)
    settings.defs_path.write_text(defs_text(settings))
    workers = [f"1 sip:127.0.0.1:{settings.core_port + i}" for i in range(settings.core_workers)]
    settings.dispatcher_list.write_text("# the call core's workers (set 1)\n" + "\n".join(workers) + "\n")
    shutil.copyfile(TEMPLATE, settings.cfg_path)
    return settings.cfg_path


_SUBSCRIBER_SCHEMA = """
CREATE TABLE IF NOT EXISTS version (table_name VARCHAR(32) NOT NULL PRIMARY KEY, table_version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscriber (
    id INTEGER PRIMARY KEY AUTOINCREMENT, username VARCHAR(64) NOT NULL DEFAULT '',
    domain VARCHAR(64) NOT NULL DEFAULT '', password VARCHAR(64) NOT NULL DEFAULT '',
    ha1 VARCHAR(128) NOT NULL DEFAULT '', ha1b VARCHAR(128) NOT NULL DEFAULT '',
    CONSTRAINT account_idx UNIQUE (username, domain));
CREATE INDEX IF NOT EXISTS username_idx ON subscriber (username);
"""


def write_subscribers(path: Path, accounts: Iterable[Account]) -> int:
    """Create the auth_db subscriber table if needed and set its rows to `accounts`, in place.

    In place (one transaction), not by replacing the file: Kamailio keeps the database
    open, and reads the table on every authentication. Username + HA1 only, never a
    password. Returns the number of accounts.
    """
    rows = [(a.username, a.ha1) for a in accounts]
    db = sqlite3.connect(path, timeout=10.0)
    try:
        db.executescript(_SUBSCRIBER_SCHEMA)
        with db:
            db.execute("INSERT OR REPLACE INTO version VALUES ('subscriber', ?)", (SUBSCRIBER_VERSION,))
            db.execute("DELETE FROM subscriber")
            db.executemany("INSERT INTO subscriber (username, ha1) VALUES (?, ?)", rows)
    finally:
        db.close()
    return len(rows)


def argv(settings: EdgeSettings) -> list[str]:
    return [
        KAMAILIO,
        "-f",
        str(settings.cfg_path),
        "-DD",
        "-E",
        "-P",
        str(settings.pid_file),
        "-Y",
        str(settings.directory),
    ]


def check_config(settings: EdgeSettings, timeout: float = 10.0) -> None:
    """`kamailio -c`: raise with Kamailio's own error lines when the generated cfg is bad."""
    import subprocess

    result = subprocess.run(
        [KAMAILIO, "-c", "-f", str(settings.cfg_path)], capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        errors = [
            line for line in (result.stderr + result.stdout).splitlines() if "ERROR" in line or "CRITICAL" in line
        ]
        raise RuntimeError(f"Kamailio rejects {settings.cfg_path}:\n" + "\n".join(errors[-15:]))


class RpcError(RuntimeError):
    """A Kamailio JSON-RPC command failed or got no answer."""


@dataclass
class Rpc:
    """JSON-RPC over Kamailio's Unix datagram socket (jsonrpcs transport 4)."""

    path: Path
    timeout: float = 2.0

    def call(self, method: str, *params: Any) -> Any:
        request = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1}
        with tempfile.TemporaryDirectory(prefix="ucrpc") as tmp:
            reply_path = Path(tmp) / f"{uuid.uuid4().hex[:8]}.sock"
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                sock.bind(str(reply_path))
                sock.settimeout(self.timeout)
                sock.sendto(json.dumps(request).encode(), str(self.path))
                data = sock.recv(1 << 20)
            except (OSError, TimeoutError) as exc:
                raise RpcError(f"Kamailio RPC {method} on {self.path}: {exc}") from exc
            finally:
                sock.close()
        reply = json.loads(data)
        if "error" in reply:
            raise RpcError(f"Kamailio RPC {method}: {reply['error'].get('message', reply['error'])}")
        return reply.get("result")

    def registrations(self) -> dict[str, list[dict[str, Any]]]:
        """{device user: [contact records]} from ul.dump (empty when nobody is registered)."""
        result = self.call("ul.dump")
        out: dict[str, list[dict[str, Any]]] = {}
        for domain in (result or {}).get("Domains", []):
            for entry in domain.get("Domain", {}).get("AoRs", []):
                info = entry.get("Info", {})
                out[str(info.get("AoR"))] = [c.get("Contact", c) for c in info.get("Contacts", [])]
        return out
