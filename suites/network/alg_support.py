"""What the SIP ALG suites share (ALG-1, 004:379-387): the documented symptoms, the router
behaviour that reproduces each, the system settings, and the ALG's own evidence.

004:381-387 lists the symptoms a SIP ALG "on one of the involved routers" can cause:

    - One-way audio (only one person can hear the other)            (004:383)
    - Client does not ring when called                              (004:384)
    - Calls drop after being connected                              (004:385)
    - Calls going straight to voicemail for no known reason         (004:386)

Each symptom is reproduced by a named router behaviour (simulators/net/alg_behaviours.py)
on the home router of topologies/home_routed_alg.yaml, switched on and off in the
running lab. Evidence per test: the SIP ladder on both sides of the home router (its LAN
and WAN interfaces are the capture points, so the ladder shows what the ALG changed or
swallowed), what the ALG middlebox logged, and the media verdicts (simulators/netcheck.py).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scapy.layers.inet import IP, TCP, UDP
from scapy.utils import rdpcap

from simulators.netcheck import ScenarioFailed, audio
from simulators.phone.client import Call
from simulators.uc.config import SystemConfig
from simulators.uc.service import config_source

if TYPE_CHECKING:
    from simulators.lab import Lab
    from simulators.net.capture import Capture
    from simulators.uc.service import Stub

allure: Any
try:
    import allure
except ImportError:  # pragma: no cover - allure-pytest is a pinned dependency
    allure = None

ROUTER = "home_router"
HOME_PUBLIC = "203.0.113.24"


@dataclass(frozen=True)
class Symptom:
    text: str  # the document's wording
    ref: str  # where it is listed
    behaviour: str  # the router behaviour that reproduces it


SYMPTOMS = {
    "one-way": Symptom("One-way audio (only one person can hear the other)", "004:383", "sdp-rewrite-no-pinhole"),
    "no-ring": Symptom("Client does not ring when called", "004:384", "drop-inbound-invite"),
    "drops": Symptom("Calls drop after being connected", "004:385", "drop-ack"),
    "voicemail": Symptom(
        "Calls going straight to voicemail for no known reason", "004:386", "register-expires-mismatch"
    ),
}


def system_config(*, latch_rtp: bool = True, time_scale: float = 1.0) -> SystemConfig:
    """The office example configuration with the stub's SIP media and timer settings changed."""
    cfg = config_source("office")
    return cfg.model_copy(
        update={
            "sip": cfg.sip.model_copy(update={"latch_rtp": latch_rtp}),
            "system": cfg.system.model_copy(update={"time_scale": time_scale}),
        }
    )


def set_alg(lab: Lab, sip_alg: str | dict[str, Any]) -> None:
    """Switch the home router's SIP ALG in the running lab ("none", "kernel", "faulty:<name>").
    The router forgets its connections, as a rebooted router would: re-register afterwards."""
    lab.reconfigure_router(ROUTER, sip_alg=sip_alg)


# -- the ALG's own evidence ---------------------------------------------------------------------


def alg_log(lab: Lab) -> Path:
    return lab.dir / "logs" / f"{ROUTER}.alg.log"


def alg_actions(lab: Lab, since: int = 0) -> list[dict[str, Any]]:
    """What the faulty ALG changed or dropped (its JSON lines), from byte offset `since`."""
    path = alg_log(lab)
    if not path.exists():
        return []
    out = []
    for line in path.read_bytes()[since:].decode(errors="replace").splitlines():
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                out.append(json.loads(line))
    return out


def alg_log_offset(lab: Lab) -> int:
    path = alg_log(lab)
    return path.stat().st_size if path.exists() else 0


# -- the SIP ladder on both sides of the router ---------------------------------------------------


class RouterLadder:
    """Captures SIP (UDP 5060) and the TLS door (TCP 8802) on the router's LAN and WAN side.

    `stop()` writes evidence/alg-ladder-<label>.txt: every SIP message in time order, the side
    it was seen on, and (for TLS) only that an opaque record crossed: an ALG cannot read it."""

    def __init__(self, lab: Lab, label: str) -> None:
        self.lab = lab
        self.label = label
        bpf = "udp port 5060 or tcp port 8802"
        self.caps: dict[str, Capture] = {
            side: lab.capture(ROUTER, side, bpf=bpf, tag=f"alg-{label}") for side in ("lan", "wan")
        }
        self.text = ""

    def stop(self) -> str:
        rows: list[tuple[float, str, str]] = []
        for side, cap in self.caps.items():
            path = cap.stop()
            with contextlib.suppress(Exception):
                for pkt in rdpcap(str(path)):
                    if IP not in pkt:
                        continue
                    row = _ladder_row(pkt)
                    if row:
                        rows.append((float(pkt.time), side, row))
        rows.sort()
        t0 = rows[0][0] if rows else 0.0
        lines = [f"SIP on both sides of {ROUTER} ({self.label}); lan = before the router, wan = after"]
        lines += [f"{t - t0:8.3f}  {side:<3}  {row}" for t, side, row in rows]
        self.text = "\n".join(lines) + "\n"
        path = self.lab.dir / "evidence" / f"alg-ladder-{self.label}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.text)
        if allure is not None:
            allure.attach(self.text, name=f"SIP ladder at {ROUTER}: {self.label}", attachment_type="text/plain")
        return self.text


def _ladder_row(pkt: Any) -> str:
    ip = pkt[IP]
    if UDP in pkt:
        payload = bytes(pkt[UDP].payload)
        if not payload[:1].isalpha():
            return ""
        head = payload.split(b"\r\n\r\n", 1)[0].decode(errors="replace").split("\r\n")
        sdp = payload.split(b"\r\n\r\n", 1)[1].decode(errors="replace") if b"\r\n\r\n" in payload else ""
        extra = [h for h in head[1:] if h.lower().startswith(("contact:", "expires:"))]
        extra += [s for s in sdp.split("\r\n") if s.startswith(("c=", "m="))]
        flow = f"{ip.src}:{pkt[UDP].sport} -> {ip.dst}:{pkt[UDP].dport}"
        return f"{flow:<44} {head[0]}" + (f"   [{'; '.join(extra)}]" if extra else "")
    if TCP in pkt and len(pkt[TCP].payload):
        flow = f"{ip.src}:{pkt[TCP].sport} -> {ip.dst}:{pkt[TCP].dport}"
        return f"{flow:<44} TLS record(s), {len(pkt[TCP].payload)} bytes (opaque to an ALG)"
    return ""


def require(condition: bool, symptom: str, expectation: str, measured: str) -> None:
    """The suite's check: fail with the documented symptom, what was expected and what the lab did."""
    if not condition:
        s = SYMPTOMS.get(symptom)
        head = f'ALG-1 "{s.text}" ({s.ref}, behaviour {s.behaviour})' if s else f"ALG-1 {symptom}"
        raise ScenarioFailed(f"{head}: expected {expectation}; measured {measured}")


async def symptom_audio(lab: Lab, a: Call, b: Call, symptom: str, expected: str, direction: str | None = None) -> None:
    """The audio check of a symptom test (netcheck.audio), failing with the documented symptom."""
    try:
        await audio(lab, a, b, expected, direction=direction, label=f"{symptom}: {a.phone.name} <-> {b.phone.name}")
    except ScenarioFailed as exc:
        require(False, symptom, f"{expected}{f' ({direction})' if direction else ''} audio", str(exc))


async def fresh_stub(stubs: Callable[..., Awaitable[Stub]], lab: Lab, **options: Any) -> Stub:
    """A stub with fresh state in the module's shared lab (the previous test's stub left its
    SQLite state in <run>/uc-system/; each test starts from the configuration alone)."""
    for path in (lab.dir / "uc-system").glob("state.sqlite*"):
        path.unlink()
    return await stubs(lab, **options)
