"""What the feature suites share: the labs of the three ways in (LAN, VPN, Internet), the
stub with a compressed clock, and awaiting what a party hears from the system.

The three placements (004 sections 1.2/1.8, 1.4/1.9, 1.5/1.10): the desk phones stay on the
office LAN; the user's myPortal @work client is on the LAN, at home through the VPN (STUN
mandatory, 004:94), or at home over the Internet through the office router's forwarded
8802 (004:236-250).
"""

from __future__ import annotations

import asyncio
import io
import socket
import time
import wave
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from simulators.harness import StartStub, suite_time_scale, voip_client
from simulators.lab import Lab
from simulators.phone import protocol as p
from simulators.phone.client import Call, Phone
from simulators.phone.ucapi import Conversation, UcApi
from simulators.pj.tones import TONE_PLAN, DetectorConfig, Timeline, ToneDetector
from simulators.uc.config import SystemConfig, validate_config
from simulators.uc.service import EXAMPLES, Stub

PROMPT_TONE = 1150
"""The system asks for input / greets (the lab's dialogue, docs/RULES-INTERPRETATION.md):
the suites state the documented dialogue themselves, so a stub that changed it fails them."""
CONFIRM_TONE = 1050
"""The system accepted what was keyed (docs/RULES-INTERPRETATION.md, deskshare)."""
MUSIC_ON_HOLD_TONE = 2350
"""What a lone conference participant hears (docs/RULES-INTERPRETATION.md, conferences)."""
STATUS_TONES = {
    "meeting": 1550, "sick": 1650, "break": 1750, "gone_out": 1850, "vacation": 1950, "lunch": 2050, "at_home": 2150,
}  # fmt: skip
"""What the voicemail box announces of its owner's absence, per status (LAB-PRESENCE-ANNOUNCEMENT)."""
RETURN_TIME_TONE = 2250
"""The box's announcement that a time of return follows the status (LAB-PRESENCE-ANNOUNCEMENT)."""

__all__ = [
    "CONFIRM_TONE",
    "MUSIC_ON_HOLD_TONE",
    "NO_ANSWER_S",
    "PLACEMENTS",
    "PROMPT_TONE",
    "RETURN_TIME_TONE",
    "STATUS_TONES",
    "TIME_SCALE",
    "Placement",
    "event_t",
    "feature_stub",
    "hears",
    "home_client",
    "tone_ends",
]


@dataclass(frozen=True)
class Placement:
    """Where the user's VoIP client runs: `topology`, its `host`, reached through the LAN
    door or the office router's public one."""

    name: str
    topology: str
    host: str
    public_door: bool
    ice: bool

    def __str__(self) -> str:
        return self.name


PLACEMENTS = (
    Placement("lan", "office_lan", "office_pc2", public_door=False, ice=False),
    Placement("vpn", "home_vpn", "home_pc", public_door=False, ice=True),
    Placement("internet", "home_internet", "home_pc", public_door=True, ice=True),
)

DESK_HOST = {"office_lan": "desk_phone", "home_vpn": "office_pc", "home_internet": "office_pc"}
"""the office host of the desk phone (the VPN and Internet labs have one office PC host)"""
CALLER_HOST = {"office_lan": "office_pc", "home_vpn": "office_pc", "home_internet": "office_pc"}


TIME_SCALE = suite_time_scale(0.05)
"""the feature suites' clock: 20x (60 s documented = 3 s real); 1.0 with --uclab-real-time"""
NO_ANSWER_S = 60 * TIME_SCALE
"""the no-answer timer to voicemail (000:756) on that clock"""


def office_config(time_scale: float = TIME_SCALE, **system: Any) -> SystemConfig:
    """The office example with a compressed clock (60 s documented = 3 s real by default)."""
    data = yaml.safe_load((EXAMPLES / "office.yaml").read_text(encoding="utf-8"))
    data["system"]["time_scale"] = time_scale
    data["system"].update(system)
    return validate_config(data, "office.yaml (feature suites)")


async def feature_stub(lab: Lab, stubs: StartStub, **system: Any) -> Stub:
    return await stubs(lab, config=office_config(**system))


def home_client(stub: Stub, placement: Placement, user: str) -> dict[str, Any]:
    """Settings of the user's myPortal @work VoIP client at `placement`."""
    endpoint = stub.door_endpoints[0] if placement.public_door else None
    return {"ice": placement.ice, **voip_client(stub, user, endpoint)}


def dial_uri(stub: Stub, placement: Placement, user: str) -> str:
    return stub.door_uri(user, stub.door_endpoints[0] if placement.public_door else None)


async def hears(call: Call, freq: int, timeout: float = 8.0, since: int = 0) -> p.ToneEvent:
    """Await `freq` being heard on `call` (a tone onset from the phone's detector)."""

    def pred(e: p.Ev) -> bool:
        return isinstance(e, p.ToneEvent) and e.call == call.id and e.freq == freq and e.on

    ev = await call.phone.wait_event(pred, timeout, since, f"{freq} Hz heard on {call.id}")
    assert isinstance(ev, p.ToneEvent)
    return ev


async def answered(out: Call, callee: Phone) -> Call:
    """`callee` answers the call `out` placed: its side of the call."""
    inc = await callee.incoming(timeout=10)
    await inc.answer(timeout=10)
    await out.established(timeout=10)
    return inc


async def held_by_system(call: Call) -> float:
    """Await the system putting `call` on hold (its party held the other leg); when it did."""
    ev = await call.phone.wait_event(
        lambda e: isinstance(e, p.MediaState) and e.call == call.id and e.status == "remote_hold",
        10,
        0,
        f"{call.phone.name} put on hold by the system",
    )
    return ev.t


async def tone_ends(call: Call, freq: int, timeout: float = 8.0, since: int = 0) -> p.ToneEvent:
    """Await `freq` stopping on `call` (the tone's offset from the phone's detector)."""

    def pred(e: p.Ev) -> bool:
        return isinstance(e, p.ToneEvent) and e.call == call.id and e.freq == freq and not e.on

    ev = await call.phone.wait_event(pred, timeout, since, f"{freq} Hz ending on {call.id}")
    assert isinstance(ev, p.ToneEvent)
    return ev


def event_t(call: Call, kind: type[p.Ev], state: str | None = None) -> float:
    """When (agent clock, shared by all processes) `call` got its first `kind` event (in `state`).

    Timing verdicts use these stamps, taken by the phones as the SIP stack reports, not the
    test's own clock: a loaded test process reacts late, the phones' stamps stay exact."""
    for e in call.phone.events:
        if isinstance(e, kind) and getattr(e, "call", None) == call.id and getattr(e, "state", state) == state:
            return e.t
    raise AssertionError(f"{call!r} has no {kind.__name__} event{f' in state {state}' if state else ''}")


def heard_freqs(phone: Phone, call: Call, since: int = 0) -> set[int]:
    return {e.freq for e in phone.events[since:] if isinstance(e, p.ToneEvent) and e.call == call.id and e.on}


Pred = Callable[[p.Ev], bool]


PASSWORDS = {"200": "Start#200a", "201": "Start#201b", "202": "Start#202c", "205": "Start#205f", "210": "Start#210t"}
"""initial UC passwords of office.yaml's users"""


def door_api(lab: Lab, stub: Stub, host: str) -> UcApi:
    """A UC API client in `host` to the system's LAN door (8802), not logged in yet."""
    return UcApi(
        f"https://{stub.door}", verify=stub.ca_file, socket_factory=lambda: lab.socket(host, socket.SOCK_STREAM)
    )


async def uc_login(lab: Lab, stub: Stub, host: str, user: str, password: str | None = None) -> UcApi:
    """A myPortal @work session of `user` from `host` through the LAN door (close it after);
    `password` for a system other than office.yaml's."""
    api = door_api(lab, stub, host)
    await api.login(user, password or PASSWORDS[user])
    return api


async def admin_login(lab: Lab, stub: Stub, host: str) -> UcApi:
    """The administrator's session (the UC API's read-only administrator view) from `host`,
    with the password of the configuration the suite gave the system (close it after)."""
    api = door_api(lab, stub, host)
    await api.admin_login(stub.config.administrator.password)
    return api


async def conversation_with(api: UcApi, party: str, entries: int = 1, timeout: float = 10.0) -> Conversation:
    """Await `api`'s user having a conversation with `party` of `entries` entries (the journal
    is written once the call's last leg ended; the API has no event for it)."""
    deadline = time.monotonic() + timeout
    while True:
        found = next((c for c in await api.conversations() if c.party == party), None)
        if found is not None and len(found.entries) >= entries:
            return found
        assert time.monotonic() < deadline, f"no conversation with {party} of {entries} entries: {found}"
        await asyncio.sleep(0.1)


def wav_tones(data: bytes) -> dict[int, float]:
    """{plan tone: seconds heard} in a WAV recording, by the phones' own detector."""
    with wave.open(io.BytesIO(data)) as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        assert (width, channels) == (2, 1), f"not 16 bit mono: {width * 8} bit, {channels} channels (000:1476)"
        pcm = array("h", w.readframes(w.getnframes()))
    frame = rate // 50
    detector = ToneDetector(TONE_PLAN, DetectorConfig(sample_rate=rate))
    timeline = Timeline()
    t = 0.0
    for i in range(0, len(pcm) - frame + 1, frame):
        timeline.extend(detector.feed(pcm[i : i + frame], t))
        t += 0.02
    timeline.extend(detector.close(t))
    return {f: timeline.heard_ms(f, 0.0, t) / 1000 for f in TONE_PLAN if timeline.heard_ms(f, 0.0, t) > 0}
