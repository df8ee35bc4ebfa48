"""myPortal @work server connections (000:300-330, 000:1966-2016, 004:125; RULES UC-LOGIN-1). Pure.

Up to four server connections; each has a user name (the internal number), a LAN and a
WAN server address written `address:port` in one field (default port 8802). The client
logs in through the selected connection, trying its LAN address first and then its WAN
address: with both configured, one profile serves in the office and at home (004:125).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

DEFAULT_PORT = 8802
MAX_CONNECTIONS = 4
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
EXAMPLE = "write address:port, e.g. 192.168.1.30:8802"


class ServerSettingError(ValueError):
    """A server connection setting is wrong; the message names the field and the fix."""


@dataclass(frozen=True)
class ServerAddress:
    host: str
    port: int = DEFAULT_PORT

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def parse_address(text: str, field: str = "server address") -> ServerAddress:
    raw = text.strip()
    if not raw:
        raise ServerSettingError(f"{field} is empty; {EXAMPLE}")
    if raw.count(":") > 1:
        raise ServerSettingError(f"{field} {raw!r} has more than one ':'; {EXAMPLE}")
    host, sep, port_text = raw.partition(":")
    if sep and not port_text:
        raise ServerSettingError(
            f"{field} {raw!r} ends with ':' but no port; {EXAMPLE} (or leave out ':port' for 8802)"
        )
    port = DEFAULT_PORT
    if sep:
        if not port_text.isdigit():
            raise ServerSettingError(f"{field} {raw!r}: port {port_text!r} is not a number; {EXAMPLE}")
        port = int(port_text)
        if not 1 <= port <= 65535:
            raise ServerSettingError(f"{field} {raw!r}: port {port} is out of range 1-65535; {EXAMPLE}")
    if re.fullmatch(r"[\d.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise ServerSettingError(f"{field} {raw!r}: {host!r} is not a valid IPv4 address; {EXAMPLE}") from None
    elif not _HOST_RE.match(host):
        raise ServerSettingError(f"{field} {raw!r}: {host!r} is not an IP address or host name; {EXAMPLE}")
    return ServerAddress(host.lower(), port)


@dataclass(frozen=True)
class ServerConnection:
    index: int
    user: str
    lan: ServerAddress | None = None
    wan: ServerAddress | None = None


@dataclass(frozen=True)
class Attempt:
    index: int
    network: Literal["lan", "wan"]
    address: ServerAddress


class ServerConnections:
    """Connections 1-4 of the login screen / User account tab."""

    def __init__(self) -> None:
        self._slots: dict[int, ServerConnection] = {}

    def configure(self, index: int, user: str, lan: str | None = None, wan: str | None = None) -> ServerConnection:
        if not 1 <= index <= MAX_CONNECTIONS:
            raise ServerSettingError(f"server connection {index} does not exist; choose 1-{MAX_CONNECTIONS}")
        if not re.fullmatch(r"\d{1,16}", user or ""):
            raise ServerSettingError(
                f"user name {user!r} of connection {index} must be the internal phone number (digits), e.g. 330"
            )
        if not (lan or "").strip() and not (wan or "").strip():
            raise ServerSettingError(
                f"connection {index} needs a LAN or a WAN server address; {EXAMPLE} (the WAN one for Internet access)"
            )
        conn = ServerConnection(
            index,
            user,
            parse_address(lan, f"LAN server address of connection {index}") if lan and lan.strip() else None,
            parse_address(wan, f"WAN server address of connection {index}") if wan and wan.strip() else None,
        )
        self._slots[index] = conn
        return conn

    def clear(self, index: int) -> None:
        self._slots.pop(index, None)

    def get(self, index: int) -> ServerConnection:
        if index not in self._slots:
            configured = sorted(self._slots) or "none"
            raise ServerSettingError(f"server connection {index} is not configured; configured: {configured}")
        return self._slots[index]

    def connections(self) -> list[ServerConnection]:
        return [self._slots[i] for i in sorted(self._slots)]

    def attempts(self, selected: int) -> list[Attempt]:
        """The order the client tries for the selected connection: LAN, then WAN."""
        conn = self.get(selected)
        order: list[Attempt] = []
        if conn.lan is not None:
            order.append(Attempt(selected, "lan", conn.lan))
        if conn.wan is not None:
            order.append(Attempt(selected, "wan", conn.wan))
        return order
