"""Named SIP ALG behaviours for the NFQUEUE middlebox.

A behaviour says which packets it wants to see (`queue_matches`: iptables matches, each
queued in the router's FORWARD path) and what it does with each one (`handle`). The
middlebox sees packets after inbound DNAT and before outbound SNAT, i.e. with inside
addresses, and knows the direction (outbound = arrived on an inside interface).

Behaviours are registered by name with `@behaviour`; topologies select one with
`sip_alg: faulty:<name>`. The built-ins here prove the hook (passthrough, a header mark);
the behaviours that reproduce the documented ALG symptoms (004:379-387) are added by the
network suites' issue alongside them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

SIP_MATCHES = ["-p udp --dport 5060", "-p udp --sport 5060", "-p tcp --dport 5060", "-p tcp --sport 5060"]


@dataclass
class Decision:
    """What to do with a packet: accept (optionally with a new L4 payload) or drop."""

    verdict: str = "accept"  # accept | drop
    payload: bytes | None = None
    note: str = ""


@dataclass
class Packet:
    """The parts of a queued packet a behaviour may look at."""

    proto: str  # udp | tcp
    src: str
    sport: int
    dst: str
    dport: int
    payload: bytes
    outbound: bool


@dataclass
class AlgBehaviour:
    name: ClassVar[str] = ""
    symptom: ClassVar[str] = ""
    description: ClassVar[str] = ""
    options: dict[str, Any] = field(default_factory=dict)

    def queue_matches(self) -> list[str]:
        return list(SIP_MATCHES)

    def handle(self, pkt: Packet) -> Decision:
        return Decision()


REGISTRY: dict[str, type[AlgBehaviour]] = {}


def behaviour(cls: type[AlgBehaviour]) -> type[AlgBehaviour]:
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a name")
    REGISTRY[cls.name] = cls
    return cls


_loaders: list[Callable[[], None]] = []


def add_loader(fn: Callable[[], None]) -> None:
    """Register a function that imports more behaviours (e.g. from the suites' package)."""
    _loaders.append(fn)


def known() -> list[str]:
    for fn in _loaders:
        fn()
    return sorted(REGISTRY)


def create(name: str, options: dict[str, Any] | None = None) -> AlgBehaviour:
    known()
    if name not in REGISTRY:
        raise KeyError(f"unknown faulty SIP ALG behaviour {name!r}; known: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name](options=dict(options or {}))


@behaviour
class Passthrough(AlgBehaviour):
    name = "passthrough"
    symptom = "none"
    description = "Queues SIP through the middlebox and changes nothing (proves the hook)."


@behaviour
class MarkHeader(AlgBehaviour):
    name = "mark-header"
    symptom = "none"
    description = "Adds an 'X-Uclab-Alg: <router>' header to every UDP SIP message (proves rewriting)."

    def handle(self, pkt: Packet) -> Decision:
        if pkt.proto != "udp" or b"\r\n\r\n" not in pkt.payload:
            return Decision()
        head, body = pkt.payload.split(b"\r\n\r\n", 1)
        tag = str(self.options.get("router", "alg")).encode()
        return Decision(payload=head + b"\r\nX-Uclab-Alg: " + tag + b"\r\n\r\n" + body, note="marked")
