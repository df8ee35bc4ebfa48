"""SIP ALG vs. myPortal @work's TLS signalling on 8802: which ALG-1 symptoms it is immune to.

ALG-1 (004:379-387) names four symptoms of a SIP ALG. An ALG reads SIP; myPortal @work
signals over TLS to 8802 (PORT-1, 004:270-276), which no router can read. Recorded here on
topologies/home_routed_alg.yaml (one lab for the module, the home router's ALG switched
per test), with the same client signalling over TLS:

- immune: every behaviour that works on SIP (sdp-rewrite-no-pinhole, drop-inbound-invite,
  drop-ack, register-expires-mismatch) and the kernel's SIP helper: the client rings, the
  call is confirmed (the ACK arrived), two-way audio, and the ALG touched nothing;
- not immune: damage on the media side. media-pinholes-from-sdp, a SIP-aware firewall that
  admits inbound RTP only for sessions whose SDP it read, gives a TLS client one-way audio
  (it never reads TLS SDP, so it never opens a pinhole), while the same router works for a
  UDP client whose SDP it can read. ALG off: two-way audio.

Also the proof that the ALG suite can fail: the symptom check, run against a router without
an ALG, fails with a message naming the documented symptom and what was measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from simulators.harness import desk_phone, reg, registered, voip_client
from simulators.lab import Lab
from simulators.netcheck import SIP_LOG_LEVEL, ScenarioFailed, call
from simulators.phone.client import Phone
from simulators.pytest_plugin import LabFactory

from .alg_support import (
    SYMPTOMS,
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


@pytest.fixture(scope="module")
def alg_lab(request: pytest.FixtureRequest) -> Iterator[Lab]:
    factory = LabFactory(request)
    try:
        yield factory(TOPOLOGY)
    finally:
        factory.close()


async def pair(phones: Any, lab: Lab, stub: Any, *, tls: bool = True) -> tuple[Phone, Phone]:
    """The home client (alice, 200) over TLS 8802 (or UDP 5060) and the office desk phone (bob, 201)."""
    settings = voip_client(stub, "200") if tls else {"registration": reg(f"{stub.lan_ip}:5060", "200")}
    home: Phone = await phones(lab, "home_pc", "alice", ice=True, log_level=SIP_LOG_LEVEL, **settings)
    office: Phone = await phones(lab, "office_pc", "bob", ice=True, log_level=SIP_LOG_LEVEL, **desk_phone(stub, "201"))
    await registered(home)
    await registered(office)
    return home, office


IMMUNE = [
    pytest.param("faulty:sdp-rewrite-no-pinhole", "one-way", id="one-way"),
    pytest.param("faulty:drop-inbound-invite", "no-ring", id="no-ring"),
    pytest.param("faulty:drop-ack", "drops", id="drops"),
    pytest.param("faulty:register-expires-mismatch", "voicemail", id="voicemail"),
    pytest.param("kernel", "kernel", id="kernel-sip-helper"),
]


@pytest.mark.clause("PORT-1/uc-8802", how="wire")
@pytest.mark.rule("ALG-1")
@pytest.mark.parametrize(("sip_alg", "symptom"), IMMUNE)
async def test_tls_signalling_on_8802_is_immune(
    alg_lab: Lab, stubs: Any, phones: Any, sip_alg: str, symptom: str
) -> None:
    """ALG-1 (004:379-387) with PORT-1 (004:270-276): the same router behaviours that cause
    the documented symptoms for a UDP 5060 client (test_alg.py) leave a client that signals
    over TLS to 8802 alone: it registers, rings when called, the call is confirmed on both
    sides (the ACK arrived, so it will not drop) and has two-way audio (SDP untouched), and
    the ALG logged nothing (it could not read a single message)."""
    lab = alg_lab
    set_alg(lab, sip_alg)
    stub = await fresh_stub(stubs, lab, config=system_config(latch_rtp=False))  # no healing by latching
    mark = alg_log_offset(lab)
    ladder = RouterLadder(lab, f"tls-{symptom}")
    try:
        home, office = await pair(phones, lab, stub)
        out, inc = await call(lab, office, home, stub.sip_uri("200"))
        await inc.established(timeout=2.0)
        await symptom_audio(lab, out, inc, symptom, "two-way")
        await out.hangup()
    finally:
        ladder.stop()
    touched = [a for a in alg_actions(lab, mark) if a.get("action") in ("drop", "rewrite")]
    require(not touched, symptom, "the ALG to leave TLS signalling alone", f"it logged {touched[:3]}")
    require("INVITE" not in ladder.text, symptom, "no readable SIP at the router", ladder.text)


@pytest.mark.clause("ALG-1/one-way", how="wire")
async def test_tls_is_not_immune_to_media_side_alg_damage(alg_lab: Lab, stubs: Any, phones: Any) -> None:
    """ALG-1 (004:381-383) "One-way audio": behaviour media-pinholes-from-sdp admits inbound
    RTP only for sessions whose SDP it read. Over TLS to 8802 it reads none, so the office
    hears the home user and the home user hears nothing, even with symmetric RTP on the
    system. ALG off: two-way audio. TLS protects the signalling, not the media."""
    lab = alg_lab
    set_alg(lab, "faulty:media-pinholes-from-sdp")
    stub = await fresh_stub(stubs, lab)
    mark = alg_log_offset(lab)
    home, office = await pair(phones, lab, stub)
    out, inc = await call(lab, office, home, stub.sip_uri("200"))
    await symptom_audio(lab, out, inc, "one-way", "one-way", direction="alice -> bob")
    await out.hangup()
    dropped = [a for a in alg_actions(lab, mark) if a.get("action") == "drop"]
    require(bool(dropped), "one-way", "the ALG to have dropped inbound RTP", "no drop in its log")

    set_alg(lab, "none")
    await home.register()
    out, inc = await call(lab, office, home, stub.sip_uri("200"))
    await symptom_audio(lab, out, inc, "one-way", "two-way")
    await out.hangup()


@pytest.mark.rule("ALG-1")
async def test_media_pinholes_work_for_sip_the_alg_can_read(alg_lab: Lab, stubs: Any, phones: Any) -> None:
    """The contrast to the test above (ALG-1, 004:379-384): the same SIP-aware firewall gives a
    UDP 5060 client two-way audio, because it read the client's SDP and opened its pinhole."""
    lab = alg_lab
    set_alg(lab, "faulty:media-pinholes-from-sdp")
    stub = await fresh_stub(stubs, lab)
    home, office = await pair(phones, lab, stub, tls=False)
    out, inc = await call(lab, office, home, stub.sip_uri("200"))
    await symptom_audio(lab, out, inc, "one-way", "two-way")
    await out.hangup()


async def test_the_alg_suite_fails_when_the_router_has_no_alg(alg_lab: Lab, stubs: Any, phones: Any) -> None:
    """Proof that the ALG suite can fail: expecting the one-way audio of 004:383 from a home
    router whose ALG is off (a deliberately wrong expectation) makes the suite's symptom check
    fail with a message naming the documented symptom, the behaviour and what was measured."""
    lab = alg_lab
    set_alg(lab, "none")
    stub = await fresh_stub(stubs, lab, config=system_config(latch_rtp=False))
    home, office = await pair(phones, lab, stub, tls=False)
    out, inc = await call(lab, home, office, stub.sip_uri("201"))
    with pytest.raises(ScenarioFailed) as failure:
        await symptom_audio(lab, out, inc, "one-way", "one-way", direction="alice -> bob")
    await out.hangup()
    message = str(failure.value)
    assert message.startswith(f'ALG-1 "{SYMPTOMS["one-way"].text}" (004:383, behaviour sdp-rewrite-no-pinhole)')
    assert "expected one-way (alice -> bob) audio" in message
    assert "measured two-way" in message, message
