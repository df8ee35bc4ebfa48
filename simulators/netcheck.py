"""What the network suites check a user sees, and the call evidence they leave.

Every check fails with a sentence a partner understands (who, where, what was expected, what
happened) and leaves evidence in the lab's run directory, which the pytest plugin attaches
to the allure result after the lab goes down:

    evidence/media-verdicts.json   every audio verdict: expected, measured, per direction
    evidence/sip-ladder.txt        the SIP ladder of every phone of the lab (from their logs)
    media/*.wav                    what each side received, when a verdict failed

Phones started with `client(...)` log their SIP messages (pjsip level 4), which is what
`sip_ladder` reads; the plugin calls `write_sip_ladder(lab)` for every lab it tears down.

    api = await uc_login(lab, stub, "home_pc", "198.51.100.120:8802", "200")
    home = await client(phones, lab, stub, "home_pc", "alice", "200", "198.51.100.120:8802")
    out, inc = await call(lab, office, home, stub.sip_uri("200"))        # rings, answered
    await audio(lab, out, inc, "two-way")                                 # recorded
    await survives_binding_timeout(lab, out, inc, 4)                      # NAT timeout + re-INVITE
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulators.harness import desk_phone, registered, registration_answer, voip_client
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.media import audio_between, save_evidence
from simulators.phone.ucapi import AT_WORK, UcApi, UcApiError, UcApiUnreachable
from simulators.phone.verdict import AudioVerdict, Direction
from simulators.system import ExternalSystem, SystemDoors

if TYPE_CHECKING:
    from simulators.lab import Lab
    from simulators.uc.service import Stub

VERDICTS = "media-verdicts.json"
LADDER = "sip-ladder.txt"
SIP_LOG_LEVEL = 4
"""pjsip logs every SIP message it sends and receives at level 4 (the ladder's source)."""
RING_TIMEOUT = 5.0
LOGIN_TIMEOUT = 2.0
DIAL_TIMEOUT = 20.0


class ScenarioFailed(AssertionError):
    """A check of what a user sees did not hold; the message says what and where."""


# -- evidence ---------------------------------------------------------------------------------


def _evidence_dir(lab: Lab) -> Path:
    path = lab.dir / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _direction(d: Direction) -> dict[str, Any]:
    return {"direction": str(d), "heard": d.heard, "heard_ms": round(d.heard_ms), "delay_ms": d.delay_ms}


def record_verdict(
    lab: Lab, label: str, expected: str, verdict: AudioVerdict | None, ok: bool, wavs: list[Path] | None = None
) -> None:
    """Append one verdict to evidence/media-verdicts.json."""
    path = _evidence_dir(lab) / VERDICTS
    records = json.loads(path.read_text()) if path.exists() else []
    entry: dict[str, Any] = {"label": label, "expected": expected, "ok": ok, "at": time.strftime("%H:%M:%S")}
    if verdict is not None:
        entry |= {
            "measured": verdict.kind,
            "explained": verdict.explain(),
            "directions": [_direction(verdict.a_to_b), _direction(verdict.b_to_a)],
        }
    if wavs:
        entry["received_audio"] = [str(w) for w in wavs]
    records.append(entry)
    path.write_text(json.dumps(records, indent=2))


_MSG = re.compile(
    r"^(?P<time>\d\d:\d\d:\d\d\.\d{3}).*?\b(?P<dir>TX|RX) \d+ bytes (?:Request|Response) msg "
    r"(?P<what>\S+) \(\w+\) (?:to|from) (?P<transport>\w+) (?P<peer>[\d.]+:\d+):\s*$"
)


@dataclass(frozen=True)
class LadderStep:
    time: str
    phone: str
    sent: bool
    transport: str
    peer: str
    first_line: str

    def __str__(self) -> str:
        arrow = f"{self.phone:>10} ----> {self.peer:<22}" if self.sent else f"{self.phone:>10} <---- {self.peer:<22}"
        return f"{self.time}  {arrow} {self.transport:<4} {self.first_line}"


def sip_ladder(lab_dir: Path) -> list[LadderStep]:
    """Every SIP message the lab's phones sent or received, in time order (from their logs)."""
    steps: list[LadderStep] = []
    for log in sorted((lab_dir / "logs").glob("*.phone-*.log")):
        phone = log.stem.split(".phone-", 1)[1]
        lines = log.read_text(errors="replace").splitlines()
        for i, line in enumerate(lines):
            m = _MSG.match(line)
            if m is None:
                continue
            first = next((x.strip() for x in lines[i + 1 : i + 4] if x.strip()), "?")
            steps.append(LadderStep(m["time"], phone, m["dir"] == "TX", m["transport"], m["peer"], first))
    steps.sort(key=lambda s: s.time)
    return steps


def write_sip_ladder(lab: Lab) -> Path | None:
    """Write evidence/sip-ladder.txt when the lab's phones exchanged SIP (called by the plugin)."""
    if lab.run is None:
        return None
    steps = sip_ladder(lab.run.dir)
    if not steps:
        return None
    path = _evidence_dir(lab) / LADDER
    path.write_text(
        f"SIP ladder of {lab.topo.name} (phones' view; TLS to 8802 is opaque in the pcaps)\n"
        + "\n".join(map(str, steps))
        + "\n"
    )
    return path


# -- what a user does and sees ----------------------------------------------------------------


async def uc_login(
    lab: Lab,
    stub: Stub | ExternalSystem,
    host: str,
    endpoint: str,
    user: str,
    password: str | None = None,
    *,
    kind: str = AT_WORK,
) -> UcApi:
    """Log in to the UC API at `endpoint` (address:port as in the login screen) from `host`
    with a UC client of `kind` (myPortal @work by default). The lab's UC client speaks the
    stub's UC API: on an external system this is NeedsStub (the test is skipped)."""
    if isinstance(stub, ExternalSystem):
        stub.requires_stub("UC login speaks the lab's UC API, which only the stub serves")
    if password is None:
        known = stub.config.user(user)
        if known is None:
            raise ScenarioFailed(f"user {user} is not configured on the system")
        password = known.password
    api = UcApi(
        f"https://{endpoint}",
        verify=str(stub.ca_file),
        timeout=LOGIN_TIMEOUT,
        client=kind,
        socket_factory=lambda: lab.socket(host, socket.SOCK_STREAM),
    )
    try:
        await api.login(user, password)
    except UcApiError as exc:
        await api.aclose()
        raise ScenarioFailed(f"UC login of {user} ({kind}) at {endpoint} from {host} failed: {exc}") from None
    return api


NOT_CHECKED = "not-checked.txt"
"""evidence/not-checked.txt: what a test left out against an external system, and why"""


async def uc_login_first(lab: Lab, stub: Stub | ExternalSystem, host: str, endpoint: str, user: str) -> None:
    """The user's UC login before the VoIP client starts (004:101-102), when the login is not
    what the test checks. On an external system the lab's UC client cannot log in (it speaks
    the stub's UC API): the step is left out and written to evidence/not-checked.txt, so the
    network checks that follow still run against the system."""
    if isinstance(stub, ExternalSystem):
        with (_evidence_dir(lab) / NOT_CHECKED).open("a", encoding="utf-8") as f:
            f.write(f"UC login of {user} at {endpoint} from {host}: not done, the system under test is external\n")
        return
    api = await uc_login(lab, stub, host, endpoint, user)
    await api.aclose()


async def login_times_out(
    lab: Lab, stub: Stub | ExternalSystem, host: str, endpoint: str, user: str
) -> UcApiUnreachable:
    """The login must end with the client's "Connection Time out" (TRB-4)."""
    try:
        api = await uc_login(lab, stub, host, endpoint, user)
    except ScenarioFailed as exc:
        cause = exc.__context__
        if isinstance(cause, UcApiUnreachable):
            return cause
        raise ScenarioFailed(f"{exc}; expected Connection Time out") from None
    await api.aclose()
    raise ScenarioFailed(f"UC login of {user} at {endpoint} from {host} worked; expected Connection Time out")


async def client(
    phones: Callable[..., Awaitable[Phone]],
    lab: Lab,
    stub: SystemDoors,
    host: str,
    name: str,
    user: str,
    endpoint: str | None = None,
    *,
    desk: bool = False,
    ice: bool = True,
    register: bool = True,
    **extra: Any,
) -> Phone:
    """A myPortal @work VoIP client (TLS to 8802 at `endpoint`) or a desk phone, logging SIP,
    and (by default) await its registration."""
    settings = desk_phone(stub, user) if desk else voip_client(stub, user, endpoint)
    phone = await phones(lab, host, name, ice=ice, log_level=SIP_LOG_LEVEL, **settings, **extra)
    if register:
        try:
            await registered(phone, timeout=5)
        except PhoneError as exc:
            where = endpoint or stub.door
            raise ScenarioFailed(
                f"the VoIP client {name} ({user}) on {host} did not register at {where}: {exc}"
            ) from None
    return phone


async def rings(callee: Phone, timeout: float = RING_TIMEOUT) -> Call:
    try:
        return await callee.incoming(timeout=timeout)
    except PhoneError:
        raise ScenarioFailed(f"{callee.name} did not ring within {timeout:.0f} s of the call") from None


async def never_rings(callee: Phone, within: float = 2.0) -> None:
    try:
        await callee.incoming(timeout=within)
    except PhoneError:
        return
    raise ScenarioFailed(f"{callee.name} rang, but should not have")


async def call(
    lab: Lab, caller: Phone, callee: Phone, uri: str, ring_timeout: float = RING_TIMEOUT
) -> tuple[Call, Call]:
    """Dial, the callee rings, answers; both see the call established. The dial may take
    long where the client's STUN server does not answer (ICE gathering waits for it)."""
    try:
        out = await caller.dial(uri, timeout=DIAL_TIMEOUT)
    except PhoneError as exc:
        raise ScenarioFailed(f"{caller.name} could not place the call to {uri}: {exc}") from None
    inc = await rings(callee, ring_timeout)
    try:
        await inc.answer()
        await out.established(timeout=5)
    except PhoneError as exc:
        raise ScenarioFailed(f"call {caller.name} -> {callee.name} rang but was not connected: {exc}") from None
    return out, inc


async def audio(
    lab: Lab,
    a: Call,
    b: Call,
    expected: str = "two-way",
    *,
    direction: str | None = None,
    within: float = 3.0,
    since: float | None = None,
    label: str = "",
) -> AudioVerdict:
    """Judge the audio between two calls (per direction), record it, fail with what was heard."""
    label = label or f"{a.phone.name} <-> {b.phone.name}"
    v = await audio_between(a, b, within=within, since=since)
    ok = v.kind == expected and (direction is None or v.direction == direction)
    wavs = [] if ok else await save_evidence(a, b)
    want = f"{expected} ({direction})" if direction else expected
    record_verdict(lab, label, want, v, ok, wavs)
    if not ok:
        raise ScenarioFailed(
            f"audio {label}: expected {want}, measured {v.explain()}; "
            f"received audio saved: {', '.join(map(str, wavs)) or 'none'}"
        )
    return v


async def reinvite(call_: Call) -> None:
    """A re-INVITE of the established call with its current media (the agent's unhold offer)."""
    try:
        await call_.retrieve()
    except PhoneError as exc:
        raise ScenarioFailed(f"re-INVITE from {call_.phone.name} failed: {exc}") from None


async def survives_binding_timeout(lab: Lab, a: Call, b: Call, binding_timeout_s: float) -> None:
    """The call still has two-way audio in a window that starts after the NAT binding
    timeout has passed, and again after a re-INVITE from each side."""
    since = time.monotonic() + binding_timeout_s + 0.5
    await audio(lab, a, b, "two-way", since=since, within=2.0, label="after the NAT binding timeout")
    for side in (b, a):
        await reinvite(side)
        await audio(lab, a, b, "two-way", label=f"after a re-INVITE from {side.phone.name}")


async def incoming_after_idle(lab: Lab, caller: Phone, callee: Phone, uri: str, idle_s: float) -> None:
    """The registered client still rings after being idle longer than the NAT binding timeout."""
    await asyncio.sleep(idle_s)  # idle time is the point: nothing to await but the clock
    await call_with_audio(lab, caller, callee, uri, "two-way", label=f"call to {callee.name} after {idle_s:.0f} s idle")


async def registration_refused(phone: Phone, station: str) -> str:
    """The registrar refuses the phone's registration for `station` (TRB-2: the station is
    held by another client); returns the refusal reason the client shows."""
    answer = await registration_answer(phone)
    if answer.code != 403 or station not in answer.reason:
        raise ScenarioFailed(
            f"{phone.name}'s registration for station {station} was answered {answer.code} {answer.reason}; "
            f"expected 403 naming station {station} (one VoIP registration per station)"
        )
    return answer.reason


def unanswered_stun(lab: Lab) -> str:
    """A STUN server URI for a client without STUN connectivity: a free address of the lab's
    STUN server's segment, where nothing answers (as behind a firewall that drops UDP 3478).
    The client keeps a default STUN server (it cannot remove it, 000:2181), which never
    answers; its requests stay in the lab (no router has a route beyond it)."""
    for host, _ in lab.stun_servers():
        iface = next(iter(lab.topo.hosts[host].interfaces.values()))
        segment = lab.topo.segments[iface.segment]
        taken = {a for _, _, i in lab.topo.interfaces_on(iface.segment) for a in i.address}
        free = next(a for a in reversed(list(segment.subnet.hosts())) if a not in taken)
        return f"stun:{free}:3478"
    raise ScenarioFailed(f"{lab.topo.name} has no STUN server, so no client there has STUN connectivity anyway")


async def nat_type_is(phone: Phone, expected: str) -> None:
    """Settings > VoIP > Advanced ICE settings > Check NAT type shows `expected` (NAT-3)."""
    result = await phone.check_nat_type()
    if result.outcome != expected:
        raise ScenarioFailed(
            f"Check NAT type on {phone.name} says {result.message!r} ({result.reason}); expected {expected}"
        )


async def ice_status_is(phone: Phone, expected: str) -> None:
    """Settings > VoIP > Advanced ICE settings > Check ICE status shows `expected` (NAT-5)."""
    result = await phone.check_ice_status()
    if result.status != expected:
        raise ScenarioFailed(f"Check ICE status on {phone.name} says {result.status!r}; expected {expected}")


async def call_with_audio(
    lab: Lab, caller: Phone, callee: Phone, uri: str, expected: str = "two-way", *, label: str = "", **kw: Any
) -> None:
    """A whole call as a user tries it: dial, the callee rings and answers, the audio is
    judged (`expected`), the caller hangs up."""
    out, inc = await call(lab, caller, callee, uri, **kw)
    await audio(lab, out, inc, expected, label=label)
    await out.hangup()
