"""SIP ALG on the home router: the four documented symptoms, each with its fix (ALG-1).

ALG-1 (004:379-387): "If you experience one of the following issues, please check if a SIP
ALG is activated on one of the involved routers": one-way audio (004:383), client does not
ring when called (004:384), calls drop after being connected (004:385), calls going straight
to voicemail for no known reason (004:386).

topologies/home_routed_alg.yaml: the home client (alice, station 200) signals over UDP 5060
through its NAT router (the only NAT and the only ALG on the path) to the system, whose
office LAN is routed; the office desk phone (bob, 201) is on the office LAN. The home router's ALG is switched in the running
lab (one lab for the module); each symptom test reproduces the symptom with the named
behaviour (simulators/net/alg_behaviours.py), then switches the ALG off and shows the symptom
gone. SIP over TLS on 8802, which an ALG cannot read, is covered in test_alg_tls.py.

Evidence per test: the SIP ladder before and after the router (evidence/alg-ladder-*.txt),
the ALG's log of what it changed or dropped, the media verdicts (evidence/media-verdicts.json)
and the phones' own SIP ladder (evidence/sip-ladder.txt).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from simulators.harness import desk_phone, reg, registered
from simulators.lab import Lab
from simulators.netcheck import SIP_LOG_LEVEL, ScenarioFailed, call, never_rings, uc_login
from simulators.phone import protocol as p
from simulators.phone.client import Call, Phone, PhoneError
from simulators.phone.ucapi import UcApi, VoiceMessage
from simulators.pytest_plugin import LabFactory
from suites.telephony.common import PROMPT_TONE, hears, tone_ends, wav_tones

from .alg_support import (
    RouterLadder,
    alg_actions,
    alg_log_offset,
    fresh_stub,
    require,
    set_alg,
    symptom_audio,
    system_config,
)

TOPOLOGY = "home_routed_alg"
ACK_TIMEOUT_S = 32.0  # 64 x T1 (RFC 3261 13.3.1.4), pjsip's default T1 = 500 ms


@pytest.fixture(scope="module")
def alg_lab(request: pytest.FixtureRequest) -> Iterator[Lab]:
    """One lab for the module; every test sets the home router's ALG it needs."""
    factory = LabFactory(request)
    try:
        yield factory(TOPOLOGY)
    finally:
        factory.close()


async def home_udp_client(phones: Callable[..., Any], lab: Lab, user: str = "200", **extra: Any) -> Phone:
    """The home client, registered over UDP 5060 through the home router (ICE on, as myPortal @work)."""
    phone: Phone = await phones(
        lab, "home_pc", "alice", ice=True, log_level=SIP_LOG_LEVEL, registration=reg("192.168.1.30:5060", user), **extra
    )
    await registered(phone)
    return phone


async def office_phone(phones: Callable[..., Any], lab: Lab, stub: Any) -> Phone:
    phone: Phone = await phones(lab, "office_pc", "bob", ice=True, log_level=SIP_LOG_LEVEL, **desk_phone(stub, "201"))
    await registered(phone)
    return phone


async def alg_off(lab: Lab, *phones: Phone) -> None:
    """The fix: the ALG off on the same router; the router forgot its connections, so the
    home client registers again (a fresh NAT binding)."""
    set_alg(lab, "none")
    for phone in phones:
        ans = await phone.register()
        assert 200 <= ans.code < 300, f"{phone.name} could not register again after the ALG was switched off: {ans}"


async def outcome(caller: Call, timeout: float) -> p.CallState:
    """The caller's first final state: confirmed (answered, by someone) or disconnected."""
    ev = await caller.phone.wait_event(
        caller._ev(p.CallState, lambda e: e.state in ("confirmed", "disconnected")),
        timeout,
        0,
        "waiting for the call's outcome",
    )
    assert isinstance(ev, p.CallState)
    return ev


# -- one-way audio (004:383) ------------------------------------------------------------------


@pytest.mark.clause("ALG-1/one-way", how="wire")
async def test_one_way_audio_from_sdp_rewrite_without_pinhole(alg_lab: Lab, stubs: Any, phones: Any) -> None:
    """ALG-1 (004:381-383) "One-way audio (only one person can hear the other)": behaviour
    sdp-rewrite-no-pinhole rewrites the client's SDP to the router's public address and a port
    it never maps. The system sends its media there (this system sends RTP to the SDP address:
    symmetric RTP off, see the finding test below), so the home user hears nothing while the
    office hears the home user. ALG off: two-way audio."""
    lab = alg_lab
    set_alg(lab, "faulty:sdp-rewrite-no-pinhole")
    stub = await fresh_stub(stubs, lab, config=system_config(latch_rtp=False))
    home = await home_udp_client(phones, lab)
    office = await office_phone(phones, lab, stub)
    mark = alg_log_offset(lab)
    ladder = RouterLadder(lab, "one-way")
    try:
        out, inc = await call(lab, home, office, stub.sip_uri("201"))
        await symptom_audio(lab, out, inc, "one-way", "one-way", direction="alice -> bob")
        await out.hangup()
    finally:
        ladder.stop()
    rewritten = [a for a in alg_actions(lab, mark) if a["action"] == "rewrite"]
    require(bool(rewritten), "one-way", "the ALG to rewrite the client's SDP", "no rewrite in its log")
    require("c=IN IP4 203.0.113.24" in ladder.text, "one-way", "the SDP after the router to carry 203.0.113.24",
            ladder.text)  # fmt: skip

    await alg_off(lab, home)
    out, inc = await call(lab, home, office, stub.sip_uri("201"))
    await symptom_audio(lab, out, inc, "one-way", "two-way")
    await out.hangup()


@pytest.mark.lab_choice("LAB-LATCHING")
@pytest.mark.rule("ALG-1")
async def test_symmetric_rtp_on_the_system_hides_the_one_way_audio(alg_lab: Lab, stubs: Any, phones: Any) -> None:
    """Finding for ALG-1 (004:383): with the same ALG (sdp-rewrite-no-pinhole) but a system that
    follows the source of the RTP it receives (symmetric RTP, the stub's default), the client's
    RTP shows the system the way back and both sides hear each other. The document does not say
    whether the system does this; where it does, this ALG does not cause one-way audio."""
    lab = alg_lab
    set_alg(lab, "faulty:sdp-rewrite-no-pinhole")
    stub = await fresh_stub(stubs, lab, config=system_config(latch_rtp=True))
    home = await home_udp_client(phones, lab)
    office = await office_phone(phones, lab, stub)
    mark = alg_log_offset(lab)
    out, inc = await call(lab, home, office, stub.sip_uri("201"))
    await symptom_audio(lab, out, inc, "one-way", "two-way")
    await out.hangup()
    assert any(a["action"] == "rewrite" for a in alg_actions(lab, mark)), "the ALG did not act: nothing was shown"


# -- client does not ring (004:384) -----------------------------------------------------------


@pytest.mark.clause("ALG-1/no-ring", how="wire")
async def test_client_does_not_ring_when_the_alg_drops_inbound_invites(alg_lab: Lab, stubs: Any, phones: Any) -> None:
    """ALG-1 (004:381, 004:384) "Client does not ring when called": behaviour drop-inbound-invite
    discards INVITEs from outside that start a new dialog. The client stays registered and can
    call out, but a call to it never rings; the caller gets no answer and a failure when the
    system gives up. ALG off: it rings and the call has two-way audio."""
    lab = alg_lab
    set_alg(lab, "faulty:drop-inbound-invite")
    stub = await fresh_stub(stubs, lab)
    home = await home_udp_client(phones, lab)
    office = await office_phone(phones, lab, stub)
    mark = alg_log_offset(lab)
    ladder = RouterLadder(lab, "no-ring")
    try:
        out = await office.dial(stub.sip_uri("200"))
        try:
            await never_rings(home, within=3.0)
        except ScenarioFailed as exc:
            require(False, "no-ring", "the client not to ring", str(exc))
        end = await outcome(out, timeout=15.0)
        require(end.state == "disconnected" and end.code >= 400, "no-ring", "the caller's call to fail unanswered",
                f"{end.state} {end.code} {end.reason}")  # fmt: skip
    finally:
        ladder.stop()
    drops = [a for a in alg_actions(lab, mark) if a["action"] == "drop" and "INVITE" in a["first_line"]]
    require(bool(drops), "no-ring", "the ALG to have dropped the INVITE", "no drop in its log")
    require(" lan  " not in "".join(ln for ln in ladder.text.splitlines(True) if "INVITE sip:200@" in ln),
            "no-ring", "no INVITE on the LAN side of the router", ladder.text)  # fmt: skip

    await alg_off(lab, home)
    out, inc = await call(lab, office, home, stub.sip_uri("200"))
    await symptom_audio(lab, out, inc, "no-ring", "two-way")
    await out.hangup()


# -- calls drop after being connected (004:385) -----------------------------------------------


@pytest.mark.clause("ALG-1/drops", how="wire")
async def test_call_drops_after_being_connected_when_the_alg_loses_the_ack(
    alg_lab: Lab, stubs: Any, phones: Any
) -> None:
    """ALG-1 (004:381, 004:385) "Calls drop after being connected": behaviour drop-ack loses the ACK
    that confirms an answered call. The home client answers, both users talk (two-way audio),
    but the client never receives the ACK, retransmits its 200 OK and ends the call after
    64 x T1 = 32 s (RFC 3261 13.3.1.4). ALG off: the ACK arrives, the client's call is
    confirmed, so nothing will end it (the 32 s are not waited for again)."""
    lab = alg_lab
    set_alg(lab, "faulty:drop-ack")
    stub = await fresh_stub(stubs, lab)
    home = await home_udp_client(phones, lab)
    office = await office_phone(phones, lab, stub)
    mark = alg_log_offset(lab)
    ladder = RouterLadder(lab, "drops")
    try:
        out = await office.dial(stub.sip_uri("200"))
        inc = await home.incoming(timeout=5)
        await home.request(p.Answer(call=inc.id, code=200))  # answered; confirmed only by the ACK
        await out.established(timeout=5)
        connected = time.monotonic()
        await symptom_audio(lab, out, inc, "drops", "two-way")
        try:
            await inc.established(timeout=1.0)
        except PhoneError:
            pass  # no ACK: the client's call is not confirmed, as expected
        else:
            require(False, "drops", "the client's call to stay unconfirmed (no ACK)", "the ACK arrived")
        end = await out.disconnected(timeout=ACK_TIMEOUT_S + 10)
        lasted = time.monotonic() - connected
    finally:
        ladder.stop()
    require(ACK_TIMEOUT_S - 4 <= lasted <= ACK_TIMEOUT_S + 8, "drops",
            f"the connected call to drop about {ACK_TIMEOUT_S:.0f} s after the answer",
            f"it ended after {lasted:.1f} s ({end.code} {end.reason})")  # fmt: skip
    drops = [a for a in alg_actions(lab, mark) if a["action"] == "drop" and a["first_line"].startswith("ACK")]
    require(bool(drops), "drops", "the ALG to have dropped the ACK", "no ACK drop in its log")

    await alg_off(lab, home)
    out, inc = await call(lab, office, home, stub.sip_uri("200"))
    await inc.established(timeout=3.0)  # the ACK reached the client: the dialog is confirmed
    await symptom_audio(lab, out, inc, "drops", "two-way")
    await out.hangup()


# -- calls go straight to voicemail (004:386) -------------------------------------------------

SHORT_EXPIRES = 4  # what the ALG grants behind the client's back (s)
TIME_SCALE = 0.05  # the stub's registration lifetimes: 3 s min, 15 s max (timescale.py)
NO_ANSWER_S = 60 * TIME_SCALE
"""the no-answer time to voicemail on that clock (LAB-NOANSWER-VOICEMAIL, 000:756's 60 s): 3 s"""
STRAIGHT_S = 1.5
"""straight to voicemail: well within the no-answer time"""
MESSAGE_S = 1.5
"""how long the caller talks to the box"""


async def filed(api: UcApi, timeout: float = 15.0) -> list[VoiceMessage]:
    """The mailbox's messages once one is listed (filing follows the caller's BYE; no event for it)."""
    deadline = time.monotonic() + timeout
    while not (messages := await api.voice_messages()) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return messages


@pytest.mark.clause("ALG-1/voicemail", how="wire")
@pytest.mark.lab_choice("LAB-UNREACHABLE-VOICEMAIL", "LAB-VOICEMAIL-BOX")
async def test_calls_go_straight_to_voicemail_when_the_alg_hides_a_short_registration(
    alg_lab: Lab, stubs: Any, phones: Any
) -> None:
    """ALG-1 (004:381, 004:386) "Calls going straight to voicemail for no known reason": behaviour
    register-expires-mismatch shortens the registration lifetime the client asks for and
    rewrites the system's answer back, so the client believes it is registered for 300 s while
    the system's binding lapses after a few seconds. A call to the user then does not reach the
    client: it does not ring, and the system, finding none of the user's devices registered,
    sends the call to the user's voicemail box at once (LAB-UNREACHABLE-VOICEMAIL): the caller
    is answered within a second (not after the no-answer time), hears the box's greeting and
    leaves a message, which the user finds in the mailbox over the UC API with the caller's
    voice in it. ALG off: the client learns the true lifetime, refreshes in time, and the
    call rings."""
    lab = alg_lab
    set_alg(lab, {"mode": "faulty", "behaviour": "register-expires-mismatch", "options": {"expires": SHORT_EXPIRES}})
    stub = await fresh_stub(stubs, lab, config=system_config(time_scale=TIME_SCALE))
    ladder = RouterLadder(lab, "voicemail")
    mark = alg_log_offset(lab)
    try:
        home = await home_udp_client(phones, lab)
        office = await office_phone(phones, lab, stub)
        status = await home.status()
        require(bool(status.registered), "voicemail", "the client to show itself registered", str(status))
        # the system's binding lapses on its clock: nothing to await but time
        await asyncio.sleep(SHORT_EXPIRES + 1.0)
        out = await office.dial(stub.sip_uri("200"))
        t0 = time.monotonic()
        end = await outcome(out, timeout=10.0)
        took = time.monotonic() - t0
        try:
            await never_rings(home, within=0.5)
        except ScenarioFailed as exc:
            require(False, "voicemail", "the client not to ring", str(exc))
        require(end.state == "confirmed", "voicemail", "the call answered without the client ringing",
                f"{end.state} {end.code} {end.reason}")  # fmt: skip
        require(took < STRAIGHT_S, "voicemail",
                f"the answer at once (straight), not after the no-answer time ({NO_ANSWER_S:g} s here)",
                f"after {took:.1f} s")  # fmt: skip
        await hears(out, PROMPT_TONE)  # the box's greeting
        await tone_ends(out, PROMPT_TONE)
        await asyncio.sleep(MESSAGE_S)  # the message's content, not a wait for an event
        await out.hangup()
    finally:
        ladder.stop()
    api = await uc_login(lab, stub, "office_pc", stub.door, "200")
    try:
        messages = await filed(api)
        require(len(messages) == 1 and messages[0].caller == "201", "voicemail",
                "one message from 201 in 200's mailbox", str(messages))  # fmt: skip
        heard = wav_tones(await api.voice_message_audio(messages[0].id))
        require(heard.get(office.tone, 0.0) >= MESSAGE_S - 0.7, "voicemail",
                f"the caller's voice ({office.tone} Hz) in the message", str(heard))  # fmt: skip
    finally:
        await api.aclose()
    rewrites = [a for a in alg_actions(lab, mark) if a["action"] == "rewrite"]
    require(any("REGISTER" in a["first_line"] for a in rewrites), "voicemail",
            "the ALG to have shortened the REGISTER", "no REGISTER rewrite in its log")  # fmt: skip
    require(any("200 OK" in a["first_line"] for a in rewrites), "voicemail",
            "the ALG to have hidden the short lifetime in the 200 OK", "no 200 OK rewrite in its log")  # fmt: skip

    await alg_off(lab, home)
    await asyncio.sleep(SHORT_EXPIRES + 1.0)  # the same wait: the binding must still be there
    out, inc = await call(lab, office, home, stub.sip_uri("200"))
    await symptom_audio(lab, out, inc, "voicemail", "two-way")
    await out.hangup()
