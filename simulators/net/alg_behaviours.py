"""Named SIP ALG behaviours for the NFQUEUE middlebox.

A behaviour says which packets it wants to see (`queue_matches`: iptables matches, each
queued in the router's FORWARD path) and what it does with each one (`handle`). The
middlebox sees packets after inbound DNAT and before outbound SNAT, i.e. with inside
addresses, and knows the direction (outbound = arrived on an inside interface).

Behaviours are registered by name with `@behaviour`; topologies select one with
`sip_alg: faulty:<name>`. Two prove the hook (passthrough, mark-header); the others each
reproduce one documented ALG symptom (004:379-387) by a mechanism named in its description.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .sipmsg import NotSip, SipMessage, join_sdp, sdp_lines

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
    memory: dict[str, Any] = field(default_factory=dict)  # what a stateful ALG remembers

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


# -- the behaviours behind the documented ALG symptoms (004:379-387) --------------------------
#
# Each reproduces one symptom by one mechanism real SIP ALGs are known for. They act on SIP
# over UDP 5060 (what an ALG watches); SIP over TLS on 8802 is opaque to them.


def _parse_sip(pkt: Packet) -> SipMessage | None:
    if pkt.proto != "udp":
        return None
    try:
        return SipMessage.parse(pkt.payload)
    except NotSip:
        return None


@behaviour
class SdpRewriteNoPinhole(AlgBehaviour):
    name = "sdp-rewrite-no-pinhole"
    symptom = "one-way audio"
    description = (
        "Rewrites outgoing SDP to the router's public address (c=, o=) and moves the audio port to "
        "one it never maps (port + port_offset), and drops the ICE attributes it does not understand. "
        "The far side sends its media to an address that leads nowhere: the party behind the router "
        "hears nothing, the far side still hears it."
    )

    def handle(self, pkt: Packet) -> Decision:
        msg = _parse_sip(pkt)
        if msg is None or not pkt.outbound or msg.sdp is None:
            return Decision()
        public = str(self.options.get("public", pkt.src))
        offset = int(self.options.get("port_offset", 10000))
        out = []
        for line in sdp_lines(msg.sdp):
            if line.startswith("a=candidate") or line.startswith("a=ice-") or line.startswith("a=rtcp:"):
                continue
            if line.startswith("c=IN IP4 "):
                line = f"c=IN IP4 {public}"
            elif line.startswith("o="):
                parts = line.split()
                line = " ".join([*parts[:-1], public])
            elif line.startswith("m=audio "):
                parts = line.split()
                parts[1] = str((int(parts[1]) + offset - 1024) % (65536 - 1024) + 1024)
                line = " ".join(parts)
            out.append(line)
        msg.set_sdp(join_sdp(out))
        return Decision(payload=msg.serialize(), note=f"{msg.method} SDP rewritten to {public}, port moved")


@behaviour
class DropInboundInvite(AlgBehaviour):
    name = "drop-inbound-invite"
    symptom = "client does not ring when called"
    description = (
        "Keeps its own idea of which SIP traffic is expected and discards new INVITEs arriving "
        "from outside (no To tag: not part of a dialog it saw). The caller hears ringback or "
        "times out; the client never rings."
    )

    def handle(self, pkt: Packet) -> Decision:
        msg = _parse_sip(pkt)
        if msg is None or pkt.outbound or not msg.is_request or msg.method != "INVITE" or msg.in_dialog:
            return Decision()
        return Decision(verdict="drop", note="initial INVITE from outside discarded")


@behaviour
class DropAck(AlgBehaviour):
    name = "drop-ack"
    symptom = "call drops after being connected"
    description = (
        "Loses the ACK that confirms an answered call (both directions). The answering side keeps "
        "retransmitting its 200 OK and, when no ACK comes (64 x T1, 32 s with default timers), "
        "ends the call: it connects, then drops."
    )

    def handle(self, pkt: Packet) -> Decision:
        msg = _parse_sip(pkt)
        if msg is None or not msg.is_request or msg.method != "ACK":
            return Decision()
        return Decision(verdict="drop", note="ACK discarded")


@behaviour
class RegisterExpiresMismatch(AlgBehaviour):
    name = "register-expires-mismatch"
    symptom = "calls go straight to voicemail"
    description = (
        "Shortens the registration lifetime the client asks for (to `expires`, default 20 s) to keep "
        "its pinhole fresh, but rewrites the system's answer back to what the client asked, so the "
        "client does not refresh in time. The system's binding lapses: it sees the station as not "
        "registered and sends calls straight to voicemail."
    )

    def handle(self, pkt: Packet) -> Decision:
        msg = _parse_sip(pkt)
        if msg is None or msg.method != "REGISTER":
            return Decision()
        short = str(self.options.get("expires", 20))
        call_id = msg.header("call-id") or ""
        if msg.is_request and pkt.outbound:
            asked = msg.header("expires") or _contact_expires(msg.header("contact") or "") or "3600"
            if asked == "0":
                return Decision()  # unregistering: leave alone
            self.memory[call_id] = asked
            if msg.header("expires") is not None:
                msg.set_header("Expires", short)
            msg.map_headers({"contact"}, lambda v: _set_contact_expires(v, short))
            return Decision(payload=msg.serialize(), note=f"REGISTER expires {asked} -> {short}")
        if not msg.is_request and not pkt.outbound and (msg.status or 0) // 100 == 2 and call_id in self.memory:
            asked = str(self.memory[call_id])
            msg.map_headers({"contact"}, lambda v: _set_contact_expires(v, asked))
            if msg.header("expires") is not None:
                msg.set_header("Expires", asked)
            return Decision(payload=msg.serialize(), note=f"200 OK expires -> {asked} (hidden)")
        return Decision()


def _contact_expires(contact: str) -> str | None:
    m = re.search(r";\s*expires=(\d+)", contact)
    return m.group(1) if m else None


def _set_contact_expires(contact: str, value: str) -> str:
    if re.search(r";\s*expires=\d+", contact):
        return re.sub(r";\s*expires=\d+", f";expires={value}", contact)
    return contact


# -- RTP-side damage: what TLS signalling does not protect against ------------------------------

RTP_MATCHES = ["-p udp --sport 1024:65535 --dport 1024:65535"]


def _is_rtp(payload: bytes) -> bool:
    """RTP version 2 and a payload type that is not RTCP (RFC 5761 4); STUN starts with 0b00."""
    return len(payload) >= 12 and payload[0] >> 6 == 2 and not 64 <= payload[1] & 0x7F <= 95


@behaviour
class MediaPinholesFromSdp(AlgBehaviour):
    name = "media-pinholes-from-sdp"
    symptom = "one-way audio"
    description = (
        "A SIP-aware firewall: its ALG reads the SDP of SIP on 5060 and admits inbound RTP only to "
        "the addresses and ports announced there (the media 'pinholes'); other inbound RTP is "
        "dropped, even as the reply to the client's own outbound RTP. Outbound traffic and STUN/ICE "
        "checks pass. Real routers do this when the SIP ALG, not the plain connection tracking, "
        "owns media admission (SIP-aware SPI firewalls, VoIP profiles on UTM routers). With SIP over "
        "TLS on 8802 the ALG sees no SDP, opens no pinhole and the client hears nothing: TLS does "
        "not protect against media-side ALG damage."
    )

    def queue_matches(self) -> list[str]:
        return [*SIP_MATCHES, *RTP_MATCHES]

    def handle(self, pkt: Packet) -> Decision:
        msg = _parse_sip(pkt) if pkt.sport == 5060 or pkt.dport == 5060 else None
        if msg is not None:
            if pkt.outbound and msg.sdp is not None:
                # the announced port is the client's own (no NAT port change here): key by port
                pinholes: set[int] = self.memory.setdefault("pinholes", set())
                pinholes.update(int(line.split()[1]) for line in sdp_lines(msg.sdp) if line.startswith("m=audio "))
                return Decision(note=f"pinholes {sorted(pinholes)}")
            return Decision()
        if pkt.outbound or pkt.proto != "udp" or not _is_rtp(pkt.payload):
            return Decision()
        if pkt.dport in self.memory.get("pinholes", set()):
            return Decision()
        return Decision(verdict="drop", note="inbound RTP without a pinhole from a SIP session the ALG read")
