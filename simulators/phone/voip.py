"""myPortal @work VoIP settings (000:2093-2197, 004:340-371; RULES NAT-3, NAT-5, NAT-6). Pure.

* "Check NAT type" has exactly three outcomes: simple, Symmetric, could not be detected.
* "Check ICE status": available when a STUN server answers, else not available.
* ICE servers: a default STUN server that is not listed and cannot be removed; adding a
  server answers "added", "Server is already present" or "Failed to add the server.
  Please check your environment".
* Codec Preselection: off by default; on, the SDP answer carries one codec (the device
  applies it, see simulators.pj.codecs).

The I/O (STUN probes, pjnath's NAT detection) is done by the agent and passed in.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_STUN_PORT = 3478
MSG_ADDED = "Server added"
MSG_PRESENT = "Server is already present"
MSG_FAILED = "Failed to add the server. Please check your environment"
_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


class NatType(StrEnum):
    SIMPLE = "simple"
    SYMMETRIC = "Symmetric"
    UNDETECTED = "could not be detected"

    @property
    def message(self) -> str:
        """The pop-up text of 000:2153-2159."""
        if self is NatType.UNDETECTED:
            return "NAT Type could not be detected."
        return f"NAT Type: {self.value}"


class IceStatus(StrEnum):
    AVAILABLE = "available"
    NOT_AVAILABLE = "not available"


# pjnath's names (pj_stun_get_nat_name) -> the client's outcome
_PJNATH: dict[str, NatType] = {
    "Open": NatType.SIMPLE,
    "Full Cone": NatType.SIMPLE,
    "Restricted": NatType.SIMPLE,
    "Port Restricted": NatType.SIMPLE,
    "Symmetric": NatType.SYMMETRIC,
    "Symmetric UDP": NatType.SYMMETRIC,
    "Blocked": NatType.UNDETECTED,
    "Unknown": NatType.UNDETECTED,
    "ErrUnknown": NatType.UNDETECTED,
}


@dataclass(frozen=True)
class NatCheck:
    outcome: NatType
    reason: str
    local: tuple[str, int] | None = None
    mapped: tuple[str, int] | None = None
    detector: str | None = None


def nat_outcome(
    local: tuple[str, int] | None,
    mapped: tuple[str, int] | None,
    detected: str | None,
    detect_ok: bool = True,
) -> NatCheck:
    """Decide "Check NAT type" from a STUN mapping and pjnath's classification.

    `mapped` None: no STUN server answered (timed out, UDP blocked). A mapping equal to
    the local address means no NAT at all, which pjnath 2.15.1 misreports as "Full Cone":
    that is "simple". Otherwise pjnath's type decides; a failed or unknown detection
    cannot be reported as a type.
    """
    if mapped is None:
        return NatCheck(NatType.UNDETECTED, "no STUN server answered: timed out or UDP is blocked", local)
    if local is not None and mapped == local:
        return NatCheck(NatType.SIMPLE, "no NAT: the STUN server sees the local address", local, mapped, detected)
    if not detect_ok or detected is None:
        return NatCheck(NatType.UNDETECTED, f"NAT type detection failed ({detected or 'timeout'})", local, mapped)
    outcome = _PJNATH.get(detected, NatType.UNDETECTED)
    return NatCheck(outcome, f"pjnath: {detected}", local, mapped, detected)


def ice_status(reachable: bool) -> IceStatus:
    return IceStatus.AVAILABLE if reachable else IceStatus.NOT_AVAILABLE


@dataclass(frozen=True)
class IceServer:
    scheme: str
    host: str
    port: int

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def uri(self) -> str:
        return f"{self.scheme}:{self.hostport}"


class IceServerError(ValueError):
    pass


def parse_ice_server(text: str) -> IceServer:
    """Parse 'stun:host[:port]', 'turn:host[:port][?transport=udp]' or 'host[:port]'."""
    raw = text.strip()
    if not raw:
        raise IceServerError("empty server address; write stun:HOST[:PORT], e.g. stun:192.0.2.10:3478")
    scheme, sep, rest = raw.partition(":")
    if sep and scheme.lower() in ("stun", "turn"):
        scheme = scheme.lower()
    else:
        scheme, rest = "stun", raw
    rest = rest.split("?", 1)[0]
    host, _, port_text = rest.rpartition(":") if ":" in rest else (rest, "", "")
    port = DEFAULT_STUN_PORT
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise IceServerError(f"{text!r}: port {port_text!r} is not 1-65535; write stun:HOST[:PORT]")
        port = int(port_text)
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        if not _HOST_RE.match(host) or host.replace(".", "").isdigit():
            raise IceServerError(f"{text!r}: {host!r} is not an IPv4 address or host name") from None
    return IceServer(scheme, host.lower(), port)


class AddOutcome(StrEnum):
    ADDED = "added"
    PRESENT = "present"
    FAILED = "failed"


@dataclass(frozen=True)
class AddResult:
    outcome: AddOutcome
    message: str
    detail: str = ""


@dataclass
class IceServers:
    """The ICE servers list: a hidden default plus the user's servers, in order."""

    default: IceServer | None = None
    listed: list[IceServer] = field(default_factory=list)

    @classmethod
    def of(cls, default: str | None, listed: list[str]) -> IceServers:
        return cls(parse_ice_server(default) if default else None, [parse_ice_server(s) for s in listed])

    def visible(self) -> list[str]:
        """What the settings page lists: the default server is not shown (000:2181)."""
        return [s.uri for s in self.listed]

    def all(self) -> list[IceServer]:
        return ([self.default] if self.default else []) + self.listed

    def add(self, text: str, reachable: Callable[[IceServer], bool]) -> AddResult:
        """Add a server: invalid or unreachable -> failed; already listed -> present."""
        try:
            server = parse_ice_server(text)
        except IceServerError as exc:
            return AddResult(AddOutcome.FAILED, MSG_FAILED, str(exc))
        if any((s.host, s.port) == (server.host, server.port) for s in self.listed):
            return AddResult(AddOutcome.PRESENT, MSG_PRESENT, server.uri)
        if not reachable(server):
            return AddResult(AddOutcome.FAILED, MSG_FAILED, f"{server.uri} did not answer a STUN Binding request")
        self.listed.append(server)
        return AddResult(AddOutcome.ADDED, MSG_ADDED, server.uri)

    def remove(self, text: str) -> None:
        server = parse_ice_server(text)
        for s in self.listed:
            if (s.host, s.port) == (server.host, server.port):
                self.listed.remove(s)
                return
        if self.default and (self.default.host, self.default.port) == (server.host, server.port):
            raise IceServerError("the default STUN server cannot be removed (000:2181)")
        raise IceServerError(f"{server.uri} is not in the ICE servers list; listed: {self.visible()}")
